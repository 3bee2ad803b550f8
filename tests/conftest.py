"""Shared fixtures.

Database tests use the ``db`` fixture; they run on SQLite by default and on
PostgreSQL when ``MICROBAG_TEST_DATABASE_URL`` names one (``make test-postgres``).
Every test that uses ``db`` is marked ``db`` automatically.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

import microbag.models as models
from microbag.db import Database

from .factories import World, build_world


def _worker_database_url(url: str) -> str:
    """Under pytest-xdist, each worker gets its own PostgreSQL database (created here).

    The tests truncate and recreate tables freely, so two workers must never share one.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    import psycopg

    base, name = url.rsplit("/", 1)
    own = f"{name}_{worker}"
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (own,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{own}"')
    return f"{base}/{own}"


PG_URL = _worker_database_url(os.environ.get("MICROBAG_TEST_DATABASE_URL", ""))
# Names of scratch resources (databases, files) that must differ between xdist workers.
WORKER_SUFFIX = os.environ.get("PYTEST_XDIST_WORKER", "")
SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_DATA = SHARED / "data"


# The longest test files, started first: pytest-xdist (--dist loadfile) hands out files in
# collection order, and one of these collected last kept a worker busy minutes after the
# other had finished (the OpenAPI fuzz: 146 s on PostgreSQL).
HEAVY_FIRST = (
    "tests/test_openapi_fuzz.py",
    "tests/orders/test_one_company_concurrency.py",
    "tests/orders/test_concurrency.py",
    "tests/inspection/test_pages.py",
    "tests/web/test_password_resets.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
    rank = {path: n for n, path in enumerate(HEAVY_FIRST)}

    def heavy_rank(item: pytest.Item) -> int:
        return rank.get(item.nodeid.split("::", 1)[0], len(HEAVY_FIRST))

    items.sort(key=heavy_rank)  # stable: the rest keep their order


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: uses the database (runs on SQLite and PostgreSQL)")


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data sets not present at {SHARED_DATA} (fresh clone without ../shared)")
    return SHARED_DATA


def _reset_statement(db: Database) -> str:
    """Empty every table and restart every sequence, as one batch of statements.

    DELETE children before parents (the metadata's dependency order, reversed), not
    TRUNCATE: a TRUNCATE of some seventy tables gives each table and index a new file and
    costs seconds per test, a DELETE of the few rows a test wrote costs milliseconds.
    Triggers (catalog facet cells) see the deletes and stay consistent."""
    tables = [t.name for t in reversed(models.Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        sequences = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT quote_ident(sequence_schema) || '.' || quote_ident(sequence_name) "
                    "FROM information_schema.sequences WHERE sequence_schema = current_schema()"
                )
            )
        ]
    return ";\n".join(
        [f'DELETE FROM "{t}"' for t in tables] + [f"ALTER SEQUENCE {s} RESTART" for s in sequences]
    )


_pg_reset_sql = ""


def _reset_postgres(db: Database) -> None:
    global _pg_reset_sql
    if not _pg_reset_sql:
        _pg_reset_sql = _reset_statement(db)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(_pg_reset_sql)


_pg_schema_ready = False


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database with the full schema, built once per test process: each
    test copies the file (milliseconds) instead of creating some seventy tables, their
    indexes and triggers (a few hundred milliseconds)."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    database = Database(f"sqlite:///{path}")
    models.Base.metadata.create_all(database.engine)
    database.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def db(tmp_path: Path, _sqlite_template: Path) -> Iterator[Database]:
    """A fresh, empty database with the full schema."""
    global _pg_schema_ready
    if PG_URL:
        database = Database(PG_URL)
        if not _pg_schema_ready:
            models.Base.metadata.drop_all(database.engine)
            models.Base.metadata.create_all(database.engine)
            _pg_schema_ready = True
        else:
            _reset_postgres(database)
    else:
        shutil.copyfile(_sqlite_template, tmp_path / "test.db")
        database = Database(f"sqlite:///{tmp_path / 'test.db'}")
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def world(db: Database) -> World:
    """Two buyer companies, staff, a small catalog with prices and stock."""
    with db.session(write=True) as s:
        return build_world(s)


@pytest.fixture
def app(db: Database):
    from microbag.app import create_app

    return create_app(db)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served by uvicorn on loopback, for tests over real HTTP."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def cli_db(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """Point the CLI's settings at the test database (and forget cached engines after)."""
    from microbag.config import get_settings
    from microbag.db import get_database

    monkeypatch.setenv("MICROBAG_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    get_database.cache_clear()
    try:
        yield db
    finally:
        if get_database.cache_info().currsize:
            get_database().dispose()
        get_database.cache_clear()
        get_settings.cache_clear()
