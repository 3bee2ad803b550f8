"""The foundation: health, error shape, auth, SQLite settings, migrations match the models."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from microbag.money import Money, format_money, to_minor


def test_healthz(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_unknown_route_has_error_shape(client):
    r = client.get("/api/v1/definitely-not-here")
    assert r.status_code == 404
    assert r.json() == {"errors": [{"code": "not_found", "message": "Not Found", "line": None}]}


def test_sqlite_runs_wal_and_full_sync(db):
    if not db.is_sqlite:
        return
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_money_minor_units_and_formatting():
    assert to_minor("12.34", "EUR") == 1234
    assert to_minor("1200", "JPY") == 1200
    assert Money(1000, "USD") + Money(250, "USD") == Money(1250, "USD")
    assert format_money(123456, "USD", "en_US") == "$1,234.56"
    assert format_money(1200, "JPY", "en_US") == "¥1,200"


def test_postgres_replaces_a_cut_idle_connection_before_use(db, monkeypatch):
    """A pooled connection killed while idle (a restart, a firewall) is checked and
    replaced at checkout; connections in steady use are not pinged (no round trip)."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no server connection to lose")
    from microbag.config import get_settings
    from microbag.db import Database

    monkeypatch.setattr(get_settings(), "db_ping_after_idle_seconds", 0.2)
    pooled = Database(db.engine.url.render_as_string(hide_password=False), pool_size=1)
    try:
        with pooled.session() as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with db.session() as s:  # another connection cuts the pooled one
            s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        time.sleep(0.3)
        with pooled.session() as s:
            assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
        # In steady use (checked in moments ago) the same connection comes back unpinged.
        pings = []
        monkeypatch.setattr(
            pooled.engine.dialect, "do_ping", lambda conn: pings.append(conn) or True
        )
        with pooled.session() as s:
            s.execute(text("SELECT 1"))
        assert pings == []
    finally:
        pooled.dispose()


def test_an_aql_outside_the_standard_is_refused_at_start_up(monkeypatch):
    from pydantic import ValidationError

    from microbag.config import Settings

    monkeypatch.setenv("MICROBAG_INSPECTION_AQL_MAJOR", "3.0")
    with pytest.raises(ValidationError, match="ISO 2859-1"):
        Settings()
    monkeypatch.setenv("MICROBAG_INSPECTION_AQL_MAJOR", "1.5")
    assert Settings().inspection_aql_major == 1.5
