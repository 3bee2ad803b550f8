"""Fast bulk inserts with ids assigned up front (so children can refer to parents).

Rows go in with SQLAlchemy Core ``insert(table)`` and lists of dicts (executemany),
in batches. On PostgreSQL the id sequences are moved past the inserted ids at the
end, so later ordinary inserts do not collide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Index, Table, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from microbag.db import Base

BATCH_ROWS = 5_000
COPY_BATCH_ROWS = 50_000
SQLITE_CACHE_KIB = 256 * 1024


def drop_secondary_indexes(session: Session, tables: Iterable[str]) -> list[Index]:
    """Drop the plain (non-unique) indexes of ``tables`` that exist; return them.

    Building an index once over a million rows is much faster than updating it row by
    row; ``create_indexes`` puts them back, as the models declare them. Unique
    indexes stay: they guard the data while it goes in.
    """
    connection = session.connection()
    inspector = inspect(connection)
    dropped: list[Index] = []
    for name in tables:
        table = Base.metadata.tables[name]
        present = {ix["name"] for ix in inspector.get_indexes(name)}
        for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
            if not index.unique and index.name in present:
                index.drop(bind=connection)
                dropped.append(index)
    return dropped


def create_indexes(session: Session, indexes: Iterable[Index]) -> None:
    connection = session.connection()
    for index in indexes:
        index.create(bind=connection)


class BulkWriter:
    def __init__(self, session: Session, batch_rows: int = BATCH_ROWS) -> None:
        self.session = session
        if session.get_bind().dialect.name == "sqlite":
            # A big page cache for this connection: index upkeep on millions of rows
            # otherwise spills to the WAL over and over. Reset in finish().
            self._cache_pages = session.execute(text("PRAGMA cache_size")).scalar()
            session.execute(text(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}"))
        self.batch_rows = batch_rows
        self._next_id: dict[str, int] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self.counts: dict[str, int] = {}
        self.on_flush: Callable[[str, int], None] | None = None

    def _table(self, model: type[Base] | Table) -> Table:
        table = model if isinstance(model, Table) else model.__table__
        assert isinstance(table, Table)  # noqa: S101 - type narrowing
        return table

    def next_id(self, model: type[Base]) -> int:
        """A fresh id for a row of ``model`` (continuing after the ids in the database)."""
        table = self._table(model)
        name = table.name
        if name not in self._next_id:
            current = self.session.scalar(select(func.max(table.c.id))) or 0
            self._next_id[name] = int(current) + 1
        value = self._next_id[name]
        self._next_id[name] = value + 1
        return value

    def reserve_ids(self, model: type[Base], count: int) -> int:
        """The first of ``count`` consecutive fresh ids."""
        first = self.next_id(model)
        self._next_id[self._table(model).name] = first + count
        return first

    def copy_rows(
        self, model: type[Base], columns: Sequence[str], rows: Iterable[tuple[int, ...]]
    ) -> None:
        """The fast path for big tables of plain integers (price items and tiers).

        Writes pending rows first (foreign keys), then streams ``rows``: COPY on
        PostgreSQL, a driver-level executemany on SQLite. No type processing happens,
        so only use it for integer columns.
        """
        self.flush()
        table = self._table(model)
        connection = self.session.connection()
        names = ", ".join(columns)
        written = 0
        if connection.dialect.name == "postgresql":
            raw = connection.connection.driver_connection
            assert raw is not None  # noqa: S101 - type narrowing
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    written += 1
        else:
            marks = ", ".join("?" for _ in columns)
            statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - identifiers are code constants, values are bound
            batch: list[tuple[int, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= COPY_BATCH_ROWS:
                    connection.exec_driver_sql(statement, batch)
                    written += len(batch)
                    batch = []
            if batch:
                connection.exec_driver_sql(statement, batch)
                written += len(batch)
        self.counts[table.name] = self.counts.get(table.name, 0) + written

    def add(self, model: type[Base] | Table, row: dict[str, Any]) -> None:
        table = self._table(model)
        rows = self._pending.setdefault(table.name, [])
        rows.append(row)
        if len(rows) >= self.batch_rows:
            # Everything pending, parents first, so foreign keys always resolve.
            self.flush()

    def add_all(self, model: type[Base] | Table, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.add(model, row)

    def _flush_table(self, table: Table) -> None:
        rows = self._pending.pop(table.name, [])
        if not rows:
            return
        self.session.execute(insert(table), rows)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if self.on_flush is not None:
            self.on_flush(table.name, len(rows))

    def flush(self) -> None:
        """Write everything pending, parents first (the metadata's dependency order)."""
        for table in Base.metadata.sorted_tables:
            if table.name in self._pending:
                self._flush_table(table)

    def finish(self) -> None:
        self.flush()
        bind = self.session.get_bind()
        if bind.dialect.name == "sqlite":
            self.session.execute(text(f"PRAGMA cache_size={int(self._cache_pages or -2000)}"))
        if bind.dialect.name != "postgresql":
            return
        for name in self._next_id:
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - identifiers are code constants, values are bound
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                )
            )
