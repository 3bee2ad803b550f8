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
