"""Server-side sessions for the portal.

The browser holds only a random 256-bit id in an HttpOnly cookie; the database
keeps its SHA-256, the user, the CSRF secret and small per-session data (the
cart). Every request re-reads the user (``accounts.service.session_user``), so a
deactivated or deleted user (or one whose company was deactivated) is signed out at
once, and so is every session started before the user's password was last set (the
session records the user's ``credentials_version`` at sign-in).

Cookie name: ``__Host-microbag_session`` (Secure, Path=/, no Domain) when the
request came over HTTPS, or always with ``MICROBAG_REQUIRE_HTTPS``. Browsers refuse
a ``__Host-`` cookie without ``Secure``, and Secure cookies are not stored or sent
over plain http by every browser (Firefox and Safari on http://127.0.0.1, and HTTP
clients such as httpx), so over plain http, which is only for local use (and only
without ``MICROBAG_REQUIRE_HTTPS``), the cookie is named ``microbag_session``
instead. A session cookie is only ever read under the name that matches.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection
from starlette.responses import Response

from microbag.accounts.principal import Principal
from microbag.accounts.service import session_user
from microbag.config import get_settings
from microbag.timeutil import utcnow
from microbag.web.models import WebSession

SECURE_COOKIE = "__Host-microbag_session"
PLAIN_COOKIE = "microbag_session"
# A session ends after this long without a request, and in any case after MAX_AGE.
IDLE_TIMEOUT = timedelta(hours=12)
MAX_AGE = timedelta(days=7)
# last_seen is written at most this often, so most page views stay read-only.
TOUCH_EVERY = timedelta(minutes=5)


def is_https(conn: HTTPConnection) -> bool:
    return conn.url.scheme in ("https", "wss")


def secure_cookies(conn: HTTPConnection) -> bool:
    """Cookies are ``__Host-`` prefixed and Secure: over HTTPS, and always when
    ``MICROBAG_REQUIRE_HTTPS`` is set (a proxy that does not report the scheme then
    cannot make the portal hand out plain cookies)."""
    return get_settings().require_https or is_https(conn)


def cookie_name(conn: HTTPConnection) -> str:
    return SECURE_COOKIE if secure_cookies(conn) else PLAIN_COOKIE


def prefixed(conn: HTTPConnection, name: str) -> str:
    """Another portal cookie's name: ``__Host-`` prefixed when cookies are secure."""
    return f"__Host-{name}" if secure_cookies(conn) else name


def hash_session_id(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class PortalUser:
    """The signed-in user as pages need them: who, and how to format for them."""

    principal: Principal
    session_id: int
    csrf_token: str
    name: str
    company_name: str | None
    locale: str
    currency: str | None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def is_staff(self) -> bool:
        return self.principal.is_staff

    @property
    def display_name(self) -> str:
        return self.name or self.principal.email


def start_session(session: Session, user_id: int, *, now: datetime | None = None) -> str:
    """A new session for the user; returns the raw id for the cookie (never stored)."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    user = session_user(session, user_id)
    session.add(
        WebSession(
            session_hash=hash_session_id(raw),
            user_id=user_id,
            credentials_version=user.credentials_version if user else 0,
            csrf_secret=secrets.token_urlsafe(32),
            data={},
            created_at=now,
            last_seen_at=now,
            expires_at=now + IDLE_TIMEOUT,
        )
    )
    session.flush()
    return raw


def end_session(session: Session, raw: str | None) -> None:
    if raw:
        session.execute(delete(WebSession).where(WebSession.session_hash == hash_session_id(raw)))


@dataclass(frozen=True)
class SessionLookup:
    """What a cookie is worth: the user, and the housekeeping write it calls for, if any."""

    user: PortalUser | None
    session_id: int | None = None
    # "touch": slide the idle expiry forward; "end": delete the (dead) session row.
    action: str | None = None


def load_session(
    session: Session, raw: str, *, default_locale: str, now: datetime | None = None
) -> SessionLookup:
    """The live session for a cookie value (read-only; apply ``action`` in a write)."""
    now = now or utcnow()
    web = session.scalars(
        select(WebSession).where(WebSession.session_hash == hash_session_id(raw))
    ).first()
    if web is None:
        return SessionLookup(None)
    # Re-read at every request (no cache), so a deactivation or a new password made by
    # any worker process ends the session at once.
    user = session_user(session, web.user_id)
    alive = (
        user is not None
        and web.expires_at > now
        and web.created_at + MAX_AGE > now
        and user.active
        and web.credentials_version == user.credentials_version
    )
    if user is None or not alive:
        return SessionLookup(None, web.id, "end")
    portal_user = PortalUser(
        principal=user.principal,
        session_id=web.id,
        csrf_token=web.csrf_secret,
        name=user.name,
        company_name=user.company_name,
        locale=user.locale or default_locale,
        currency=user.currency,
        data=dict(web.data or {}),
    )
    action = "touch" if now - web.last_seen_at >= TOUCH_EVERY else None
    return SessionLookup(portal_user, web.id, action)


def apply_housekeeping(
    session: Session, lookup: SessionLookup, *, now: datetime | None = None
) -> None:
    """Slide a live session's expiry, or delete a dead one."""
    if lookup.session_id is None or lookup.action is None:
        return
    web = session.get(WebSession, lookup.session_id)
    if web is None:
        return
    if lookup.action == "end":
        session.delete(web)
        return
    now = now or utcnow()
    web.last_seen_at = now
    web.expires_at = min(now + IDLE_TIMEOUT, web.created_at + MAX_AGE)


def change_session_data(
    session: Session, session_id: int, change: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any] | None:
    """Replace a session's data (the cart, preferences) by ``change(data as it is now)``.

    The row is read under a lock (``FOR UPDATE`` on PostgreSQL; SQLite's write
    transaction already excludes other writers), so two requests of one browser that
    change the data at once apply one after the other and neither change is lost.
    Call in a write transaction. None when the session is gone.
    """
    current = session.execute(
        select(WebSession.data).where(WebSession.id == session_id).with_for_update()
    ).first()
    if current is None:
        return None
    data = change(dict(current.data or {}))
    session.execute(update(WebSession).where(WebSession.id == session_id).values(data=data))
    return data


def purge_expired(session: Session, *, now: datetime | None = None) -> int:
    """Delete sessions past their expiry (housekeeping; loading also drops them)."""
    result = session.execute(delete(WebSession).where(WebSession.expires_at <= (now or utcnow())))
    return int(getattr(result, "rowcount", 0) or 0)


def set_session_cookie(response: Response, conn: HTTPConnection, raw: str) -> None:
    # Tells the middleware not to expire the (old) cookie on this response.
    conn.state.session_cookie_set = True
    response.set_cookie(
        cookie_name(conn),
        raw,
        max_age=int(MAX_AGE.total_seconds()),
        path="/",
        secure=secure_cookies(conn),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, conn: HTTPConnection) -> None:
    conn.state.session_cookie_set = True
    response.delete_cookie(
        cookie_name(conn), path="/", secure=secure_cookies(conn), httponly=True, samesite="lax"
    )
