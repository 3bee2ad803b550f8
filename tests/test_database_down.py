"""While the database cannot be reached: the server starts, /healthz answers 503 until the
database answers, API calls get 503 in the error shape with ``Retry-After``, and the
portal shows a plain "try again" page. Against real unreachable databases: a PostgreSQL
port nobody listens on, and a SQLite file in a directory that does not exist."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from microbag.app import create_app
from microbag.db import Database
from microbag.web.sessions import PLAIN_COOKIE
from tests.web.conftest import csrf_from


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _nothing_listening_url() -> str:
    return f"postgresql://postgres@127.0.0.1:{_free_port()}/microbag"


@pytest.fixture(params=["postgresql", "sqlite"])
def down_db(request, tmp_path: Path) -> Iterator[Database]:
    if request.param == "postgresql":
        database = Database(_nothing_listening_url())
    else:
        database = Database(f"sqlite:///{tmp_path / 'no-such-dir' / 'microbag.db'}")
    yield database
    database.dispose()


@pytest.fixture
def down_client(down_db) -> Iterator[TestClient]:
    with TestClient(create_app(down_db), raise_server_exceptions=False) as c:
        yield c


def _assert_unavailable_json(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/json"
    assert int(r.headers["Retry-After"]) >= 1
    errors = r.json()["errors"]
    assert [(e["code"], e["line"]) for e in errors] == [("database_unavailable", None)]
    assert "try again" in errors[0]["message"]


def test_healthz_answers_503(down_client):
    _assert_unavailable_json(down_client.get("/healthz"))


def test_api_calls_answer_503_in_the_error_shape(down_client):
    auth = {"Authorization": "Bearer not-cached-so-looked-up"}
    _assert_unavailable_json(down_client.get("/api/v1/orders", headers=auth))
    _assert_unavailable_json(
        down_client.post(
            "/api/v1/orders",
            json={"lines": [{"sku": "MC-001-GLD", "quantity": 6}]},
            headers={**auth, "Idempotency-Key": "k1"},
        )
    )


def _assert_try_again_page(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert int(r.headers["Retry-After"]) >= 1
    assert "Temporarily unavailable" in r.text
    assert "please try again" in r.text
    assert "Traceback" not in r.text and "OperationalError" not in r.text


def test_portal_shows_a_try_again_page(down_client):
    # The sign-in form needs no database; signing in does (an error inside a route).
    form = down_client.get("/login")
    assert form.status_code == 200
    r = down_client.post(
        "/login",
        data={"email": "a@b.test", "password": "x" * 12, "csrf_token": csrf_from(form.text)},
    )
    _assert_try_again_page(r)
    # A signed-in browser: the session lookup (in the middleware, before any route) fails.
    down_client.cookies.set(PLAIN_COOKIE, "s" * 43)
    _assert_try_again_page(down_client.get("/orders"))


def test_healthz_answers_200_once_the_database_answers(tmp_path):
    folder = tmp_path / "mounted-later"
    database = Database(f"sqlite:///{folder / 'microbag.db'}")
    try:
        with TestClient(create_app(database), raise_server_exceptions=False) as client:
            assert client.get("/healthz").status_code == 503
            folder.mkdir()  # the volume is there now
            r = client.get("/healthz")
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "ok"
    finally:
        database.dispose()


def test_microbag_serve_starts_while_the_database_is_down(tmp_path):
    port = _free_port()
    env = dict(os.environ, MICROBAG_DATABASE_URL=_nothing_listening_url())
    env.pop("PYTEST_CURRENT_TEST", None)
    env["MICROBAG_CHART_WARMUP"] = "false"
    log_file = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "microbag"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        log = (tmp_path / "serve.log").read_text()
        assert proc.poll() is None, f"microbag serve exited: {log}"
        assert answer is not None, f"microbag serve did not answer: {log}"
        _assert_unavailable_json(answer)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log_file.close()
