"""One small demo load shared by the tests of a module (it takes a few seconds).

``demo_db`` is module-scoped, so it builds its own database like the ``db`` fixture:
a SQLite file, or PostgreSQL when ``MICROBAG_TEST_DATABASE_URL`` is set (schema
dropped and recreated, so the ``db`` fixture of later tests still starts clean).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

import microbag.models as models
from microbag.db import Database
from microbag.demo.generator import DemoSummary, load_demo

from ..conftest import PG_URL

# A fixed "now": the same data on every run (the CLI uses the real time).
NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
SEED = 11


@dataclass
class Demo:
    db: Database
    summary: DemoSummary
    now: datetime


def fresh_database(path: str) -> Database:
    if PG_URL:
        database = Database(PG_URL)
        models.Base.metadata.drop_all(database.engine)
    else:
        database = Database(f"sqlite:///{path}")
    models.Base.metadata.create_all(database.engine)
    return database


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    database = fresh_database(str(tmp_path_factory.mktemp("demo") / "demo.db"))
    with database.session(write=True) as s:
        summary = load_demo(s, size="small", seed=SEED, now=NOW)
    try:
        yield Demo(database, summary, NOW)
    finally:
        database.dispose()
