"""Alembic environment: the URL comes from the caller's config or MICROBAG_DATABASE_URL."""

from __future__ import annotations

from collections.abc import Callable

from alembic import context
from sqlalchemy import Connection

import microbag.models  # noqa: F401  (fills the metadata)
from microbag.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave out what the catalog's text search manages itself (catalog/search.py)."""
    if type_ == "table" and name and name.startswith("skus_fts"):
        return False
    return not (type_ == "index" and name == "ix_skus_search_text_trgm" and not _is_postgres())


def _is_postgres() -> bool:
    return context.get_context().dialect.name == "postgresql"


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # The alembic command line: the same guard as microbag.migrate.upgrade (SQLite's
    # batch mode must not cascade deletes while it rebuilds a table).
    from microbag.migrate import check_sqlite_foreign_keys, set_sqlite_foreign_keys

    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            set_sqlite_foreign_keys(conn, enabled=False)
        try:
            _run(conn, check=check_sqlite_foreign_keys if sqlite else None)
        finally:
            if sqlite:
                set_sqlite_foreign_keys(conn, enabled=True)
    engine.dispose()


def _run(connection: object, check: Callable[[Connection], None] | None = None) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
        if check is not None:
            check(connection)  # type: ignore[arg-type]


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
