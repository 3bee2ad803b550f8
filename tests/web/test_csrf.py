"""CSRF: every state-changing portal request needs the session's token."""

from __future__ import annotations

import importlib
import re

from fastapi.routing import APIRoute
from sqlalchemy import func, select

from microbag.web import PAGE_MODULES
from microbag.web.csrf import UNSAFE_METHODS
from microbag.web.middleware import is_portal_path
from microbag.web.models import WebSession

from .conftest import csrf_from


def _sessions(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(WebSession)) or 0)


def test_form_post_without_token_is_refused_with_a_page(signed_in, db):
    c = signed_in("buyer@a.test")
    r = c.post("/logout", data={}, follow_redirects=False)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "did not come from this site" in r.text
    assert _sessions(db) == 1  # still signed in: nothing changed


def test_wrong_or_foreign_token_is_refused(signed_in, db):
    a = signed_in("buyer@a.test")
    b = signed_in("buyer@b.test")
    token_b = csrf_from(b.get("/catalog").text)
    assert a.post("/logout", data={"csrf_token": "x" * 43}).status_code == 403
    assert a.post("/logout", data={"csrf_token": token_b}).status_code == 403
    assert _sessions(db) == 2


def test_htmx_header_token_is_accepted(signed_in, db):
    c = signed_in("buyer@a.test")
    page = c.get("/catalog").text
    match = re.search(r"hx-headers='([^']+)'", page)
    assert match, "the body must carry hx-headers with the CSRF token"
    import json

    header = json.loads(match.group(1).replace("&#34;", '"'))
    token = header["X-CSRF-Token"]
    assert token == csrf_from(page)
    r = c.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert _sessions(db) == 0


def test_login_form_needs_its_token_too(world, new_client, db):
    c = new_client()
    r = c.post(
        "/login",
        data={"email": "buyer@a.test", "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert _sessions(db) == 0
    # A token without its cookie (another browser's page) is refused as well.
    other = new_client()
    token = csrf_from(other.get("/login").text)
    r = c.post(
        "/login",
        data={"email": "buyer@a.test", "password": "correct horse battery", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 403


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def portal_routes() -> list[APIRoute]:
    routes = []
    for name in PAGE_MODULES:
        router = importlib.import_module(name).router
        routes += [r for r in router.routes if isinstance(r, APIRoute) and is_portal_path(r.path)]
    return routes


def test_every_state_changing_portal_route_refuses_a_missing_token(app, signed_in):
    """Enumerates the page routers: a new portal route without CSRF protection fails here."""
    buyer = signed_in("owner@a.test")
    staff = signed_in("admin@seller.test")
    checked = 0
    for route in portal_routes():
        for method in sorted(route.methods & UNSAFE_METHODS):
            for client in (buyer, staff):
                r = client.request(
                    method, _fill(route.path), data={"x": "1"}, follow_redirects=False
                )
                assert r.status_code == 403, f"{method} {route.path} answered {r.status_code}"
            checked += 1
    assert checked >= 2  # at least /login and /logout


def test_api_routes_need_no_csrf_token(world, client):
    # Bearer-token API calls are not cookie-authenticated, so no CSRF token applies.
    r = client.post("/api/v1/me/tokens", json={"name": "ci"}, headers=world.auth("buyer@a.test"))
    assert r.status_code == 201
