"""POST /orders after a transient database failure: re-run on the server, still idempotent,
and 503 with ``Retry-After`` in the error shape when the failure persists."""

from __future__ import annotations

import psycopg
import psycopg.errors
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from microbag.orders import placement
from microbag.orders.models import IdempotencyRecord, Order

from ..conftest import PG_URL

PAYLOAD = {"lines": [{"sku": "MC-001-GLD", "quantity": 12}]}


def _deadlock() -> OperationalError:
    return OperationalError(
        "SELECT companies.credit_limit_minor FROM companies FOR NO KEY UPDATE",
        {},
        psycopg.errors.DeadlockDetected("deadlock detected"),
    )


@pytest.fixture
def deadlocks(monkeypatch, app):
    """Make the first ``n`` placements' checks fail with a deadlock (after the key's claim)."""
    app.state.db.retry_backoff_s = 0.001
    real_check = placement.check
    calls = {"n": 0, "fail": 0}

    def check(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= calls["fail"]:
            raise _deadlock()
        return real_check(*args, **kwargs)

    monkeypatch.setattr(placement, "check", check)
    return calls


def _counts(db) -> tuple[int, int]:
    with db.session() as s:
        orders = s.scalar(select(func.count()).select_from(Order))
        keys = s.scalar(select(func.count()).select_from(IdempotencyRecord))
    return int(orders or 0), int(keys or 0)


def test_a_deadlock_is_rerun_and_the_key_still_makes_one_order(
    db, world, client, deadlocks, stock_of
):
    deadlocks["fail"] = 2
    headers = {**world.auth("buyer@a.test"), "Idempotency-Key": "after-a-deadlock"}
    first = client.post("/api/v1/orders", json=PAYLOAD, headers=headers)
    assert first.status_code == 201, first.text
    assert deadlocks["n"] == 3  # two deadlocked tries, then the one that placed it
    assert "Idempotent-Replayed" not in first.headers
    again = client.post("/api/v1/orders", json=PAYLOAD, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert _counts(db) == (1, 1)
    assert stock_of(world.skus["MC-001-GLD"]) == (100, 12)


def test_a_persistent_deadlock_answers_503_and_leaves_nothing(
    db, world, client, deadlocks, stock_of
):
    deadlocks["fail"] = 99
    headers = {**world.auth("buyer@a.test"), "Idempotency-Key": "keeps-failing"}
    r = client.post("/api/v1/orders", json=PAYLOAD, headers=headers)
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "1"
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {
        "errors": [
            {
                "code": "try_again",
                "message": "The database is busy with concurrent requests; please try again.",
                "line": None,
            }
        ]
    }
    assert deadlocks["n"] == app_attempts(client)
    assert _counts(db) == (0, 0)  # no order, and the key was not kept
    assert stock_of(world.skus["MC-001-GLD"]) == (100, 0)
    # The client's retry with the same key places the order, once.
    deadlocks["fail"] = 0
    r = client.post("/api/v1/orders", json=PAYLOAD, headers=headers)
    assert r.status_code == 201, r.text
    assert "Idempotent-Replayed" not in r.headers
    assert _counts(db) == (1, 1)


def app_attempts(client) -> int:
    return int(client.app.state.db.retry_attempts)


@pytest.mark.skipif(not PG_URL, reason="a cut connection needs a PostgreSQL server")
def test_connections_cut_between_requests_are_renewed(db, world, client):
    """A database restart cuts every pooled connection: the next order still places."""
    headers = world.auth("buyer@a.test")
    assert client.post("/api/v1/orders", json=PAYLOAD, headers=headers).status_code == 201
    app_db = client.app.state.db
    assert app_db.engine.pool.checkedin() >= 1
    with psycopg.connect(PG_URL, autocommit=True) as conn:  # outside the app's pool
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None and row[0] >= 1
    # Token lookups are cached; the order's unit of work meets the dead connection.
    r = client.post(
        "/api/v1/orders", json={"lines": [{"sku": "MT-001-RED", "quantity": 12}]}, headers=headers
    )
    assert r.status_code == 201, r.text
    assert _counts(db)[0] == 2
