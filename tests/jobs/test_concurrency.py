"""Several workers at once never run one job twice (PostgreSQL: FOR UPDATE SKIP LOCKED;
SQLite: claims serialised by the single writer)."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from microbag.db import Database
from microbag.jobs import service
from microbag.jobs.models import Job
from microbag.jobs.worker import Worker

JOBS = 240
WORKERS = 6


def test_concurrent_workers_run_every_job_exactly_once(db, job_kind):
    ran: Counter[int] = Counter()
    by_worker: Counter[str] = Counter()
    lock = threading.Lock()

    def record(ctx):
        time.sleep(0.002)  # long enough for the others to be claiming meanwhile
        with lock:
            ran[ctx.job.id] += 1
            by_worker[ctx.worker_id] += 1
        return {"job": ctx.job.id}

    job_kind("test_once", record)
    with db.session(write=True) as s:
        ids = [service.enqueue(s, "test_once", {"n": i}).id for i in range(JOBS)]
    # Each worker has its own Database (engine, pool, sessions), as separate processes do.
    url = db.engine.url.render_as_string(hide_password=False)
    databases = [Database(url) for _ in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            worker = Worker(databases[i], worker_id=f"w{i}", poll_interval_s=0.01)
            barrier.wait()
            worker.run(once=True)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    for d in databases:
        d.dispose()
    assert not errors, errors
    assert sorted(ran) == sorted(ids)
    twice = {job: n for job, n in ran.items() if n != 1}
    assert twice == {}, f"jobs run more than once: {twice}"
    with db.session() as s:
        statuses = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        attempts = s.scalar(select(func.max(Job.attempts)))
    assert statuses == {"succeeded": JOBS} and attempts == 1
    if not db.is_sqlite:
        # The work was shared, not done by one worker while the others waited.
        assert len(by_worker) >= 2, by_worker


def test_a_claim_skips_rows_another_open_claim_has_locked(db):
    """PostgreSQL: while worker A's claim transaction is still open, worker B gets the
    next job at once instead of waiting for A's row or taking it too."""
    if db.is_sqlite:
        pytest.skip("SQLite has one writer: a second claim waits for the first to commit")
    with db.session(write=True) as s:
        first = service.enqueue(s, "trends_run").id
        second = service.enqueue(s, "trends_run").id
    with db.session(write=True) as a:
        claim_a = service.claim_next(a, "worker-a")
        assert claim_a is not None and claim_a.id == first
        started = time.monotonic()
        with db.session(write=True) as b:
            claim_b = service.claim_next(b, "worker-b")
        assert claim_b is not None and claim_b.id == second
        assert time.monotonic() - started < 2
    with db.session(write=True) as c:
        assert service.claim_next(c, "worker-c") is None
