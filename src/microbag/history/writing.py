"""Bulk-writing sales lines inside the caller's transaction, fast on each database.

- PostgreSQL: ``COPY sales_lines (...) FROM STDIN`` (CSV) through psycopg, in chunks.
- SQLite: the driver's ``executemany`` with ready-made values (times in the text form
  SQLAlchemy itself stores), skipping per-value Python conversions.
- Anything else: SQLAlchemy Core ``executemany``.

All three run on the session's own connection, so the unit of work commits or rolls
back the lines together with the batch and the new SKUs.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import polars as pl
from sqlalchemy import insert
from sqlalchemy.orm import Session

from microbag.history.models import SalesLine

CHUNK_ROWS = 50_000
SQLITE_CACHE_KIB = 256 * 1024
COLUMNS = (
    "batch_id",
    "source",
    "external_invoice",
    "sku_code",
    "sku_id",
    "description",
    "quantity",
    "unit_price_minor",
    "currency",
    "invoiced_at",
    "customer_ref",
    "country",
    "region",
    "is_return",
    "is_cancellation",
    "is_non_product",
    "source_line",
)
# The text form of SQLAlchemy's SQLite DATETIME, so rows read back like ORM-written ones.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%6f"


def _chunks(frame: pl.DataFrame) -> list[pl.DataFrame]:
    return [frame.slice(i, CHUNK_ROWS) for i in range(0, frame.height, CHUNK_ROWS)] or [frame]


def write_lines(
    session: Session, frame: pl.DataFrame, progress: Callable[[int, int], None] | None = None
) -> str:
    """Insert ``frame`` (columns COLUMNS) into sales_lines; returns the method used."""
    report = progress or (lambda _done, _total: None)
    frame = frame.select(COLUMNS)
    total = frame.height
    connection = session.connection()
    dialect = connection.dialect.name
    done = 0
    report(0, total)
    if total == 0:
        return "none"
    driver: Any = connection.connection.driver_connection
    table = SalesLine.__tablename__
    if dialect == "postgresql":
        text = frame.with_columns(pl.col("invoiced_at").dt.strftime("%Y-%m-%d %H:%M:%S.%6f+00:00"))
        statement = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv)"
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for chunk in _chunks(text):
                buffer = io.BytesIO()
                chunk.write_csv(buffer, include_header=False)
                copy.write(buffer.getvalue())
                done += chunk.height
                report(done, total)
        return "copy"
    if dialect == "sqlite":
        text = frame.with_columns(pl.col("invoiced_at").dt.strftime(_SQLITE_DATETIME))
        placeholders = ", ".join("?" for _ in COLUMNS)
        statement = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608 - identifiers are code constants, values are bound
        cursor = driver.cursor()
        # A big page cache for this write: the (sku_id, invoiced_at) index is filled in
        # random order, and the default 2 MB cache would make every insert touch disk.
        previous = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        try:
            for chunk in _chunks(text):
                cursor.executemany(statement, chunk.iter_rows())
                done += chunk.height
                report(done, total)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
            cursor.close()
        return "executemany"
    for chunk in _chunks(frame):
        session.execute(insert(SalesLine), chunk.to_dicts())
        done += chunk.height
        report(done, total)
    return "core"
