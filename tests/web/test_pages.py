"""Layout, error pages, Vary: HX-Request, security headers, locale formatting."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from jinja2 import Environment

from microbag.web.render import HTMX_VERSION, STATIC_DIR, templates

from .conftest import sign_in


def test_unknown_page_gets_the_portal_404_page(world, client):
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Page not found" in r.text and 'class="site-header"' in r.text


def test_api_error_shape_is_unchanged(world, client):
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.json() == {"errors": [{"code": "not_found", "message": "Not Found", "line": None}]}
    assert "hx-request" not in r.headers.get("vary", "").lower()


def test_server_error_gets_the_portal_500_page(app, world):
    @app.get("/boom-test")
    def boom() -> None:
        raise RuntimeError("kaputt")

    @app.get("/api/v1/boom-test")
    def api_boom() -> None:
        raise RuntimeError("kaputt")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom-test")
        assert r.status_code == 500
        assert "Something went wrong" in r.text and 'class="site-header"' in r.text
        assert "kaputt" not in r.text
        api = c.get("/api/v1/boom-test")
        assert api.status_code == 500 and "<html" not in api.text


def test_staff_opening_a_buyer_page_gets_a_403_page(signed_in):
    c = signed_in("sales@seller.test")
    r = c.get("/catalog")
    assert r.status_code == 403 and "for buyer companies" in r.text


def test_portal_pages_vary_on_hx_request_and_send_security_headers(signed_in, client):
    c = signed_in("buyer@a.test")
    for r in (c.get("/catalog"), c.get("/nope"), client.get("/login")):
        assert "HX-Request" in r.headers["vary"]
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
    assert c.get("/catalog").headers["cache-control"] == "no-store"


def test_htmx_request_gets_a_fragment_and_a_browser_the_page(signed_in):
    c = signed_in("buyer@a.test")
    full = c.get("/catalog")
    part = c.get("/catalog", headers={"HX-Request": "true"})
    assert "<html" in full.text and "<html" not in part.text
    assert "Catalog" in part.text


def test_layout_is_accessible(world, new_client):
    c = new_client()
    sign_in(c, "buyer@a.test")
    html = c.get("/catalog").text
    assert 'href="#main"' in html and 'id="main"' in html
    assert '<nav aria-label="Main">' in html
    assert 'aria-current="page"' in html
    assert 'lang="fr"' in html  # company A's locale is fr_FR
    login = new_client().get("/login").text
    assert '<label for="email"' in login and '<label for="password"' in login
    assert 'name="email"' in login and 'name="password"' in login


def test_htmx_is_served_locally_and_pinned(client):
    html = client.get("/login").text
    assert 'src="/static/htmx.min.js"' in html
    assert "unpkg" not in html and "cdn" not in html.lower()
    r = client.get("/static/htmx.min.js")
    assert r.status_code == 200
    body = (STATIC_DIR / "htmx.min.js").read_bytes()
    assert f'version:"{HTMX_VERSION}"'.encode() in body
    assert hashlib.sha256(r.content).hexdigest() == hashlib.sha256(body).hexdigest()


def _render(source: str, **ctx: object) -> str:
    env: Environment = templates().env
    return env.from_string(source).render(**ctx)


def test_money_and_dates_follow_the_locale():
    from datetime import date

    assert _render("{{ 123456|money }}", locale="fr_FR", currency="EUR") == "1\u202f234,56\xa0€"
    assert _render("{{ 123456|money }}", locale="en_US", currency="USD") == "$1,234.56"
    assert _render("{{ 1200|money('JPY') }}", locale="ja_JP") == "￥1,200"
    assert _render("{{ m|money }}", m={"amount_minor": 500, "currency": "EUR"}, locale="de_DE") == (
        "5,00\xa0€"
    )
    assert _render("{{ d|date }}", d=date(2030, 1, 15), locale="fr_FR") == "15 janv. 2030"
    assert _render("{{ d|date }}", d=date(2030, 1, 15), locale="en_US") == "Jan 15, 2030"
    # An unknown locale falls back instead of breaking the page.
    assert _render("{{ 100|money }}", locale="xx_YY", currency="USD") == "$1.00"
    assert _render("{{ 'micro_clutch'|label }}") == "Micro clutch"
    assert _render("{{ 254|mm('in') }} / {{ 254|mm }}") == "10.0 in / 25.4 cm"
