"""Transient database failures: which they are, and ``Database.run`` re-running a unit of work."""

from __future__ import annotations

import sqlite3

import psycopg
import psycopg.errors
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from microbag.buyers.models import Company
from microbag.db import DATABASE_UNAVAILABLE, TRY_AGAIN, Database, database_trouble


def _wrapped(orig: Exception, *, invalidated: bool = False) -> OperationalError:
    return OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)


def _sqlite_error(code: int, message: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize(
    ("exc", "code", "rerun"),
    [
        (_wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), TRY_AGAIN, True),
        (_wrapped(psycopg.errors.SerializationFailure("could not serialize")), TRY_AGAIN, True),
        (_wrapped(psycopg.errors.LockNotAvailable("lock timeout")), TRY_AGAIN, False),
        (_wrapped(psycopg.errors.TooManyConnections("too many")), TRY_AGAIN, False),
        (_wrapped(psycopg.errors.AdminShutdown("terminating")), DATABASE_UNAVAILABLE, False),
        (_wrapped(psycopg.OperationalError("connection failed")), DATABASE_UNAVAILABLE, False),
        (
            _wrapped(psycopg.OperationalError("server closed the connection"), invalidated=True),
            DATABASE_UNAVAILABLE,
            True,
        ),
        (_wrapped(_sqlite_error(5, "database is locked")), TRY_AGAIN, False),
        (_wrapped(_sqlite_error(14, "unable to open database file")), DATABASE_UNAVAILABLE, False),
        (PoolTimeoutError("QueuePool limit reached"), TRY_AGAIN, False),
    ],
)
def test_transient_failures_are_recognised(exc, code, rerun):
    trouble = database_trouble(exc)
    assert trouble is not None
    assert (trouble.code, trouble.rerun) == (code, rerun)
    assert trouble.retry_after_s >= 1


@pytest.mark.parametrize(
    "exc",
    [
        _wrapped(_sqlite_error(1, "no such table: orders")),  # a bug or a missing migration
        _wrapped(psycopg.errors.UndefinedTable("relation does not exist")),
        IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key")),
        ValueError("not a database error"),
    ],
)
def test_other_errors_are_not_transient(exc):
    assert database_trouble(exc) is None


def _company(name: str) -> Company:
    return Company(name=name, segment="boutique", country="FR", region="europe", currency="EUR")


def _names(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Company.name).order_by(Company.id)))


def test_run_reruns_the_whole_unit_after_a_deadlock(db):
    db.retry_backoff_s = 0.001
    tries = []

    def work(session):
        session.add(_company(f"try {len(tries) + 1}"))
        session.flush()
        tries.append(1)
        if len(tries) < 3:
            raise _wrapped(psycopg.errors.DeadlockDetected("deadlock detected"))
        return "done"

    assert db.run(work, write=True) == "done"
    assert len(tries) == 3
    # The failed tries were rolled back: only the third one's row is there.
    assert _names(db) == ["try 3"]


def test_run_gives_up_after_its_attempts(db):
    db.retry_backoff_s = 0.001
    tries = []

    def work(session):
        session.add(_company("never"))
        session.flush()
        tries.append(1)
        raise _wrapped(psycopg.errors.SerializationFailure("could not serialize"))

    with pytest.raises(OperationalError):
        db.run(work, write=True)
    assert len(tries) == db.retry_attempts
    assert _names(db) == []


def test_run_does_not_rerun_other_errors(db):
    tries = []

    def work(session):
        tries.append(1)
        session.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(Exception) as caught:
        db.run(work)
    assert database_trouble(caught.value) is None
    assert len(tries) == 1


def test_run_does_not_rerun_when_the_commit_lost_its_connection(db, monkeypatch):
    """The commit may have happened: running the unit again could do it twice."""
    db.retry_backoff_s = 0.001
    tries = []

    def work(session):
        tries.append(1)
        session.add(_company("once"))

    from sqlalchemy.orm import Session

    def lost(self):
        raise _wrapped(psycopg.OperationalError("server closed the connection"), invalidated=True)

    monkeypatch.setattr(Session, "commit", lost)
    with pytest.raises(OperationalError):
        db.run(work, write=True)
    assert len(tries) == 1


def test_run_reruns_when_the_connection_was_cut_before_the_commit(db):
    db.retry_backoff_s = 0.001
    tries = []

    def work(session):
        tries.append(1)
        if len(tries) == 1:
            raise _wrapped(psycopg.OperationalError("server closed"), invalidated=True)
        session.add(_company("second try"))

    db.run(work, write=True)
    assert len(tries) == 2
    assert _names(db) == ["second try"]
