"""Run Alembic migrations from code (``microbag db upgrade``, tests, ``make run``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect

from microbag.config import get_settings
from microbag.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate to ``revision`` in one transaction.

    On SQLite, foreign keys are off while migrating: batch mode rebuilds an altered table
    (copy, drop, rename), and dropping the old table with foreign keys on would cascade
    into its children (dropping order_lines deleted every order allocation). The pragma
    only takes effect outside a transaction; the keys are checked before the commit."""
    cfg = alembic_config(db.engine.url.render_as_string(hide_password=False))
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            set_sqlite_foreign_keys(conn, enabled=False)
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if sqlite:
                    check_sqlite_foreign_keys(conn)
        finally:
            if sqlite:
                set_sqlite_foreign_keys(conn, enabled=True)


def set_sqlite_foreign_keys(conn: Connection, *, enabled: bool) -> None:
    """PRAGMA foreign_keys on the raw connection (outside SQLAlchemy's transaction)."""
    conn.connection.driver_connection.execute(  # type: ignore[union-attr]
        f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}"
    )


def check_sqlite_foreign_keys(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows with broken foreign keys: {broken[:5]}")


def is_empty(db: Database) -> bool:
    """True when the database has no companies and no styles yet (demo data goes in)."""
    from sqlalchemy import func, select

    from microbag.buyers.models import Company
    from microbag.catalog.models import Style

    if not inspect(db.engine).has_table("companies"):
        return True
    with db.session() as s:
        return not (
            s.scalar(select(func.count(Company.id))) or s.scalar(select(func.count(Style.id)))
        )
