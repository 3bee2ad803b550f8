"""Every API route and portal page re-runs after a transient database failure (issue 8).

A deadlock, a serialization failure or a connection cut before the commit re-runs the
whole request (its unit of work rolled back, its body replayed) a bounded number of
times; what still fails answers 503 with ``Retry-After``. Never after a write may have
been committed, never after a response byte was sent, never for a body past the cap.
"""

from __future__ import annotations

import psycopg
import psycopg.errors
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from microbag.buyers import service as buyers_service
from microbag.buyers.models import Company
from microbag.config import Settings, get_settings
from microbag.request_retry import RetryMiddleware

from .conftest import PG_URL

SALES = "sales@seller.test"
NEW_COMPANY = {"name": "Milano Piccola", "segment": "boutique", "country": "IT", "currency": "EUR"}
TRY_AGAIN_JSON = {
    "errors": [
        {
            "code": "try_again",
            "message": "The database is busy with concurrent requests; please try again.",
            "line": None,
        }
    ]
}


def _deadlock() -> OperationalError:
    return OperationalError("UPDATE companies", {}, psycopg.errors.DeadlockDetected("deadlock"))


def _serialization_failure() -> OperationalError:
    return OperationalError(
        "UPDATE companies", {}, psycopg.errors.SerializationFailure("could not serialize")
    )


def _connection_cut() -> OperationalError:
    return OperationalError(
        "SELECT 1",
        {},
        psycopg.OperationalError("server closed the connection unexpectedly"),
        connection_invalidated=True,
    )


def _companies(db, name: str) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).where(Company.name == name)) or 0)


@pytest.fixture
def fast_retries(app):
    app.state.db.retry_backoff_s = 0.001
    return app.state.db


