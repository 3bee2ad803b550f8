"""Ending credentials: a deactivation or revocation ends sessions and tokens at once in
every worker process.

"Another worker" is a second app instance with its own token cache on the same
database, or a change written to the database by another process (here: plain SQL,
which clears no cache in this process).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from microbag.accounts.models import ApiToken, User
from microbag.app import create_app
from microbag.config import get_settings
from microbag.timeutil import utcnow
from tests.web.conftest import sign_in

ADMIN = "admin@seller.test"
SALES = "sales@seller.test"
BUYER_A = "buyer@a.test"


@pytest.fixture
def long_cache(monkeypatch: pytest.MonkeyPatch):
    """Tokens cached far longer than any test: only a re-check can end them."""
    monkeypatch.setattr(get_settings(), "token_cache_seconds", 600.0)


@pytest.fixture
def two_workers(db, world, long_cache):
    """Two app instances (as two worker processes) with their own caches on one database."""
    with TestClient(create_app(db)) as a, TestClient(create_app(db)) as b:
        yield a, b


def _user_id(db, email: str) -> int:
    with db.session() as s:
        return int(s.scalar(select(User.id).where(User.email == email)))


def test_a_cached_token_fails_at_once_when_another_process_deactivates_the_user(
    client, db, world, long_cache
):
    sales = world.auth(SALES)
    assert client.get("/api/v1/price-lists", headers=sales).status_code == 200  # cached now
    with db.session(write=True) as s:  # another worker process, or a database console
        s.execute(update(User).where(User.email == SALES).values(is_active=False))
    r = client.get("/api/v1/price-lists", headers=sales)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    # Placing an order (the hot path, which owns its unit of work) is refused as well.
    buyer = world.auth(BUYER_A)
    assert client.get("/api/v1/me", headers=buyer).status_code == 200
    with db.session(write=True) as s:
        s.execute(update(User).where(User.email == BUYER_A).values(is_active=False))
    order = {"lines": [{"sku": "MC-001-GLD", "quantity": 6}]}
    assert client.post("/api/v1/orders", json=order, headers=buyer).status_code == 401


def test_a_cached_token_fails_at_once_when_another_process_revokes_it(
    client, db, world, long_cache
):
    buyer = world.auth(BUYER_A)
    assert client.get("/api/v1/me", headers=buyer).status_code == 200
    with db.session(write=True) as s:
        s.execute(update(ApiToken).values(revoked_at=utcnow()))
    assert client.get("/api/v1/me", headers=buyer).status_code == 401


def test_deactivating_in_one_worker_ends_tokens_and_sessions_in_the_other(db, two_workers):
    a, b = two_workers
    sales_token = {"Authorization": "Bearer " + _token_of(db, SALES)}
    assert b.get("/api/v1/price-lists", headers=sales_token).status_code == 200  # cached in b
    assert sign_in(b, SALES).status_code == 303
    assert b.get("/staff", follow_redirects=False).status_code == 200
    admin = {"Authorization": "Bearer " + _token_of(db, ADMIN)}
    r = a.patch(
        f"/api/v1/staff-users/{_user_id(db, SALES)}", json={"is_active": False}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert b.get("/api/v1/price-lists", headers=sales_token).status_code == 401
    r = b.get("/staff", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # Reactivated: the token works again, the ended session stays ended.
    a.patch(f"/api/v1/staff-users/{_user_id(db, SALES)}", json={"is_active": True}, headers=admin)
    assert b.get("/api/v1/price-lists", headers=sales_token).status_code == 200
    assert b.get("/staff", follow_redirects=False).status_code == 303


def _token_of(db, email: str) -> str:
    """A fresh token for the user (the world's tokens are not reachable from here)."""
    from microbag.accounts import service

    with db.session(write=True) as s:
        return service.create_token(s, service.get_user_by_email(s, email), "test")
