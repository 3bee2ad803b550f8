"""MICROBAG_REQUIRE_HTTPS: cookies always ``__Host-`` and Secure, HSTS on every answer."""

from __future__ import annotations

import pytest

from microbag.config import get_settings

from .conftest import sign_in


@pytest.fixture
def https_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "require_https", True)


def test_https_required_makes_every_cookie_host_prefixed_and_secure(
    world, new_client, https_required
):
    # Over plain http (a proxy that does not say it terminated TLS) the cookies are
    # still the secure ones, so a browser never keeps them on an http page.
    plain = new_client()
    r = plain.get("/login")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-microbag_csrf=") and "secure" in cookie.lower()
    assert "max-age=" in r.headers["strict-transport-security"].lower()
    behind_proxy = new_client(base_url="https://testserver")
    r = sign_in(behind_proxy, "buyer@a.test")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-microbag_session=") and "secure" in cookie.lower()
    assert "strict-transport-security" in r.headers
    api = behind_proxy.get("/api/v1/me", headers=world.auth("buyer@a.test"))
    assert "strict-transport-security" in api.headers


def test_by_default_plain_http_works_and_sends_no_hsts(world, new_client):
    c = new_client()
    r = sign_in(c, "buyer@a.test")
    assert r.status_code == 303
    assert r.headers["set-cookie"].startswith("microbag_session=")
    assert "strict-transport-security" not in r.headers


def test_the_secret_key_setting_is_gone():
    assert not hasattr(get_settings(), "secret_key")
