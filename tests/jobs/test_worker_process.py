"""The worker as a process (stops cleanly on SIGTERM) and as a thread of ``serve``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from microbag.jobs import service
from microbag.jobs.worker import start_background_worker


def _wait_for(db, job_id: int, status: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with db.session() as s:
            job = service.get_job(s, job_id)
        if job.status == status:
            return
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} is {job.status}, not {status}: {job.error}")


def test_serve_with_worker_thread_runs_queued_jobs(db, job_kind):
    job_kind("test_echo", lambda ctx: {"echo": ctx.payload["word"]})
    stop = start_background_worker(db, poll_interval_s=0.05)
    try:
        with db.session(write=True) as s:
            job_id = service.enqueue(s, "test_echo", {"word": "tote"}).id
        _wait_for(db, job_id, "succeeded", 20)
        with db.session() as s:
            assert service.get_job(s, job_id).result == {"echo": "tote"}
    finally:
        stop.set()


def test_worker_process_runs_jobs_and_stops_on_sigterm(cli_db):
    url = cli_db.engine.url.render_as_string(hide_password=False)
    microbag = Path(sys.executable).parent / "microbag"
    proc = subprocess.Popen(
        [str(microbag), "worker", "--poll-interval", "0.2"],
        env={**os.environ, "MICROBAG_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with cli_db.session(write=True) as s:
            job_id = service.enqueue(s, "trends_run", {"window": 8}).id
        _wait_for(cli_db, job_id, "succeeded", 90)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "1 job(s) run" in err
    with cli_db.session() as s:
        result = service.get_job(s, job_id).result or {}
    assert "No sales history yet" in result["message"]  # an empty database: nothing to label
