"""The worker: claim a due job, run its handler, record the outcome; poll; stop cleanly.

``microbag worker`` runs ``run_workers`` (``--once``: what is due now, then exit;
``--concurrency N``: N claiming threads in one process). Several processes on several
machines may run at once against one PostgreSQL database: claims never hand one job to
two workers (see jobs/service.py). While a job runs, a heartbeat thread renews its
lease; a worker that dies stops renewing, and once the lease expires another worker
claims the job again (that try counts against ``max_attempts``).
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import uuid
from collections.abc import Sequence

from microbag.db import Database, database_trouble
from microbag.errors import DomainError
from microbag.jobs import handlers as _handlers  # noqa: F401 - registers the job kinds
from microbag.jobs import policies, service
from microbag.jobs.registry import JobContext, LeaseLost, PermanentError, handler_for
from microbag.jobs.service import ClaimedJob
from microbag.notifications.delivery import deliver_due
from microbag.orders import backorders

log = logging.getLogger("microbag.jobs")


def new_worker_id(suffix: str = "") -> str:
    """host:pid:random (what ``locked_by`` shows, so an operator can find the process)."""
    base = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    return f"{base}:{suffix}" if suffix else base


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return "\n".join(
            (
                f"line {i.line}: "
                if i.line is not None and f"line {i.line}:" not in i.message
                else ""
            )
            + f"{i.message} ({i.code})"
            for i in exc.items
        )
    return f"{type(exc).__name__}: {exc}"


class _Heartbeat:
    """Renews the running job's lease every third of it, until stopped."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self._run, name=f"job-{ctx.job.id}-heartbeat", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        ctx = self.ctx
        while not self.stop.wait(ctx.lease_s / 3):
            # On SQLite while the job writes, claiming waits for the same lock: no renewal
            # needed, and trying would only wait behind the job's own transaction.
            if ctx._in_write and ctx.db.is_sqlite:
                continue
            try:
                with ctx.db.session(write=True) as session:
                    held = service.renew_lease(session, ctx.job.id, ctx.worker_id, ctx.lease_s)
            except Exception as exc:
                log.warning("job %s: lease not renewed (%s)", ctx.job.id, exc)
                continue
            if not held:
                log.warning("job %s: lease lost to another worker", ctx.job.id)
                return


