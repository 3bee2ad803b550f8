"""The job queue's use cases: queue, claim, report progress, finish or fail (callers commit).

Claims are safe with several workers at once:

- PostgreSQL: the due row is selected ``FOR UPDATE SKIP LOCKED``, so two workers
  claiming at the same moment lock different rows and never get the same job.
- SQLite: the claim runs in a write unit of work (``BEGIN IMMEDIATE``), so claims are
  serialised by the database's single writer (``FOR UPDATE`` is not SQLite syntax and
  SQLAlchemy leaves it out there).

Every change a worker makes to its job after the claim is guarded by
``locked_by = <that worker>`` and ``status = 'running'``: a worker whose lease expired
(it hung, or the machine stalled) and whose job was claimed again cannot overwrite the
new claim's outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from microbag.errors import NotFound
from microbag.jobs import policies
from microbag.jobs.models import Job, JobFile
from microbag.jobs.policies import ProgressView
from microbag.timeutil import utcnow


@dataclass(frozen=True)
class ClaimedJob:
    """What a worker needs to run a job it has claimed."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int
    created_by: str


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    kind_name: str
    status: str
    attempts: int
    max_attempts: int
    progress: ProgressView
    payload: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    created_by: str
    created_at: datetime
    run_after: datetime
    started_at: datetime | None
    finished_at: datetime | None
    locked_by: str | None

    @property
    def active(self) -> bool:
        return self.status in policies.ACTIVE

    @property
    def retrying(self) -> bool:
        """Queued again after a failed try (waiting out its backoff)."""
        return self.status == "queued" and self.attempts > 0


def _view(job: Job) -> JobView:
    return JobView(
        id=job.id,
        kind=job.kind,
        kind_name=policies.kind_name(job.kind),
        status=job.status,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        progress=ProgressView(job.progress_done, job.progress_total, job.progress_message or ""),
        payload=dict(job.payload or {}),
        result=job.result,
        error=job.error,
        created_by=job.created_by,
        created_at=job.created_at,
        run_after=job.run_after,
        started_at=job.started_at,
        finished_at=job.finished_at,
        locked_by=job.locked_by,
    )


