"""The portal's ASGI middleware: who is signed in, and the headers every page gets.

Only portal paths are touched: the JSON API (/api/...), /openapi.json, /docs and
/healthz keep bearer-token authentication only, so a browser's session cookie
never authenticates an API call (and the API needs no CSRF token).
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microbag.config import get_settings
from microbag.db import Database
from microbag.web.csrf import anon_cookie_name
from microbag.web.sessions import (
    MAX_AGE,
    SessionLookup,
    apply_housekeeping,
    cookie_name,
    load_session,
    secure_cookies,
)

NON_PORTAL_PREFIXES = ("/api/", "/openapi.json", "/docs", "/redoc", "/healthz")

# No inline script or style anywhere; htmx is served from /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def is_portal_path(path: str) -> bool:
    return not (path == "/api" or path.startswith(NON_PORTAL_PREFIXES))


class PortalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        # Static files need no session (and must not cost a database read each).
        if scope["type"] != "http" or not is_portal_path(path) or path.startswith("/static/"):
            await self.app(scope, receive, _with_hsts(send) if scope["type"] == "http" else send)
            return
        conn = HTTPConnection(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        raw = conn.cookies.get(cookie_name(conn))
        drop_cookie = False
        if raw:
            db: Database = scope["app"].state.db
            lookup = await anyio.to_thread.run_sync(_lookup, db, raw)
            if lookup.user is not None:
                state["portal_user"] = lookup.user
                state["principal"] = lookup.user.principal
            else:
                drop_cookie = True

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                _page_headers(headers, signed_in="portal_user" in state)
                if drop_cookie and not state.get("session_cookie_set"):
                    headers.append("set-cookie", _expired_cookie(cookie_name(conn), conn))
                new_anon = state.get("anon_csrf_new")
                if new_anon:
                    headers.append("set-cookie", _anon_cookie(conn, new_anon))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _lookup(db: Database, raw: str) -> SessionLookup:
    with db.session() as session:
        lookup = load_session(session, raw, default_locale=get_settings().default_locale)
    if lookup.action is not None:
        with db.session(write=True) as session:
            apply_housekeeping(session, lookup)
    return lookup


def _hsts(headers: MutableHeaders) -> None:
    settings = get_settings()
    if settings.require_https:
        # Browsers that saw this once use https only for the site, for max-age seconds.
        headers.setdefault("strict-transport-security", f"max-age={settings.hsts_max_age_seconds}")


def _with_hsts(send: Send) -> Send:
    async def send_with_hsts(message: Message) -> None:
        if message["type"] == "http.response.start":
            _hsts(MutableHeaders(scope=message))
        await send(message)

    return send_with_hsts


def _page_headers(headers: MutableHeaders, *, signed_in: bool) -> None:
    _hsts(headers)
    # One URL may answer with a whole page or, to htmx, a fragment of it.
    vary = headers.get("vary")
    if not vary or "hx-request" not in vary.lower():
        headers["vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
    headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("referrer-policy", "same-origin")
    headers.setdefault("x-frame-options", "DENY")
    if signed_in:
        # Pages show a company's prices and orders: never keep them in shared caches.
        headers.setdefault("cache-control", "no-store")


def _cookie(name: str, value: str, conn: HTTPConnection, max_age: int) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["max-age"] = max_age
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if secure_cookies(conn):
        morsel["secure"] = True
    return morsel.OutputString()


def _expired_cookie(name: str, conn: HTTPConnection) -> str:
    return _cookie(name, "", conn, 0)


def _anon_cookie(conn: HTTPConnection, token: str) -> str:
    return _cookie(anon_cookie_name(conn), token, conn, int(MAX_AGE.total_seconds()))
