"""Alembic environment: the URL comes from the caller's config or MICROBAG_DATABASE_URL."""

from __future__ import annotations

from alembic import context

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
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
