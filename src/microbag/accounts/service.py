"""Users, passwords (argon2id) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import ColumnElement, Connection, Select, func, select
from sqlalchemy.orm import Session

from microbag.accounts.models import ApiToken, User
from microbag.accounts.policies import normalize_email, valid_role
from microbag.accounts.principal import Principal
from microbag.audit import service as audit
from microbag.buyers.models import Company
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
    actor: Principal | None = None,
    actor_label: str = "",
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
    _audit_user(session, user, "created", None, actor, actor_label)
    return user


def _user_fields(user: User) -> dict[str, object]:
    """A user as the audit log compares them (the password hash is redacted there)."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "company_id": user.company_id,
        "is_active": user.is_active,
        "password_hash": user.password_hash,
    }


def _audit_user(
    session: Session,
    user: User,
    action: str,
    before: dict[str, object] | None,
    actor: Principal | None,
    actor_label: str,
) -> None:
    audit.record(
        session,
        actor,
        entity="user",
        entity_id=str(user.id),
        action=action,
        before=before,
        after=_user_fields(user),
        company_id=user.company_id,
        actor_label=actor_label,
    )


def check_password_strength(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            ErrorItem(
                "weak_password",
                f"password must have at least {MIN_PASSWORD_LENGTH} characters",
            )
        )
    return password


def end_credentials(user: User) -> None:
    """End every portal session of the user, in every worker process at once: sessions
    record the version they were started under, and are refused once it changes."""
    user.credentials_version = (user.credentials_version or 0) + 1


def set_password(
    session: Session,
    email: str,
    password: str,
    *,
    keep_tokens: bool = False,
    actor: Principal | None = None,
    actor_label: str = "",
) -> tuple[User, int]:
    """A new password, set by staff (CLI, staff page): the user's portal sessions end
    and, unless ``keep_tokens``, their API tokens are revoked. Returns the user and how
    many tokens were revoked."""
    user = get_user_by_email(session, email)
    before = _user_fields(user)
    user.password_hash = hash_password(check_password_strength(password))
    end_credentials(user)
    revoked = 0 if keep_tokens else revoke_tokens(session, user)
    session.flush()
    _audit_user(session, user, "password_reset", before, actor, actor_label)
    return user, revoked


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


def _token_principal_stmt(token: str) -> Select[int, str, str, int | None]:
    return (
        select(User.id, User.email, User.role, User.company_id)
        .join(ApiToken, ApiToken.user_id == User.id)
        .outerjoin(Company, Company.id == User.company_id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            User.is_active.is_(True),
            User.company_id.is_(None) | Company.is_active.is_(True),
        )
    )


def principal_for_token(session: Session, token: str) -> Principal | None:
    """Who holds ``token``: None if unknown, revoked, or its user or company is inactive."""
    row = session.execute(_token_principal_stmt(token)).first()
    if row is None:
        return None
    return Principal(row.id, row.email, row.role, row.company_id)


def token_still_valid(connection: Connection, token: str, principal: Principal) -> bool:
    """Does ``token`` still stand for exactly ``principal`` (not revoked, user and company
    active, same role)? One indexed read, run on the request's own connection."""
    row = connection.execute(_token_principal_stmt(token)).first()
    return row is not None and Principal(row.id, row.email, row.role, row.company_id) == principal