class Worker:
    def __init__(
        self,
        db: Database,
        *,
        worker_id: str | None = None,
        poll_interval_s: float = 1.0,
        lease_s: float = policies.DEFAULT_LEASE_S,
        backoff_base_s: float = policies.BACKOFF_BASE_S,
        kinds: Sequence[str] | None = None,
        deliver_mail: bool = True,
        fill_backorders: bool = True,
    ) -> None:
        self.db = db
        # Every worker also delivers the mail outbox between jobs (notifications.delivery).
        self.deliver_mail = deliver_mail
        # ... and gives stock that arrived unnoticed (a count, released units) to the
        # lines waiting for it (orders.backorders; receipts fill at once already).
        self.fill_backorders = fill_backorders
        self.worker_id = worker_id or new_worker_id()
        self.poll_interval_s = poll_interval_s
        self.lease_s = lease_s
        self.backoff_base_s = backoff_base_s
        self.kinds = list(kinds) if kinds else None

    def claim(self) -> ClaimedJob | None:
        return self.db.run(
            lambda s: service.claim_next(s, self.worker_id, lease_s=self.lease_s, kinds=self.kinds),
            write=True,
        )

    def run_one(self) -> bool:
        """Deliver the due mail, then claim and run one due job; False when neither
        anything was sent nor a job was due."""
        mailed = deliver_due(self.db, self.worker_id) if self.deliver_mail else 0
        filled = self.fill_waiting() if self.fill_backorders else 0
        job = self.claim()
        if job is None:
            return mailed > 0 or filled > 0
        self.execute(job)
        return True

    def fill_waiting(self) -> int:
        """Lines given stock this pass; a read first, so an idle pass writes nothing."""
        skus = self.db.run(backorders.fillable_sku_ids)
        if not skus:
            return 0
        filled = self.db.run(lambda s: backorders.fill_waiting(s, skus), write=True)
        for f in filled:
            log.info("order %s line %s: %s units reserved", f.order_id, f.line_no, f.units)
        return len(filled)

    def execute(self, job: ClaimedJob) -> None:
        ctx = JobContext(job, self.db, self.worker_id, self.lease_s)
        log.info("job %s (%s) try %d of %d", job.id, job.kind, job.attempt, job.max_attempts)
        try:
            with _Heartbeat(ctx):
                handler = handler_for(job.kind)
                result = handler(ctx)
                if not ctx.finished:
                    with self.db.session(write=True) as session:
                        if not service.finish(session, job.id, self.worker_id, result):
                            raise LeaseLost(f"job {job.id} was claimed again by another worker")
            log.info("job %s (%s) succeeded", job.id, job.kind)
        except LeaseLost as exc:
            log.warning("%s; its outcome here is dropped", exc)
        except (DomainError, PermanentError) as exc:
            self._record_failure(job, exc, retry=False)
        except Exception as exc:
            log.exception("job %s (%s) try %d failed", job.id, job.kind, job.attempt)
            self._record_failure(job, exc, retry=True)

    def _record_failure(self, job: ClaimedJob, exc: BaseException, *, retry: bool) -> None:
        error = describe_error(exc)
        status = self.db.run(
            lambda s: service.fail(
                s, job.id, self.worker_id, error, retry=retry, backoff_base_s=self.backoff_base_s
            ),
            write=True,
        )
        if status == "queued":
            log.warning("job %s (%s) failed, will retry: %s", job.id, job.kind, error)
        elif status == "failed":
            log.error("job %s (%s) failed for good: %s", job.id, job.kind, error)

    def run(self, *, once: bool = False, stop: threading.Event | None = None) -> int:
        """Run jobs until ``stop`` is set (or, with ``once``, until none is due).

        A job that has started is finished before stopping. Returns the jobs run.
        """
        stop = stop or threading.Event()
        count = 0
        while not stop.is_set():
            try:
                ran = self.run_one()
            except Exception as exc:
                if database_trouble(exc) is None:
                    raise
                # The database is down or busy: wait and try again, do not die.
                log.warning("worker %s: cannot claim jobs (%s)", self.worker_id, exc)
                if once:
                    raise
                stop.wait(max(self.poll_interval_s, 5.0))
                continue
            if ran:
                count += 1
                continue
            if once:
                break
            stop.wait(self.poll_interval_s)
        return count


def run_workers(
    db: Database,
    *,
    concurrency: int = 1,
    once: bool = False,
    stop: threading.Event | None = None,
    poll_interval_s: float = 1.0,
    lease_s: float = policies.DEFAULT_LEASE_S,
) -> int:
    """``concurrency`` workers in threads of this process (each claims on its own)."""
    stop = stop or threading.Event()
    base = new_worker_id()
    workers = [
        Worker(db, worker_id=f"{base}:{i}", poll_interval_s=poll_interval_s, lease_s=lease_s)
        for i in range(concurrency)
    ]
    if concurrency == 1:
        return workers[0].run(once=once, stop=stop)
    counts = [0] * concurrency
    errors: list[BaseException] = []

    def loop(i: int) -> None:
        try:
            counts[i] = workers[i].run(once=once, stop=stop)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            stop.set()

    threads = [
        threading.Thread(target=loop, args=(i,), name=f"worker-{i}") for i in range(concurrency)
    ]
    for t in threads:
        t.start()
    for t in threads:
        # Short joins keep the main thread free to receive SIGTERM / Ctrl+C.
        while t.is_alive():
            t.join(timeout=0.5)
    if errors:
        raise errors[0]
    return sum(counts)


def start_background_worker(db: Database, *, poll_interval_s: float = 1.0) -> threading.Event:
    """One worker in a daemon thread of this process (``microbag serve --with-worker``).

    Returns the event that stops it; it is also stopped (after its current job, at most
    a few seconds' wait) when the process exits. A job cut off by the exit is claimed
    again once its lease expires.
    """
    stop = threading.Event()
    worker = Worker(db, poll_interval_s=poll_interval_s)

    def loop() -> None:
        while not stop.is_set():
            try:
                worker.run(stop=stop)
            except Exception:
                log.exception("background worker stopped by an error; starting again")
                stop.wait(5.0)

    thread = threading.Thread(target=loop, name="microbag-worker", daemon=True)
    thread.start()

    def _stop() -> None:
        stop.set()
        thread.join(timeout=5)

    atexit.register(_stop)
    return stop
