"""Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import microbag.models as models
from microbag.db import Database
from microbag.migrate import is_empty, upgrade

from .conftest import PG_URL, WORKER_SUFFIX

SCRATCH = f"microbag_migration_test{WORKER_SUFFIX}"


@pytest.fixture
def empty_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    import psycopg

    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{SCRATCH}"')
    yield admin.rsplit("/", 1)[0] + f"/{SCRATCH}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


def _managed_by_models(obj, name, type_, reflected, compare_to) -> bool:
    # The text search tables and the PostgreSQL-only trigram index live outside the models.
    if type_ == "table" and name and name.startswith("skus_fts"):
        return False
    if type_ == "index" and name == "ix_skus_search_text_trgm":
        return bool(PG_URL)
    return True


@pytest.mark.db
def test_upgrade_matches_the_models(empty_url):
    db = Database(empty_url)
    try:
        upgrade(db)
        assert is_empty(db)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": _managed_by_models}
            )
            diff = compare_metadata(context, models.Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        # The text search is set up by the migration too.
        with db.engine.connect() as conn:
            if db.is_sqlite:
                assert conn.execute(
                    text("SELECT 1 FROM sqlite_master WHERE name='skus_fts'")
                ).first()
            else:
                assert conn.execute(
                    text("SELECT 1 FROM pg_extension WHERE extname='pg_trgm'")
                ).first()
        upgrade(db)  # a second upgrade is a no-op
    finally:
        db.dispose()


@pytest.mark.db
def test_upgrading_a_database_with_orders_keeps_them_whole(empty_url):
    """0019 rebuilds order_lines on SQLite (batch mode): with foreign keys on, dropping
    the old table would cascade into order_allocations and delete every reservation.
    Orders shipped before shipments existed become one shipment each."""
    from .factories import build_world

    db = Database(empty_url)
    try:
        upgrade(db, "0018_facet_counts")
        with db.session(write=True) as s:
            world = build_world(s)
        with db.engine.begin() as conn:
            for order_id, status in ((1, "placed"), (2, "shipped"), (3, "cancelled")):
                conn.execute(
                    text(
                        "INSERT INTO orders (id, company_id, status, currency, total_minor, "
                        "tracking_ref, created_at) VALUES (:id, :c, :st, 'EUR', 54000, "
                        ":ref, CURRENT_TIMESTAMP)"
                    ),
                    {"id": order_id, "c": world.company_a, "st": status, "ref": f"T{order_id}"},
                )
                conn.execute(
                    text(
                        "INSERT INTO order_lines (id, order_id, line_no, sku_id, sku_code, "
                        "quantity, unit_price_minor, line_total_minor) "
                        "VALUES (:id, :id, 1, :sku, 'MC-001-GLD', 12, 4500, 54000)"
                    ),
                    {"id": order_id, "sku": world.skus["MC-001-GLD"]},
                )
                conn.execute(
                    text(
                        "INSERT INTO order_allocations (line_id, warehouse_id, quantity) "
                        "VALUES (:id, :w, 12)"
                    ),
                    {"id": order_id, "w": world.warehouse},
                )
        upgrade(db)
        with db.engine.connect() as conn:
            allocations = conn.execute(
                text("SELECT line_id, quantity FROM order_allocations ORDER BY line_id")
            ).all()
            shipments = conn.execute(
                text("SELECT order_id, number, status, tracking_number FROM shipments")
            ).all()
            shipped_lines = conn.execute(
                text("SELECT order_line_id, warehouse_id, quantity FROM shipment_lines")
            ).all()
            lines = conn.execute(
                text("SELECT id, fulfilment, waiting_quantity, shipped_quantity FROM order_lines")
            ).all()
        assert [tuple(a) for a in allocations] == [(1, 12)]  # the placed order's reservation
        assert [tuple(s) for s in shipments] == [(2, 1, "shipped", "T2")]
        assert [tuple(s) for s in shipped_lines] == [(2, world.warehouse, 12)]
        assert sorted(tuple(ln) for ln in lines) == [
            (1, "stock", 0, 0),
            (2, "stock", 0, 12),
            (3, "stock", 0, 0),
        ]
    finally:
        db.dispose()