# ---- queueing ---------------------------------------------------------------------------------


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    created_by: str = "",
    max_attempts: int = policies.DEFAULT_MAX_ATTEMPTS,
    run_after: datetime | None = None,
    files: Sequence[tuple[str, bytes]] = (),
) -> JobView:
    """Add a job in the caller's transaction: it exists only if that transaction commits.

    ``files`` (name, content) are stored with the job, in the database: any worker on
    any machine can read them, and nothing is left on the disk of the server that
    received an upload.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    now = utcnow()
    job = Job(
        kind=policies.check_kind(kind),
        payload=dict(payload or {}),
        status="queued",
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or now,
        progress_message="",
        created_by=created_by[:254],
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    for position, (name, content) in enumerate(files):
        session.add(
            JobFile(
                job_id=job.id,
                position=position,
                name=name[:255],
                size=len(content),
                content=content,
            )
        )
    if files:
        session.flush()
    return _view(job)


def job_files(session: Session, job_id: int) -> list[tuple[str, bytes]]:
    rows = session.execute(
        select(JobFile.name, JobFile.content)
        .where(JobFile.job_id == job_id)
        .order_by(JobFile.position, JobFile.id)
    ).all()
    return [(name, bytes(content)) for name, content in rows]


# ---- claiming and the lease -------------------------------------------------------------------


def claim_next(
    session: Session,
    worker_id: str,
    *,
    lease_s: float = policies.DEFAULT_LEASE_S,
    now: datetime | None = None,
    kinds: Sequence[str] | None = None,
) -> ClaimedJob | None:
    """Claim the job that has been due longest, or None. Run in a write unit of work.

    Due: queued with ``run_after`` passed, or running with its lease expired (its
    worker stopped without finishing it: that try counts, and when it was the last
    one the job fails instead of running again).
    """
    now = now or utcnow()
    while True:
        due = (Job.status == "queued") & (Job.run_after <= now)
        lost = (Job.status == "running") & (Job.locked_until < now)
        stmt = select(Job).where(due | lost)
        if kinds:
            stmt = stmt.where(Job.kind.in_(list(kinds)))
        stmt = stmt.order_by(Job.run_after, Job.id).limit(1).with_for_update(skip_locked=True)
        job = session.scalars(stmt).first()
        if job is None:
            return None
        if job.status == "running" and not policies.may_retry(job.attempts, job.max_attempts):
            _finish_failed(
                session,
                job,
                f"the worker running try {job.attempts} ({job.locked_by}) stopped answering "
                "(its lease expired); no tries left",
                now,
            )
            continue
        job.status = "running"
        job.attempts += 1
        job.locked_by = worker_id[:200]
        job.locked_until = now + timedelta(seconds=lease_s)
        job.started_at = job.started_at or now
        job.updated_at = now
        job.error = None if job.attempts == 1 else job.error
        session.flush()
        return ClaimedJob(
            job.id,
            job.kind,
            dict(job.payload or {}),
            job.attempts,
            job.max_attempts,
            job.created_by,
        )


def _held(job_id: int, worker_id: str) -> Any:
    return (Job.id == job_id) & (Job.status == "running") & (Job.locked_by == worker_id)


def renew_lease(
    session: Session, job_id: int, worker_id: str, lease_s: float = policies.DEFAULT_LEASE_S
) -> bool:
    """Push the lease further while the job runs; False if this worker no longer holds it."""
    now = utcnow()
    done = session.execute(
        update(Job)
        .where(_held(job_id, worker_id))
        .values(locked_until=now + timedelta(seconds=lease_s), updated_at=now)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def set_progress(
    session: Session,
    job_id: int,
    worker_id: str,
    done: int | None,
    total: int | None,
    message: str,
    lease_s: float = policies.DEFAULT_LEASE_S,
) -> bool:
    """Record progress (and renew the lease); False if this worker no longer holds the job."""
    now = utcnow()
    updated = session.execute(
        update(Job)
        .where(_held(job_id, worker_id))
        .values(
            progress_done=done,
            progress_total=total,
            progress_message=message[:200],
            locked_until=now + timedelta(seconds=lease_s),
            updated_at=now,
        )
    )
    return bool(updated.rowcount)  # type: ignore[attr-defined]


# ---- outcomes ---------------------------------------------------------------------------------


def finish(session: Session, job_id: int, worker_id: str, result: dict[str, Any] | None) -> bool:
    """Mark the job succeeded with its result; False (nothing changed) if this worker no
    longer holds it. Call it in the unit of work that writes the job's own results, so
    the two commit together or not at all."""
    now = utcnow()
    updated = session.execute(
        update(Job)
        .where(_held(job_id, worker_id))
        .values(
            status="succeeded",
            result=result or {},
            error=None,
            locked_by=None,
            locked_until=None,
            finished_at=now,
            updated_at=now,
            progress_done=Job.progress_total,
        )
    )
    if not updated.rowcount:  # type: ignore[attr-defined]
        return False
    session.execute(delete(JobFile).where(JobFile.job_id == job_id))
    return True


def fail(
    session: Session,
    job_id: int,
    worker_id: str,
    error: str,
    *,
    retry: bool = True,
    backoff_base_s: float = policies.BACKOFF_BASE_S,
) -> str | None:
    """Record a failed try: queued again after an exponential backoff while tries are
    left (and ``retry``), else failed for good. Returns the new status, or None if this
    worker no longer holds the job."""
    now = utcnow()
    job = session.scalars(select(Job).where(_held(job_id, worker_id)).with_for_update()).first()
    if job is None:
        return None
    message = policies.short_error(error)
    if retry and policies.may_retry(job.attempts, job.max_attempts):
        job.status = "queued"
        job.error = message
        job.run_after = policies.next_run_after(now, job.attempts, backoff_base_s)
        job.locked_by = None
        job.locked_until = None
        job.updated_at = now
        session.flush()
        return job.status
    _finish_failed(session, job, message, now)
    return "failed"


def _finish_failed(session: Session, job: Job, error: str, now: datetime) -> None:
    job.status = "failed"
    job.error = policies.short_error(error)
    job.locked_by = None
    job.locked_until = None
    job.finished_at = now
    job.updated_at = now
    session.flush()
    session.execute(delete(JobFile).where(JobFile.job_id == job.id))


def purge_finished(session: Session, older_than: timedelta, *, now: datetime | None = None) -> int:
    """Delete succeeded and failed jobs that finished more than ``older_than`` ago, with
    any files still stored with them; queued and running jobs are never touched. Returns
    how many jobs were deleted.

    A finished job's files are normally gone already (``finish`` and a final ``fail``
    delete them); they are deleted here too, explicitly rather than through the foreign
    key's cascade, so that rows written before that rule or by hand leave nothing behind.
    """
    if older_than < timedelta(0):
        raise ValueError("older_than must not be negative")
    cutoff = (now or utcnow()) - older_than
    # updated_at stands in for a finished_at a hand-edited row might lack.
    finished_before = select(Job.id).where(
        Job.status.in_(policies.FINISHED),
        func.coalesce(Job.finished_at, Job.updated_at) < cutoff,
    )
    ids = list(session.scalars(finished_before))
    for start in range(0, len(ids), _PURGE_BATCH):
        batch = ids[start : start + _PURGE_BATCH]
        session.execute(delete(JobFile).where(JobFile.job_id.in_(batch)))
        session.execute(delete(Job).where(Job.id.in_(batch), Job.status.in_(policies.FINISHED)))
    return len(ids)


# Ids per DELETE: keeps each statement's parameter list well within SQLite's limit.
_PURGE_BATCH = 500


# ---- reading ----------------------------------------------------------------------------------


def get_job(session: Session, job_id: int) -> JobView:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("job")
    return _view(job)


def list_jobs(
    session: Session,
    *,
    kind: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[JobView], int]:
    """Newest first, with the count of all that match."""
    stmt = select(Job)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    if status:
        stmt = stmt.where(Job.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    jobs = session.scalars(stmt.order_by(Job.id.desc()).offset(offset).limit(limit)).all()
    return [_view(j) for j in jobs], int(total)


def latest_job(session: Session, kind: str, *, active_only: bool = False) -> JobView | None:
    stmt = select(Job).where(Job.kind == kind)
    if active_only:
        stmt = stmt.where(Job.status.in_(policies.ACTIVE))
    job = session.scalars(stmt.order_by(Job.id.desc()).limit(1)).first()
    return None if job is None else _view(job)


def board_job(session: Session, kind: str, wanted: int | None = None) -> JobView | None:
    """The job a run's page shows: the one asked for (``?job=``) if it is of this kind,
    else the latest of the kind while it is queued or running, or if it failed (so a
    failure is seen until a later run succeeds)."""
    if wanted is not None:
        job = session.get(Job, wanted)
        if job is not None and job.kind == kind:
            return _view(job)
    latest = latest_job(session, kind)
    if latest is not None and (latest.active or latest.status == "failed"):
        return latest
    return None


def has_active(session: Session, kind: str) -> bool:
    return latest_job(session, kind, active_only=True) is not None