class TokenCache:
    """Principals recently found by token, per app instance (worker process), for
    ``max_age`` seconds.

    Saves the API's requests the separate lookup (a pooled connection, a transaction, a
    trip through the thread pool) before the route runs. It is not trusted on its own:
    a cached principal is re-checked by ``token_still_valid`` inside the first
    transaction the request opens (``microbag.http``), so a revocation, deactivation or
    role change made by any process applies at once everywhere.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._size = size
        self._lock = threading.Lock()

    def get(self, token: str, max_age: float) -> Principal | None:
        if max_age <= 0:
            return None
        entry = self._entries.get(hash_token(token))
        if entry is None or time.monotonic() - entry[0] > max_age:
            return None
        return entry[1]

    def put(self, token: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()  # crude but bounded; entries live seconds anyway
            self._entries[hash_token(token)] = (time.monotonic(), principal)

    def forget(self, token: str) -> None:
        with self._lock:
            self._entries.pop(hash_token(token), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def revoke_tokens(session: Session, user: User) -> int:
    count = 0
    for tok in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        if tok.revoked_at is None:
            tok.revoked_at = utcnow()
            count += 1
    return count


# ---- self-service tokens and staff administration (API use cases) ------------------------------


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user", "unknown_user")
    return user


def list_tokens(
    session: Session, user_id: int, *, offset: int = 0, limit: int = 50
) -> tuple[list[ApiToken], int]:
    """A user's tokens, newest first (revoked ones included, marked)."""
    where = ApiToken.user_id == user_id
    total = session.scalar(select(func.count()).select_from(ApiToken).where(where)) or 0
    rows = session.scalars(
        select(ApiToken).where(where).order_by(ApiToken.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), int(total)


def create_own_token(session: Session, user_id: int, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user; returns the stored row and the clear token (shown once)."""
    token = create_token(session, get_user(session, user_id), name)
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()
    return row, token


def revoke_token(session: Session, user_id: int, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (again: no change). Others' tokens: not found."""
    token = session.scalars(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    ).first()
    if token is None:
        raise NotFound("token", "unknown_token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def list_staff_users(
    session: Session,
    *,
    role: str | None = None,
    active: bool | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[User], int]:
    conditions: list[ColumnElement[bool]] = [User.company_id.is_(None)]
    if role is not None:
        conditions.append(User.role == role)
    if active is not None:
        conditions.append(User.is_active.is_(active))
    total = session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
    rows = session.scalars(
        select(User).where(*conditions).order_by(User.email).offset(offset).limit(limit)
    )
    return list(rows), int(total)


def get_staff_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_staff:
        raise NotFound("staff user", "unknown_user")
    return user


def set_company_user_active(
    session: Session,
    company_id: int,
    user_id: int,
    *,
    is_active: bool,
    actor: Principal | None = None,
    actor_label: str = "",
) -> User:
    """Deactivate (or reactivate) a user of the company (see ``set_user_active``)."""
    return set_user_active(
        session,
        user_id,
        is_active=is_active,
        company_id=company_id,
        actor=actor,
        actor_label=actor_label,
    )


def update_staff_user(
    session: Session,
    user_id: int,
    *,
    role: str | None = None,
    is_active: bool | None = None,
    name: str | None = None,
    actor: Principal | None = None,
    actor_label: str = "",
) -> User:
    """Change a staff user's role, name or active flag; the last active admin stays one.

    A deactivated user's sessions end and their tokens stop working at once.
    """
    user = get_staff_user(session, user_id)
    if role is not None and not valid_role(role, is_staff=True):
        raise DomainError.single("invalid_role", f"{role!r} is not a staff role")
    new_role = role if role is not None else user.role
    new_active = is_active if is_active is not None else user.is_active
    if user.role == "admin" and user.is_active and (new_role != "admin" or not new_active):
        # The active admins' rows stay locked until commit (PostgreSQL), so two admins
        # demoting each other at once cannot both pass this check.
        admins = session.scalars(
            select(User.id)
            .where(User.company_id.is_(None), User.role == "admin", User.is_active.is_(True))
            .order_by(User.id)
            .with_for_update()
        ).all()
        if not [admin for admin in admins if admin != user.id]:
            raise DomainError.single(
                "last_admin", "the last active admin cannot be demoted or deactivated", 409
            )
    before = _user_fields(user)
    user.role = new_role
    if user.is_active and not new_active:
        end_credentials(user)
    user.is_active = new_active
    if name is not None:
        user.name = name
    session.flush()
    _audit_user(session, user, "updated", before, actor, actor_label)
    return user


def set_user_active(
    session: Session,
    user_id: int,
    *,
    is_active: bool,
    company_id: int | None = None,
    actor: Principal | None = None,
    actor_label: str = "",
) -> User:
    """Deactivate (or reactivate) a user; with ``company_id``, only a user of that company.

    Deactivating ends their portal sessions for good and stops their API tokens at once
    in every worker process (tokens work again if the user is reactivated).
    """
    user = session.get(User, user_id)
    if user is None or (company_id is not None and user.company_id != company_id):
        raise NotFound("user", "unknown_user")
    before = _user_fields(user)
    if user.is_active and not is_active:
        end_credentials(user)
    user.is_active = is_active
    session.flush()
    _audit_user(session, user, "updated", before, actor, actor_label)
    return user


# ---- what a portal session shows of its user -----------------------------------------------------


@dataclass(frozen=True)
class SessionUser:
    """A user as the portal needs them at every request: who, and whether still allowed."""

    principal: Principal
    name: str
    active: bool  # the user and their company (if any) are active
    credentials_version: int
    company_name: str | None
    locale: str | None
    currency: str | None


def session_user(session: Session, user_id: int) -> SessionUser | None:
    """The user (and company) behind a portal session, in one indexed read; None if gone."""
    row = session.execute(
        select(
            User.id,
            User.email,
            User.role,
            User.company_id,
            User.name,
            User.is_active,
            User.credentials_version,
            Company.name.label("company_name"),
            Company.is_active.label("company_active"),
            Company.locale,
            Company.currency,
        )
        .outerjoin(Company, Company.id == User.company_id)
        .where(User.id == user_id)
    ).first()
    if row is None:
        return None
    return SessionUser(
        principal=Principal(row.id, row.email, row.role, row.company_id),
        name=row.name,
        active=bool(row.is_active) and (row.company_id is None or bool(row.company_active)),
        credentials_version=int(row.credentials_version or 0),
        company_name=row.company_name,
        locale=row.locale,
        currency=row.currency,
    )
