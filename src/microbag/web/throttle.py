"""Sign-in throttling: too many recent failures per e-mail or per client address.

Failures are rows in ``login_failures`` (so every server process sees them).
Limits: 5 failures for one e-mail, or 20 from one client address, within 15
minutes; then sign-in is refused with 429 until the oldest failure in the window
ages out, even with the right password. A success clears the e-mail's failures.
The client address is the one the ASGI server reports (run uvicorn with
``--proxy-headers`` and ``--forwarded-allow-ips`` behind a reverse proxy).
"""

from __future__ import annotations

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


def record_failure(session: Session, email: str, ip: str, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    session.add(LoginFailure(email=normalize_email(email)[:254], ip=ip[:64], at=now))
    # Keep the table small: rows older than the window no longer count.
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))


def clear_failures(session: Session, email: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.email == normalize_email(email)))
