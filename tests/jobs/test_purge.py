"""Purging finished jobs: ``jobs.service.purge_finished`` and ``microbag jobs purge``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from microbag.cli import app
from microbag.jobs import service
from microbag.jobs.models import Job, JobFile
from microbag.timeutil import utcnow

runner = CliRunner()


def _jobs_aged(db, ages: dict[str, tuple[str, int]]) -> dict[str, int]:
    """Jobs by label: (status, days since finished), each with a stored file."""
    now = utcnow()
    ids: dict[str, int] = {}
    with db.session(write=True) as s:
        for label, (status, days) in ages.items():
            job = service.enqueue(s, "trends_run", {}, files=[(f"{label}.csv", b"a,b\n")])
            finished = now - timedelta(days=days) if status in ("succeeded", "failed") else None
            s.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(
                    status=status,
                    finished_at=finished,
                    created_at=now - timedelta(days=days + 1),
                    updated_at=now - timedelta(days=days),
                )
            )
            ids[label] = job.id
    return ids


def _left(db) -> tuple[set[int], set[int]]:
    with db.session() as s:
        jobs = set(s.scalars(select(Job.id)))
        files = set(s.scalars(select(JobFile.job_id)))
    return jobs, files


def test_purge_deletes_only_finished_jobs_older_than_the_cutoff_with_their_files(db):
    ids = _jobs_aged(
        db,
        {
            "old_ok": ("succeeded", 40),
            "old_failed": ("failed", 31),
            "recent_ok": ("succeeded", 5),
            "old_queued": ("queued", 90),  # waiting for a worker: never purged
            "old_running": ("running", 90),
        },
    )
    with db.session(write=True) as s:
        assert service.purge_finished(s, timedelta(days=30)) == 2
    jobs, files = _left(db)
    kept = {ids["recent_ok"], ids["old_queued"], ids["old_running"]}
    assert jobs == kept
    assert files == kept  # the purged jobs' files went with them

    with db.session(write=True) as s:
        assert service.purge_finished(s, timedelta(days=30)) == 0  # nothing more to do
        assert service.purge_finished(s, timedelta(0)) == 1  # every finished job
    assert _left(db)[0] == {ids["old_queued"], ids["old_running"]}


def test_purge_refuses_a_negative_age(db):
    with db.session(write=True) as s, pytest.raises(ValueError, match="negative"):
        service.purge_finished(s, timedelta(days=-1))


def test_jobs_purge_command_default_30_days_and_older_than(cli_db):
    ids = _jobs_aged(
        cli_db,
        {"a": ("succeeded", 45), "b": ("failed", 20), "c": ("succeeded", 2), "q": ("queued", 60)},
    )
    result = runner.invoke(app, ["jobs", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged 1 finished job(s) older than 30 day(s)" in result.output
    assert _left(cli_db)[0] == {ids["b"], ids["c"], ids["q"]}

    result = runner.invoke(app, ["jobs", "purge", "--older-than", "10"])
    assert result.exit_code == 0, result.output
    assert "purged 1 finished job(s) older than 10 day(s)" in result.output
    assert _left(cli_db)[0] == {ids["c"], ids["q"]}

    refused = runner.invoke(app, ["jobs", "purge", "--older-than", "-1"])
    assert refused.exit_code != 0
    with cli_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 2
