"""Job kinds -> handler functions, and what a handler gets to work with (``JobContext``).

A handler takes a ``JobContext`` and returns the job's result (a JSON-able dict), or
writes its results and the job's outcome together in ``with ctx.finishing() as session``
(one transaction: the job is marked succeeded exactly when its results are committed).
It raises to fail the try: a ``DomainError`` (bad input, nothing to do) or a
``PermanentError`` fails the job at once; anything else (a database or a cluster that is
down) is retried with backoff while tries are left.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from microbag.db import Database, database_trouble
from microbag.jobs import service
from microbag.jobs.service import ClaimedJob

log = logging.getLogger("microbag.jobs")

Handler = Callable[["JobContext"], "dict[str, Any] | None"]
HANDLERS: dict[str, Handler] = {}


class PermanentError(Exception):
    """A failure that another try would only repeat (bad payload, unknown kind)."""


class LeaseLost(Exception):
    """This worker no longer holds the job (its lease expired and it was claimed again)."""


def register(kind: str) -> Callable[[Handler], Handler]:
    def add(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return add


def handler_for(kind: str) -> Handler:
    try:
        return HANDLERS[kind]
    except KeyError:
        raise PermanentError(f"no handler for job kind {kind!r}") from None


@dataclass
class JobContext:
    job: ClaimedJob
    db: Database
    worker_id: str
    lease_s: float
    # Progress is written at most this often (the last step of a stage always is).
    progress_every_s: float = 0.5
    result: dict[str, Any] | None = None
    finished: bool = False
    _in_write: bool = field(default=False, repr=False)
    _last_progress: float = field(default=0.0, repr=False)

    @property
    def payload(self) -> dict[str, Any]:
        return self.job.payload

    def progress(self, done: int | None, total: int | None, message: str) -> None:
        """Record progress in its own short transaction, so pages see it while the job runs.

        Best effort: a busy database does not fail the job. Skipped on SQLite while this
        job holds the write lock (its own writing would wait for itself); the job's
        lease cannot be taken over then either, as claiming needs that same lock.
        """
        now = time.monotonic()
        last_step = done is not None and total is not None and done >= total
        if not last_step and now - self._last_progress < self.progress_every_s:
            return
        if self._in_write and self.db.is_sqlite:
            return
        self._last_progress = now
        try:
            with self.db.session(write=True) as session:
                held = service.set_progress(
                    session, self.job.id, self.worker_id, done, total, message, self.lease_s
                )
        except Exception as exc:
            if database_trouble(exc) is None:
                raise
            log.warning("job %s: progress not recorded (%s)", self.job.id, exc)
            return
        if not held:
            raise LeaseLost(f"job {self.job.id} was claimed again by another worker")

    def stage_progress(self, stage: str, done: int, total: int) -> None:
        """The services' progress callback ``(stage, done, total)``."""
        self.progress(done, total, stage)

    def files(self) -> list[tuple[str, bytes]]:
        with self.db.session() as session:
            return service.job_files(session, self.job.id)

    @contextmanager
    def finishing(self) -> Iterator[Session]:
        """A write unit of work that also marks the job succeeded with ``self.result``
        (set it inside the block): both commit, or neither."""
        self._in_write = True
        try:
            with self.db.session(write=True) as session:
                yield session
                if not service.finish(session, self.job.id, self.worker_id, self.result):
                    raise LeaseLost(f"job {self.job.id} was claimed again by another worker")
            self.finished = True
        finally:
            self._in_write = False
