"""All 13 real UCI files: counts from the source, well under a minute (slow, runs in CI)."""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import microbag.models as models
from microbag.db import Database
from microbag.history.importer import import_sales
from microbag.history.models import SalesLine

# From the data set's SOURCE.txt (and the UCI page).
UCI_ROWS = 541_909
UCI_CANCELLATION_LINES = 9_288
UCI_STOCK_CODES = 4_070
UCI_ROWS_WITHOUT_CUSTOMER = 135_080
LIMIT_S = 60.0


def _data_rows(files: list[Path]) -> int:
    total = 0
    for path in files:
        with gzip.open(path, "rb") as f:
            total += sum(1 for _ in f) - 1  # each monthly file has its own header row
    return total


def _import_all(db: Database, files: list[Path]) -> float:
    started = time.perf_counter()
    with db.session(write=True) as s:
        report = import_sales(s, files, "online-retail")
    elapsed = time.perf_counter() - started
    assert report.rows_read == report.rows_imported == UCI_ROWS
    assert report.cancellations == UCI_CANCELLATION_LINES
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SalesLine)) == UCI_ROWS
        assert s.scalar(select(func.count(func.distinct(SalesLine.sku_code)))) == UCI_STOCK_CODES
        no_customer = select(func.count()).where(SalesLine.customer_ref.is_(None))
        assert s.scalar(no_customer) == UCI_ROWS_WITHOUT_CUSTOMER
        assert s.scalar(select(func.count()).where(SalesLine.is_cancellation)) == (
            UCI_CANCELLATION_LINES
        )
    return elapsed


def _files(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / "online-retail-uci").glob("online_retail_*.csv.gz"))
    assert len(files) == 13
    assert _data_rows(files) == UCI_ROWS
    return files


@pytest.mark.slow
def test_full_uci_import_on_sqlite_under_a_minute(shared_data: Path, tmp_path: Path) -> None:
    files = _files(shared_data)
    db = Database(f"sqlite:///{tmp_path / 'full.db'}")
    models.Base.metadata.create_all(db.engine)
    try:
        elapsed = _import_all(db, files)
    finally:
        db.dispose()
    print(f"full UCI import on SQLite: {elapsed:.1f} s")
    assert elapsed < LIMIT_S


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("MICROBAG_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the PostgreSQL variant runs in the PostgreSQL pass",
)
def test_full_uci_import_on_postgresql_under_a_minute(shared_data: Path, db: Database) -> None:
    elapsed = _import_all(db, _files(shared_data))
    print(f"full UCI import on PostgreSQL: {elapsed:.1f} s")
    assert elapsed < LIMIT_S
