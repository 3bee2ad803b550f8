"""Sign-in throttling: too many recent failures per e-mail or per client address.

Failures are rows in ``login_failures`` (so every server process sees them).
Limits: 5 failures for one e-mail, or 20 from one client address, within 15
minutes; then sign-in is refused with 429 until the oldest failure in the window
ages out, even with the right password. A success clears the e-mail's failures.

Each attempt is counted *before* its password is checked (``count_attempt``: one
write transaction that checks the limits and records the attempt as a failure), so
attempts sent in parallel cannot all pass the check before any failure is written:
SQLite's write transactions are serialized (``BEGIN IMMEDIATE``); on PostgreSQL the
transaction first takes a transaction-level advisory lock per e-mail and per client
address. A success then deletes the e-mail's failures, its own counted one included.
The client address is the one the ASGI server reports (run uvicorn with
``--proxy-headers`` and ``--forwarded-allow-ips`` behind a reverse proxy).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from microbag.accounts.policies import normalize_email
from microbag.timeutil import as_utc, utcnow
from microbag.web.models import LoginFailure

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20


@dataclass(frozen=True)
class Throttle:
    retry_after_s: int
    reason: str  # "email" | "ip"


def check(session: Session, email: str, ip: str, *, now: datetime | None = None) -> Throttle | None:
    """None when a sign-in attempt may proceed; else how long to wait."""
    now = now or utcnow()
    since = now - WINDOW
    for column, key, limit, reason in (
        (LoginFailure.email, normalize_email(email), MAX_FAILURES_PER_EMAIL, "email"),
        (LoginFailure.ip, ip, MAX_FAILURES_PER_IP, "ip"),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                column == key, LoginFailure.at > since
            )
        ).one()
        if count >= limit:
            oldest_at = as_utc(oldest) if oldest is not None else now
            wait = max(int((oldest_at + WINDOW - now).total_seconds()) + 1, 1)
            return Throttle(wait, reason)
    return None


def _lock_keys(session: Session, *keys: str) -> None:
    """Serialize attempts per key until the transaction ends (PostgreSQL; SQLite's
    write transaction holds the whole database already). Keys are taken in one fixed
    order, so two attempts never wait on each other crosswise."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        session.execute(select(func.pg_advisory_xact_lock(lock_id)))


def count_attempt(
    session: Session, email: str, ip: str, *, now: datetime | None = None
) -> Throttle | None:
    """Check the limits and, when the attempt may proceed, count it as a failure now.

    Call in a write transaction that commits before the (slow) password check; a
    successful sign-in then clears the e-mail's failures (``clear_failures``).
    """
    now = now or utcnow()
    _lock_keys(session, "login-email:" + normalize_email(email), "login-ip:" + ip)
    blocked = check(session, email, ip, now=now)
    if blocked is None:
        record_failure(session, email, ip, now=now)
    return blocked


def record_failure(session: Session, email: str, ip: str, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    session.add(LoginFailure(email=normalize_email(email)[:254], ip=ip[:64], at=now))
    # Keep the table small: rows older than the window no longer count.
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))


def clear_failures(session: Session, email: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.email == normalize_email(email)))
