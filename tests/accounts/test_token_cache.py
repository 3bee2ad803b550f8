"""The API token cache: fast on the hot path, never trusting a token after it ends here."""

from __future__ import annotations

import pytest

from microbag.accounts import service
from microbag.accounts.service import Principal, TokenCache
from microbag.config import get_settings

ADMIN = "admin@seller.test"
BUYER_A = "buyer@a.test"


@pytest.fixture
def cache_on(monkeypatch: pytest.MonkeyPatch):
    """A cache long enough that only the database re-check can end an entry during a test
    (each app instance has its own cache, so no test sees another's entries)."""
    monkeypatch.setattr(get_settings(), "token_cache_seconds", 600.0)


def test_entries_expire_and_clear(monkeypatch: pytest.MonkeyPatch):
    now = [1000.0]
    monkeypatch.setattr(service.time, "monotonic", lambda: now[0])
    cache = TokenCache()
    who = Principal(1, "a@b.test", "buyer", 7)
    cache.put("mb_secret", who)
    assert cache.get("mb_secret", 2.0) == who
    assert cache.get("mb_other", 2.0) is None
    assert cache.get("mb_secret", 0) is None  # 0 turns the cache off
    now[0] += 2.5
    assert cache.get("mb_secret", 2.0) is None  # older than the allowed age
    cache.put("mb_secret", who)
    cache.clear()
    assert cache.get("mb_secret", 2.0) is None


def test_cache_holds_hashes_not_tokens():
    cache = TokenCache()
    cache.put("mb_secret", Principal(1, "a@b.test", "buyer", 7))
    assert "mb_secret" not in repr(cache._entries)


def test_the_cache_stays_bounded():
    cache = TokenCache(size=3)
    for n in range(10):
        cache.put(f"mb_{n}", Principal(n, f"{n}@b.test", "buyer", 7))
    assert len(cache._entries) <= 3
    assert cache.get("mb_9", 60) is not None


def test_a_deactivated_company_tokens_fail(db, world):
    with db.session(write=True) as s:
        token = world.tokens[BUYER_A]
        assert service.principal_for_token(s, token) is not None
        from microbag.buyers.service import update_company

        update_company(s, world.company_a, {"is_active": False})
        s.flush()
        assert service.principal_for_token(s, token) is None
        # Staff tokens have no company and keep working.
        assert service.principal_for_token(s, world.tokens[ADMIN]) is not None


def test_revoking_over_http_ends_a_cached_token_at_once(client, world, cache_on):
    headers = world.auth(BUYER_A)
    r = client.post("/api/v1/me/tokens", json={"name": "script"}, headers=headers)
    assert r.status_code == 201, r.text
    new = {"Authorization": f"Bearer {r.json()['token']}"}
    token_id = r.json()["id"]
    assert client.get("/api/v1/me", headers=new).status_code == 200  # now cached
    r = client.post(f"/api/v1/me/tokens/{token_id}/revoke", headers=headers)
    assert r.status_code == 200
    assert client.get("/api/v1/me", headers=new).status_code == 401


def test_deactivating_a_company_ends_its_cached_tokens_at_once(client, world, cache_on):
    buyer = world.auth(BUYER_A)
    assert client.get("/api/v1/me", headers=buyer).status_code == 200  # now cached
    r = client.patch(
        f"/api/v1/companies/{world.company_a}",
        json={"is_active": False},
        headers=world.auth(ADMIN),
    )
    assert r.status_code == 200, r.text
    r = client.get("/api/v1/me", headers=buyer)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
