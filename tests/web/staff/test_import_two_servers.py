"""Two app servers behind a load balancer: the catalog import's preview on one, "Import" on
the other. Each server is its own process (own Database, own ``data_dir``) on one database
(PostgreSQL under ``MICROBAG_TEST_DATABASE_URL``, else one SQLite file)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from microbag.catalog.models import Sku, StagedImport
from tests.factories import PASSWORD

from ..conftest import csrf_from
from .test_import_pages import GOOD, csv_file

SECRET = "two-servers-test-secret-key-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "MICROBAG_DATABASE_URL": url,
        "MICROBAG_DATA_DIR": str(data_dir),
        "MICROBAG_SECRET_KEY": SECRET,
        "MICROBAG_CHART_WARMUP": "false",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "microbag.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return proc, f"http://127.0.0.1:{port}"


def _wait(proc: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"app server exited: {err[-2000:]}")
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("app server did not start")


@pytest.fixture
def two_servers(db, world, tmp_path) -> Iterator[tuple[str, str]]:
    url = db.engine.url.render_as_string(hide_password=False)
    servers = [_start(url, tmp_path / name) for name in ("server-a", "server-b")]
    try:
        for proc, base in servers:
            _wait(proc, base)
        yield servers[0][1], servers[1][1]
    finally:
        for proc, _base in servers:
            proc.terminate()
        for proc, _base in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            if proc.stderr is not None:
                proc.stderr.close()


def _count(db, what) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(what)))


def test_preview_on_one_server_import_on_the_other(db, two_servers):
    server_a, server_b = two_servers
    # One browser (one cookie jar); the load balancer sends each request anywhere.
    with httpx.Client(timeout=30) as browser:
        page = browser.get(server_a + "/login")
        r = browser.post(
            server_a + "/login",
            data={
                "email": "merch@seller.test",
                "password": PASSWORD,
                "csrf_token": csrf_from(page.text),
            },
        )
        assert r.status_code in (200, 303), r.text[:500]
        csrf = csrf_from(browser.get(server_a + "/staff/catalog/import").text)
        skus = _count(db, Sku)

        preview = browser.post(
            server_a + "/staff/catalog/import",
            data={"csrf_token": csrf},
            files={"file": ("catalog.csv", csv_file(GOOD), "text/csv")},
        )
        assert preview.status_code == 200, preview.text[:1000]
        assert "Every row passed the checks" in preview.text
        token = re.search(r'name="token" value="([^"]+)"', preview.text)[1]
        assert _count(db, StagedImport) == 1  # staged in the database, not on A's disk

        done = browser.post(
            server_b + "/staff/catalog/import/apply", data={"csrf_token": csrf, "token": token}
        )
        assert done.status_code == 200, done.text[:1000]
        assert "Imported catalog.csv" in done.text
        assert _count(db, Sku) == skus + 3
        assert _count(db, StagedImport) == 0

        # Applied once: neither server finds it again.
        for base in (server_a, server_b):
            again = browser.post(
                base + "/staff/catalog/import/apply", data={"csrf_token": csrf, "token": token}
            )
            assert again.status_code == 409
