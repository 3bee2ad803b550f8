"""CSRF protection for the portal (synchronizer token).

A signed-in user's token is the secret stored with their server-side session.
Before sign-in (the login form) a random token lives in a cookie and must be
echoed in the form: a forged cross-site post cannot read or set that cookie.
Every POST, PUT, PATCH and DELETE to a portal route must carry the token in the
form field ``csrf_token`` or, for htmx requests, in the ``X-CSRF-Token`` header
(set once for the page by ``hx-headers`` on ``<body>``). Anything else: 403.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator

from starlette.requests import HTTPConnection, Request

from microbag.web.sessions import secure_cookies

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
ANON_SECURE_COOKIE = "__Host-microbag_csrf"
ANON_PLAIN_COOKIE = "microbag_csrf"


class CsrfRefused(Exception):
    """A state-changing portal request without a valid CSRF token."""


def anon_cookie_name(conn: HTTPConnection) -> str:
    return ANON_SECURE_COOKIE if secure_cookies(conn) else ANON_PLAIN_COOKIE


def csrf_token(conn: HTTPConnection) -> str:
    """The token to embed in this page's forms (and the htmx header)."""
    user = getattr(conn.state, "portal_user", None)
    if user is not None:
        return str(user.csrf_token)
    existing = getattr(conn.state, "anon_csrf", None)
    if existing:
        return str(existing)
    token = conn.cookies.get(anon_cookie_name(conn)) or ""
    if len(token) < 32:
        token = secrets.token_urlsafe(32)
        # The portal middleware sets the cookie on the response.
        conn.state.anon_csrf_new = token
    conn.state.anon_csrf = token
    return token


def expected_token(conn: HTTPConnection) -> str | None:
    user = getattr(conn.state, "portal_user", None)
    if user is not None:
        return str(user.csrf_token)
    cookie = conn.cookies.get(anon_cookie_name(conn))
    return cookie if cookie and len(cookie) >= 32 else None


async def verify_csrf(request: Request) -> AsyncIterator[None]:
    """Dependency on every portal router: refuse unsafe requests without the token.

    A form it parses is cached on the request for the route; uploaded files in it are
    spooled to temporary files, closed here once the route is done.
    """
    if request.method not in UNSAFE_METHODS:
        yield
        return
    expected = expected_token(request)
    given = request.headers.get(HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(FORM_FIELD)
            given = value if isinstance(value, str) else None
    if not expected or not given or not hmac.compare_digest(given, expected):
        await request.close()  # closes the parsed form's spooled files
        raise CsrfRefused()
    try:
        yield
    finally:
        await request.close()
