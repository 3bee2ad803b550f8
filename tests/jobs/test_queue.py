"""The queue on both databases: transactional enqueue, retries with backoff, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from microbag.errors import DomainError, ErrorItem
from microbag.jobs import service
from microbag.jobs.models import Job, JobFile
from microbag.jobs.worker import Worker
from microbag.timeutil import utcnow


def _count(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Job)) or 0)


def _job(db, job_id: int) -> Job:
    with db.session() as s:
        job = s.get(Job, job_id)
        assert job is not None
        s.expunge(job)
        return job


def _make_due(db, job_id: int) -> None:
    with db.session(write=True) as s:
        s.execute(update(Job).where(Job.id == job_id).values(run_after=utcnow()))


def test_enqueue_exists_only_if_the_transaction_commits(db):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.session(write=True) as s:
        service.enqueue(s, "trends_run", {"window": 8}, files=[("a.csv", b"x,y\n")])
        assert s.scalar(select(func.count()).select_from(Job)) == 1  # visible inside
        raise Boom
    assert _count(db) == 0
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(JobFile)) == 0
    with db.session(write=True) as s:
        view = service.enqueue(s, "trends_run", {"window": 8}, created_by="merch@x.test")
    assert _count(db) == 1
    job = _job(db, view.id)
    assert (job.status, job.attempts, job.payload, job.created_by) == (
        "queued",
        0,
        {"window": 8},
        "merch@x.test",
    )


def test_a_failing_job_is_retried_with_exponential_backoff_then_fails(db, job_kind):
    tries: list[int] = []

    def flaky(ctx):
        tries.append(ctx.job.attempt)
        raise RuntimeError(f"cluster down (try {ctx.job.attempt})")

    job_kind("test_flaky", flaky)
    with db.session(write=True) as s:
        job_id = service.enqueue(s, "test_flaky", max_attempts=3).id
    worker = Worker(db, backoff_base_s=10)

    before = utcnow()
    assert worker.run_one()
    job = _job(db, job_id)
    assert (job.status, job.attempts) == ("queued", 1)
    assert "cluster down (try 1)" in (job.error or "")
    assert timedelta(seconds=9) <= job.run_after - before <= timedelta(seconds=12)
    assert not worker.run_one()  # waiting out the backoff: nothing is due

    _make_due(db, job_id)
    before = utcnow()
    assert worker.run_one()
    job = _job(db, job_id)
    assert (job.status, job.attempts) == ("queued", 2)
    assert timedelta(seconds=19) <= job.run_after - before <= timedelta(seconds=22)  # doubled

    _make_due(db, job_id)
    assert worker.run_one()
    job = _job(db, job_id)
    assert (job.status, job.attempts) == ("failed", 3)
    assert "cluster down (try 3)" in (job.error or "") and job.finished_at is not None
    assert tries == [1, 2, 3]
    _make_due(db, job_id)
    assert not worker.run_one()  # failed for good


def test_a_rule_error_fails_at_once_and_a_later_success_is_recorded(db, job_kind):
    def rejected(ctx):
        raise DomainError(ErrorItem("bad_row", "no quantity", line=7))

    calls = {"n": 0}

    def second_time_lucky(ctx):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("reset by peer")
        ctx.progress(3, 3, "done")
        return {"answer": 42}

    job_kind("test_rejected", rejected)
    job_kind("test_lucky", second_time_lucky)
    with db.session(write=True) as s:
        bad = service.enqueue(s, "test_rejected").id
        lucky = service.enqueue(s, "test_lucky").id
    worker = Worker(db, backoff_base_s=0)
    assert worker.run(once=True) == 3  # rejected, lucky (fails), lucky again (no backoff)
    job = _job(db, bad)
    assert (job.status, job.attempts) == ("failed", 1)
    assert job.error == "line 7: no quantity (bad_row)"
    job = _job(db, lucky)
    assert (job.status, job.attempts, job.result) == ("succeeded", 2, {"answer": 42})
    assert job.error is None and job.locked_by is None
    assert (job.progress_done, job.progress_total, job.progress_message) == (3, 3, "done")


def test_unknown_kind_fails_without_retry(db):
    with db.session(write=True) as s:
        job_id = service.enqueue(s, "no_such_kind").id
    assert Worker(db).run(once=True) == 1
    job = _job(db, job_id)
    assert job.status == "failed" and "no handler" in (job.error or "")


def test_an_expired_lease_is_claimed_again_and_the_old_worker_cannot_finish(db):
    with db.session(write=True) as s:
        job_id = service.enqueue(s, "trends_run", max_attempts=2).id
    with db.session(write=True) as s:
        first = service.claim_next(s, "worker-a", lease_s=60)
    assert first is not None and first.id == job_id and first.attempt == 1
    with db.session(write=True) as s:
        assert service.claim_next(s, "worker-b", lease_s=60) is None  # lease still held
        # worker-a renews (as its heartbeat does)
        assert service.renew_lease(s, job_id, "worker-a", lease_s=60)
    later = utcnow() + timedelta(seconds=61)
    with db.session(write=True) as s:
        again = service.claim_next(s, "worker-b", lease_s=60, now=later)
    assert again is not None and again.id == job_id and again.attempt == 2
    job = _job(db, job_id)
    assert (job.status, job.locked_by) == ("running", "worker-b")
    with db.session(write=True) as s:
        # The first worker wakes up: nothing it reports sticks.
        assert not service.set_progress(s, job_id, "worker-a", 1, 2, "late")
        assert not service.finish(s, job_id, "worker-a", {"from": "a"})
        assert service.fail(s, job_id, "worker-a", "late error") is None
        assert service.finish(s, job_id, "worker-b", {"from": "b"})
    job = _job(db, job_id)
    assert (job.status, job.result, job.attempts) == ("succeeded", {"from": "b"}, 2)


def test_an_expired_lease_on_the_last_try_fails_the_job(db):
    with db.session(write=True) as s:
        job_id = service.enqueue(s, "trends_run", max_attempts=1).id
    with db.session(write=True) as s:
        assert service.claim_next(s, "worker-a", lease_s=30) is not None
    with db.session(write=True) as s:
        later = utcnow() + timedelta(seconds=31)
        assert service.claim_next(s, "worker-b", now=later) is None
    job = _job(db, job_id)
    assert job.status == "failed" and "lease expired" in (job.error or "")


def test_files_are_kept_with_the_job_until_it_is_done(db, job_kind):
    seen: list[list[tuple[str, bytes]]] = []

    def reads(ctx):
        seen.append(ctx.files())
        return {}

    job_kind("test_reads", reads)
    with db.session(write=True) as s:
        job_id = service.enqueue(s, "test_reads", files=[("b.csv", b"2"), ("a.csv", b"1")]).id
    assert Worker(db).run(once=True) == 1
    assert seen == [[("b.csv", b"2"), ("a.csv", b"1")]]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(JobFile)) == 0
        assert service.get_job(s, job_id).status == "succeeded"


def test_list_and_latest(db):
    with db.session(write=True) as s:
        a = service.enqueue(s, "trends_run").id
        b = service.enqueue(s, "forecast_run", {"horizon": 4}).id
        c = service.enqueue(s, "trends_run").id
    with db.session() as s:
        jobs, total = service.list_jobs(s, kind="trends_run")
        assert total == 2 and [j.id for j in jobs] == [c, a]
        latest = service.latest_job(s, "forecast_run", active_only=True)
        assert latest is not None and latest.id == b and latest.active
        assert service.has_active(s, "trends_run")
