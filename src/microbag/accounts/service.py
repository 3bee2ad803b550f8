"""Users, passwords (argon2id) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.accounts.models import ApiToken, User
from microbag.accounts.policies import normalize_email, valid_role
from microbag.errors import DomainError, ErrorItem, NotFound
from microbag.timeutil import utcnow

TOKEN_PREFIX = "mb_"  # noqa: S105 - a prefix, not a secret
MIN_PASSWORD_LENGTH = 10


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        # Spend the same time as a real check so unknown users are not revealed.
        _hasher().verify(password, _dummy_hash())
        return False
    try:
        return bool(_hasher().verify(password, password_hash))
    except Exception:  # malformed hash: treat as a failed check
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: a staff user (company_id None) or a buyer company's user."""

    user_id: int
    email: str
    role: str
    company_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.company_id is None

    @property
    def label(self) -> str:
        return self.email


def principal_of(user: User) -> Principal:
    return Principal(user.id, user.email, user.role, user.company_id)


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFound("user", "unknown_user")
    return user


def create_user(
    session: Session,
    *,
    email: str,
    role: str,
    company_id: int | None,
    name: str = "",
    password: str | None = None,
) -> User:
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise DomainError.single("invalid_email", f"{email!r} is not a valid e-mail address")
    if not valid_role(role, company_id is None):
        kind = "staff" if company_id is None else "buyer"
        raise DomainError.single("invalid_role", f"{role!r} is not a {kind} role")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError.single("email_taken", f"a user with e-mail {email} exists", 409)
    user = User(email=email, role=role, company_id=company_id, name=name)
    if password is not None:
        user.password_hash = hash_password(check_password_strength(password))
    session.add(user)
    session.flush()
    return user


def check_password_strength(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            ErrorItem(
                "weak_password",
                f"password must have at least {MIN_PASSWORD_LENGTH} characters",
            )
        )
    return password


def set_password(session: Session, email: str, password: str) -> User:
    user = get_user_by_email(session, email)
    user.password_hash = hash_password(check_password_strength(password))
    return user


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.is_active:
        verify_password(password, None)
        return None
    return user if verify_password(password, user.password_hash) else None


def create_token(session: Session, user: User, name: str = "") -> str:
    """Create a token and return it in clear; only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:10], name=name)
    )
    session.flush()
    return token


def principal_for_token(session: Session, token: str) -> Principal | None:
    row = session.execute(
        select(User.id, User.email, User.role, User.company_id)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    return Principal(row.id, row.email, row.role, row.company_id)


def revoke_tokens(session: Session, user: User) -> int:
    count = 0
    for tok in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        if tok.revoked_at is None:
            tok.revoked_at = utcnow()
            count += 1
    return count
