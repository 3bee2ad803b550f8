"""Run Alembic migrations from code (``microbag db upgrade``, tests, ``make run``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from microbag.config import get_settings
from microbag.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    cfg = alembic_config(db.engine.url.render_as_string(hide_password=False))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


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