@pytest.fixture
def failing(monkeypatch, fast_retries):
    """``buyers.service.create_company`` fails the first ``fail`` calls with ``error()``."""
    real = buyers_service.create_company
    calls = {"n": 0, "fail": 1, "error": _deadlock}

    def create_company(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= calls["fail"]:
            # Written, then undone: the failed try's row must not survive it.
            real(*args, **kwargs)
            raise calls["error"]()
        return real(*args, **kwargs)

    monkeypatch.setattr(buyers_service, "create_company", create_company)
    return calls


# ---- API routes ------------------------------------------------------------------------------


@pytest.mark.parametrize("error", [_deadlock, _serialization_failure, _connection_cut])
def test_an_api_write_is_rerun_and_has_one_effect(db, world, client, failing, error):
    failing["error"] = error
    failing["fail"] = 2
    r = client.post("/api/v1/companies", json=NEW_COMPANY, headers=world.auth(SALES))
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Milano Piccola"
    assert failing["n"] == 3
    assert _companies(db, "Milano Piccola") == 1


def test_a_persistent_failure_answers_503_with_retry_after(db, world, client, failing):
    failing["fail"] = 99
    r = client.post("/api/v1/companies", json=NEW_COMPANY, headers=world.auth(SALES))
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "1"
    assert r.headers["content-type"] == "application/json"
    assert r.json() == TRY_AGAIN_JSON
    assert failing["n"] == client.app.state.db.retry_attempts  # bounded
    assert _companies(db, "Milano Piccola") == 0


def test_a_read_route_is_rerun_after_a_cut_connection(world, client, monkeypatch, fast_retries):
    real = buyers_service.list_companies
    calls = {"n": 0}

    def list_companies(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise _connection_cut()
        return real(*args, **kwargs)

    monkeypatch.setattr(buyers_service, "list_companies", list_companies)
    r = client.get("/api/v1/companies", headers=world.auth(SALES))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 3
    assert calls["n"] == 2


def test_other_errors_are_not_rerun(world, app, monkeypatch, fast_retries):
    calls = {"n": 0}

    def create_company(*_args, **_kwargs):
        calls["n"] += 1
        raise OperationalError("SELECT", {}, psycopg.errors.UndefinedTable("no such table"))

    monkeypatch.setattr(buyers_service, "create_company", create_company)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/v1/companies", json=NEW_COMPANY, headers=world.auth(SALES))
    assert r.status_code == 500
    assert r.json()["errors"][0]["code"] == "internal_error"
    assert calls["n"] == 1


# ---- the WriteSession dependency commits before the response is sent ---------------------------


@pytest.fixture
def failing_commit(monkeypatch, fast_retries):
    """The write session's commit, armed by the route's service call, fails ``fail`` times."""
    real_create = buyers_service.create_company
    real_commit = Session.commit
    state = {"armed": False, "fail": 1, "error": _deadlock, "tries": 0, "commits_failed": 0}

    def create_company(*args, **kwargs):
        state["tries"] += 1
        state["armed"] = True
        return real_create(*args, **kwargs)

    def commit(self):
        if state["armed"]:
            state["armed"] = False
            if state["commits_failed"] < state["fail"]:
                state["commits_failed"] += 1
                raise state["error"]()
        return real_commit(self)

    monkeypatch.setattr(buyers_service, "create_company", create_company)
    monkeypatch.setattr(Session, "commit", commit)
    return state


def test_a_commit_refused_by_a_deadlock_is_rerun(db, world, client, failing_commit):
    """Were the dependency's commit after the response started, the client would have had
    its 201 already and the failure could not be answered, let alone re-run."""
    r = client.post("/api/v1/companies", json=NEW_COMPANY, headers=world.auth(SALES))
    assert r.status_code == 201, r.text
    assert failing_commit["tries"] == 2
    assert _companies(db, "Milano Piccola") == 1


def test_a_commit_that_lost_its_connection_is_not_rerun(db, world, client, failing_commit):
    """The commit may have happened: running the request again could write it twice."""
    failing_commit["error"] = _connection_cut
    r = client.post("/api/v1/companies", json=NEW_COMPANY, headers=world.auth(SALES))
    assert r.status_code == 503
    assert r.json()["errors"][0]["code"] == "database_unavailable"
    assert r.headers["Retry-After"] == "5"
    assert failing_commit["tries"] == 1


# ---- /healthz after a database restart -------------------------------------------------------


@pytest.mark.skipif(not PG_URL, reason="a cut connection needs a PostgreSQL server")
def test_healthz_answers_after_a_database_restart(db, client, fast_retries):
    assert client.get("/healthz").status_code == 200
    assert client.app.state.db.engine.pool.checkedin() >= 1
    with psycopg.connect(PG_URL, autocommit=True) as conn:  # outside the app's pool
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None and row[0] >= 1
    r = client.get("/healthz")
    assert r.status_code == 200, r.text


# ---- the middleware itself -------------------------------------------------------------------


def _app(db, endpoint, methods=("POST",)) -> Starlette:
    app = Starlette(
        routes=[Route("/x", endpoint, methods=list(methods))],
        middleware=[Middleware(RetryMiddleware)],
    )
    app.state.db = db
    return app


def test_the_body_is_replayed_to_each_try(db):
    db.retry_backoff_s = 0.001
    bodies: list[bytes] = []

    async def endpoint(request: Request) -> PlainTextResponse:
        bodies.append(await request.body())
        if len(bodies) < 3:
            raise _deadlock()
        return PlainTextResponse(f"{len(bodies[-1])} bytes")

    chunks = [b"a" * 1000, b"b" * 1000, b"c" * 10]
    with TestClient(_app(db, endpoint)) as c:
        r = c.post("/x", content=iter(chunks))  # sent in chunks, no Content-Length
    assert r.status_code == 200 and r.text == "2010 bytes"
    assert bodies == [b"".join(chunks)] * 3


def test_a_body_past_the_cap_is_not_buffered_nor_rerun(db):
    db.retry_backoff_s = 0.001
    tries: list[int] = []

    async def endpoint(request: Request) -> PlainTextResponse:
        tries.append(len(await request.body()))
        raise _deadlock()

    big = b"x" * (get_settings().retry_max_body_bytes + 1)
    with TestClient(_app(db, endpoint)) as c:
        with pytest.raises(OperationalError):
            c.post("/x", content=big)  # with a Content-Length past the cap
        with pytest.raises(OperationalError):
            c.post("/x", content=iter([big[:70_000]] * 16))  # chunked, crossing the cap
    assert tries == [len(big), 70_000 * 16]


def test_the_body_cap_is_a_setting_1_mb_by_default(db, monkeypatch):
    monkeypatch.delenv("MICROBAG_RETRY_MAX_BODY_BYTES", raising=False)
    assert Settings().retry_max_body_bytes == 1_048_576
    monkeypatch.setenv("MICROBAG_RETRY_MAX_BODY_BYTES", "-1")
    with pytest.raises(ValueError, match="retry_max_body_bytes"):
        Settings()

    monkeypatch.setenv("MICROBAG_RETRY_MAX_BODY_BYTES", "2000")
    get_settings.cache_clear()
    db.retry_backoff_s = 0.001
    tries: list[int] = []

    async def endpoint(request: Request) -> PlainTextResponse:
        tries.append(len(await request.body()))
        if len(tries) == 1:
            raise _deadlock()
        return PlainTextResponse("ok")

    try:
        with TestClient(_app(db, endpoint)) as c:
            assert c.post("/x", content=b"x" * 2000).text == "ok"  # at the cap: re-run
            assert tries == [2000, 2000]
            tries.clear()
            with pytest.raises(OperationalError):
                c.post("/x", content=b"x" * 2001)  # past it: not kept, not re-run
            assert tries == [2001]
    finally:
        get_settings.cache_clear()


def test_the_buffer_lets_go_of_a_body_past_the_cap():
    import anyio

    from microbag.request_retry import ReplayableBody

    chunk = b"y" * 300_000
    messages = [{"type": "http.request", "body": chunk, "more_body": True}] * 4 + [
        {"type": "http.request", "body": b"", "more_body": False}
    ]

    async def main() -> ReplayableBody:
        feed = iter(messages)

        async def receive():
            return next(feed)

        body = ReplayableBody(receive, cap=1_000_000, declared=None)
        reader = body.receiver()
        sizes = []
        for _ in messages:
            sizes.append(body.buffered_bytes)
            await reader()
        assert sizes == [0, 300_000, 600_000, 900_000, 0]
        return body

    body = anyio.run(main)
    assert not body.replayable and body.buffered_bytes == 0


def test_no_rerun_once_the_response_has_started(db):
    db.retry_backoff_s = 0.001
    tries: list[int] = []

    async def endpoint(_request: Request) -> StreamingResponse:
        tries.append(1)

        async def rows():
            yield b"first row\n"
            raise _deadlock()

        return StreamingResponse(rows())

    with TestClient(_app(db, endpoint, methods=("GET",))) as c:
        with pytest.raises(OperationalError):
            c.get("/x")
    assert tries == [1]


def test_no_rerun_after_a_write_was_committed(db):
    db.retry_backoff_s = 0.001
    tries: list[int] = []

    def endpoint(_request: Request) -> PlainTextResponse:
        tries.append(1)
        with db.session(write=True) as s:
            buyers_service.create_company(s, **NEW_COMPANY)
        with db.session() as s:  # a later unit of work of the same request fails
            raise _deadlock()

    with TestClient(_app(db, endpoint)) as c:
        with pytest.raises(OperationalError):
            c.post("/x")
    assert tries == [1]
    assert _companies(db, "Milano Piccola") == 1


def test_a_read_unit_that_committed_does_not_stop_a_rerun(db):
    db.retry_backoff_s = 0.001
    tries: list[int] = []

    def endpoint(_request: Request) -> PlainTextResponse:
        tries.append(1)
        with db.session() as s:
            s.scalar(select(func.count()).select_from(Company))
        with db.session(write=True) as s:
            buyers_service.create_company(s, **NEW_COMPANY)
            if len(tries) == 1:
                raise _deadlock()
        return PlainTextResponse("ok")

    with TestClient(_app(db, endpoint)) as c:
        assert c.post("/x").text == "ok"
    assert tries == [1, 1]
    assert _companies(db, "Milano Piccola") == 1


def test_database_run_is_not_rerun_again_by_the_request(db):
    """POST /orders and the token lookup re-run in ``Database.run``: not 4 x 4 tries."""
    db.retry_backoff_s = 0.001
    tries: list[int] = []

    def work(_session):
        tries.append(1)
        raise _deadlock()

    def endpoint(_request: Request) -> PlainTextResponse:
        db.run(work, write=True)
        return PlainTextResponse("never")

    with TestClient(_app(db, endpoint)) as c:
        with pytest.raises(OperationalError):
            c.post("/x")
    assert len(tries) == db.retry_attempts
