"""Database engine, sessions and the unit of work.

SQLite is the embedded default: WAL journal, ``synchronous=FULL``, a busy
timeout, and ``BEGIN IMMEDIATE`` for write transactions so concurrent writers
queue on the lock instead of failing half-way. PostgreSQL is the production
database; there, row locks and conditional updates keep stock consistent.

Transient failures (a deadlock, a serialization failure, a pooled connection cut by a
database restart) are told apart from bugs by ``database_trouble``: ``Database.run``
re-runs a whole unit of work a bounded number of times for those it can safely re-run,
``microbag.request_retry`` re-runs a whole request the same way (``watching_commits``
tells it whether a write may have been committed meanwhile), and the HTTP layer answers
what still fails with 503 and ``Retry-After``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import BigInteger, DateTime, Engine, Integer, MetaData, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from microbag.config import get_settings
from microbag.timeutil import as_utc, utcnow

log = logging.getLogger("microbag.db")
T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


# BIGINT on PostgreSQL, INTEGER on SQLite (so it stays the rowid alias).
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    busy = get_settings().sqlite_busy_timeout_ms
    # Let SQLAlchemy's "begin" event issue BEGIN itself (DEFERRED or IMMEDIATE).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={int(busy)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    settings = get_settings()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_size", settings.db_pool_size)
    kwargs.setdefault("max_overflow", settings.db_max_overflow)
    if "connect_timeout=" not in url:
        # An unreachable host answers 503 after this, not after the OS's TCP timeout.
        kwargs["connect_args"] = {"connect_timeout": 10, **kwargs.get("connect_args", {})}
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine, settings.db_ping_after_idle_seconds)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use if it sat idle longer than ``idle_seconds``.

    SQLAlchemy's ``pool_pre_ping`` checks every checkout: a round trip and about a sixth
    of the CPU of placing an order. Connections in steady use are known to be alive;
    one that sat idle may have been cut (a database restart, a firewall's idle
    timeout), and is checked and replaced before a request meets it. After a restart
    under load, the few requests then in flight fail once and the pool is renewed.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool replaces the connection and tries again
            raise DisconnectionError(f"pooled connection is gone: {exc}") from exc


# ---- transient failures -----------------------------------------------------------------------

# PostgreSQL SQLSTATEs. The transaction was rolled back and nothing of it stays: running
# it again is safe and usually succeeds (40P01 deadlock_detected, 40001
# serialization_failure).
RERUN_SQLSTATES = frozenset({"40P01", "40001"})
# Busy rather than broken: lock_not_available, query_canceled (a statement timeout),
# too_many_connections, configuration_limit_exceeded. Not re-run at once; try later.
BUSY_SQLSTATES = frozenset({"55P03", "57014", "53300", "53400"})
# SQLite primary result codes: SQLITE_BUSY and SQLITE_LOCKED (after the busy timeout)
# are "busy"; CANTOPEN, IOERR, FULL and READONLY mean the file cannot be used.
SQLITE_BUSY_CODES = frozenset({5, 6})
SQLITE_UNAVAILABLE_CODES = frozenset({14, 10, 13, 8})

TRY_AGAIN = "try_again"
DATABASE_UNAVAILABLE = "database_unavailable"

# The exception classes ``database_trouble`` looks at, for registering error handlers
# (the web layer needs no SQLAlchemy import of its own for them).
DATABASE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, PoolTimeoutError)


@dataclass(frozen=True)
class DatabaseTrouble:
    """A database failure that is no fault of the request: what to tell the client."""

    code: str  # TRY_AGAIN (busy, a conflict that persisted) or DATABASE_UNAVAILABLE
    message: str
    retry_after_s: int
    # The transaction was certainly rolled back: the unit of work may be run again.
    rerun: bool = False
    # The connection was lost: a commit that failed so may have happened or not.
    connection_lost: bool = False


def _busy(rerun: bool = False) -> DatabaseTrouble:
    return DatabaseTrouble(
        TRY_AGAIN, "The database is busy with concurrent requests; please try again.", 1, rerun
    )


def _unavailable(*, rerun: bool) -> DatabaseTrouble:
    return DatabaseTrouble(
        DATABASE_UNAVAILABLE,
        "The database cannot be reached right now; please try again shortly.",
        5,
        rerun,
        connection_lost=True,
    )


def database_trouble(exc: BaseException) -> DatabaseTrouble | None:
    """What a transient database failure means for the client, or None for any other error
    (a bug, a broken constraint: those stay 500s and are not retried)."""
    if isinstance(exc, PoolTimeoutError):  # every pooled connection busy for pool_timeout
        return _busy()
    if not isinstance(exc, DBAPIError):
        return None
    if exc.connection_invalidated:
        # The pool has dropped the connection (and renews the others): a new one may work.
        return _unavailable(rerun=True)
    orig = exc.orig
    if hasattr(orig, "sqlstate"):  # psycopg
        state = getattr(orig, "sqlstate", None) or ""
        if state in RERUN_SQLSTATES:
            return _busy(rerun=True)
        if state in BUSY_SQLSTATES:
            return _busy()
        if state.startswith(("08", "57P")) or (not state and isinstance(exc, OperationalError)):
            # connection_exception, admin/crash shutdown, cannot_connect_now; no SQLSTATE:
            # the connection could not be made at all (refused, unknown host, timeout).
            return _unavailable(rerun=False)
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        if code & 0xFF in SQLITE_BUSY_CODES:
            return _busy()
        if code & 0xFF in SQLITE_UNAVAILABLE_CODES:
            return _unavailable(rerun=False)
    return None


# Set on an exception that ``Database.run`` has already re-run as often as it may (or may
# not re-run at all): the request around it must not run it again (4 x 4 tries).
_RERUNS_SPENT = "microbag_reruns_spent"


@dataclass
class CommitWatch:
    """Whether a unit of work that wrote has committed (or may have) while it was watched.

    Set ``committed`` as soon as such a commit starts; cleared again only when the
    database refused the commit and certainly rolled it back (a deadlock or a
    serialization failure at the commit): a connection lost during the commit leaves
    it set, as the commit may have happened.
    """

    committed: bool = False


_commit_watch: ContextVar[CommitWatch | None] = ContextVar("microbag_commit_watch", default=None)


@contextmanager
def watching_commits() -> Iterator[CommitWatch]:
    """Watch the commits of every unit of work opened in this context (and in the worker
    threads it starts, which run in a copy of it and share the watch)."""
    watch = CommitWatch()
    token = _commit_watch.set(watch)
    try:
        yield watch
    finally:
        _commit_watch.reset(token)


def may_rerun(exc: BaseException, watch: CommitWatch) -> bool:
    """Whether work that failed with ``exc`` may be run again from its start: a transient
    failure that undid everything (``DatabaseTrouble.rerun``), no write committed (or
    possibly committed) since ``watch`` began, and not already re-run by ``Database.run``."""
    if watch.committed or getattr(exc, _RERUNS_SPENT, False):
        return False
    trouble = database_trouble(exc)
    return trouble is not None and trouble.rerun


_WROTE = "microbag_wrote"


def _note_flush(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


def _note_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _wrote(session: Session) -> bool:
    """Whether a read session wrote something (ORM changes, or ORM DML statements)."""
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def _commit_watched(session: Session, watch: CommitWatch) -> None:
    watch.committed = True  # from here on, the commit may happen
    try:
        session.commit()
    except DATABASE_ERRORS as exc:
        trouble = database_trouble(exc)
        if trouble is not None and trouble.rerun and not trouble.connection_lost:
            watch.committed = False  # refused by the database: rolled back, nothing written
        raise


class Database:
    """An engine plus session factories for reads and writes."""

    # How often ``run`` tries a unit of work, and the first backoff (doubled each time,
    # jittered so that two transactions that deadlocked do not meet again in step).
    retry_attempts = 4
    retry_backoff_s = 0.02

    def __init__(self, url: str | None = None, **engine_kwargs: Any) -> None:
        self.engine = make_engine(url, **engine_kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._reads = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._writes = sessionmaker(bind=write_engine, expire_on_commit=False)
        # A read session that writes after all counts as a write for ``CommitWatch``.
        event.listen(self._reads, "after_flush", _note_flush)
        event.listen(self._reads, "do_orm_execute", _note_dml)

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error.

        Services never commit; the entry point that opened the unit of work does.
        """
        factory = self._writes if write else self._reads
        watch = _commit_watch.get()
        with factory() as session:
            try:
                yield session
                if watch is None or watch.committed or not (write or _wrote(session)):
                    session.commit()
                else:
                    _commit_watched(session, watch)
            except BaseException:
                session.rollback()
                raise

    def run(self, work: Callable[[Session], T], *, write: bool = False) -> T:
        """``work(session)`` in one unit of work, re-run when a transient failure undid it.

        Re-runs happen only when the whole unit can be run again: a deadlock or a
        serialization failure (the database rolled everything back), or a connection lost
        before the commit (a database restart cut the pooled connection). A connection lost
        during the commit is not re-run: the commit may have happened. ``work`` must only
        touch the database through ``session`` and send nothing to the client, so that a
        re-run leaves no trace of the first try. What still fails is raised as it was; the
        HTTP layer answers it with 503 (``database_trouble``).
        """
        attempt = 1
        while True:
            committing = False
            try:
                with self.session(write=write) as session:
                    result = work(session)
                    committing = True
                return result
            except (DBAPIError, PoolTimeoutError) as exc:
                trouble = database_trouble(exc)
                if (
                    trouble is None
                    or not trouble.rerun
                    or attempt >= self.retry_attempts
                    or (committing and trouble.connection_lost)
                ):
                    if trouble is not None:
                        setattr(exc, _RERUNS_SPENT, True)
                    raise
                pause = self.backoff_s(attempt)
                log.warning(
                    "transient database failure (%s), try %d of %d again in %.0f ms: %s",
                    trouble.code,
                    attempt,
                    self.retry_attempts,
                    pause * 1000,
                    str(exc).splitlines()[0],
                )
                time.sleep(pause)
                attempt += 1

    def backoff_s(self, attempt: int) -> float:
        """The pause before try ``attempt + 1``: doubled each time, jittered."""
        return float(self.retry_backoff_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))  # noqa: S311 - jitter and demo data, not secrets

    def dispose(self) -> None:
        self.engine.dispose()


@lru_cache(maxsize=1)
def get_database() -> Database:
    return Database()
