"""Background jobs: a table-based queue (one row per job) and the files a job reads.

A job is queued by ``jobs.service.enqueue`` inside the caller's unit of work, so it
exists only if that transaction commits. Workers claim due rows (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite's single writer serialises claims) and hold a lease
(``locked_by`` / ``locked_until``) that they renew while the job runs: a job whose
worker died is claimed again once its lease has expired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, BigIntPK, UTCDateTime
from microbag.timeutil import utcnow

# queued -> running -> succeeded | failed; running -> queued again (a retry after backoff).
STATUSES = ("queued", "running", "succeeded", "failed")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')", name="status_known"
        ),
        CheckConstraint("attempts >= 0 AND max_attempts >= 1", name="attempts_valid"),
        # What the claim query scans: due queued jobs, and running ones whose lease ran out.
        Index("ix_jobs_status_run_after", "status", "run_after"),
        Index("ix_jobs_kind_created_at", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    # forecast_run | trends_run | sales_import (the handler registry's keys)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    # Not claimed before this (a retry's backoff, or a job queued for later).
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(200))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    progress_done: Mapped[int | None]
    progress_total: Mapped[int | None]
    progress_message: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    # Who queued it: a staff user's e-mail, or "cli".
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobFile(Base):
    """An uploaded file a job reads (a sales import): kept in the database, so whichever
    worker claims the job can read it, and deleted with the job."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    job_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)


JOB_MODELS = (Job, JobFile)
