"""Background work: ``microbag worker``, ``jobs list`` and ``jobs purge``, and queueing.

``register(app)`` (called from cli/__init__.py) adds the ``worker`` command and the
``jobs`` group. ``queue_job`` is what ``forecast run --queue`` and ``trends run --queue``
call.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from microbag.cli.common import console, database, err_console

jobs_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.add_typer(
        jobs_app, name="jobs", help="Background jobs (forecast and trends runs, imports)."
    )


def queue_job(
    kind: str,
    payload: dict[str, Any],
    *,
    if_missing: bool = False,
    as_json: bool = False,
    files: list[tuple[str, bytes]] | None = None,
) -> None:
    """Queue a job (committed at once) and say so; with ``if_missing``, only when nothing of
    its kind was stored or is queued or running (``make run`` after ``demo load``)."""
    from microbag.jobs import service

    with database().session(write=True) as session:
        if if_missing and (_has_result(session, kind) or service.has_active(session, kind)):
            message = f"not queued: a {kind.replace('_', ' ')} exists or is queued"
            if as_json:
                sys.stdout.write(json.dumps({"job_id": None, "status": "skipped"}) + "\n")
            else:
                console.print(message)
            return
        job = service.enqueue(session, kind, payload, created_by="cli", files=files or ())
    if as_json:
        sys.stdout.write(json.dumps({"job_id": job.id, "status": job.status}) + "\n")
        return
    console.print(
        f"queued job {job.id} ({kind}); a worker runs it (`microbag worker`, or "
        "`make run` starts one); `microbag jobs list` shows it"
    )


def _has_result(session: Any, kind: str) -> bool:
    if kind == "forecast_run":
        from microbag.forecasting.service import latest_run

        return latest_run(session) is not None
    if kind == "trends_run":
        from microbag.trends.service import latest_run as latest_trends

        return latest_trends(session) is not None
    return False


def nothing_stored(kind: str) -> bool:
    """True when no run of ``kind`` is stored and none is queued or running."""
    from microbag.jobs import service

    with database().session() as session:
        return not (_has_result(session, kind) or service.has_active(session, kind))


def worker(
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="Run the jobs and deliver the mail that are due now, then exit"
        ),
    ] = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=32, help="Jobs run at once (threads)")
    ] = 1,
    poll_interval: Annotated[
        float,
        typer.Option("--poll-interval", min=0.05, max=300, help="Seconds between looks"),
    ] = 1.0,
) -> None:
    """Run queued jobs with retries and backoff (SIGTERM / Ctrl+C: finish the job, stop)."""
    from microbag.jobs.worker import run_workers

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        if stop.is_set():  # a second signal: leave now (the job's lease lets it run again)
            raise SystemExit(130)
        err_console.print("stopping after the running job (again to stop at once)")
        stop.set()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        if not once:
            err_console.print(
                f"microbag worker: {concurrency} at once, looking every {poll_interval:g} s"
            )
        count = run_workers(
            database(), concurrency=concurrency, once=once, stop=stop, poll_interval_s=poll_interval
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    err_console.print(f"{count} job(s) run")


class Status(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


@jobs_app.command("list")
def jobs_list(
    status: Annotated[Status | None, typer.Option("--status", help="Only this status")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the jobs as JSON")] = False,
) -> None:
    """The newest jobs: status, tries, progress, result or error."""
    from microbag.jobs import service

    with database().session() as session:
        jobs, total = service.list_jobs(
            session, kind=kind, status=status.value if status else None, limit=limit
        )
    if as_json:
        rows = [
            {
                "id": j.id,
                "kind": j.kind,
                "status": j.status,
                "attempts": j.attempts,
                "max_attempts": j.max_attempts,
                "progress": {
                    "done": j.progress.done,
                    "total": j.progress.total,
                    "message": j.progress.message,
                },
                "result": j.result,
                "error": j.error,
                "created_by": j.created_by,
                "created_at": j.created_at.isoformat(),
                "finished_at": j.finished_at.isoformat() if j.finished_at else None,
            }
            for j in jobs
        ]
        sys.stdout.write(json.dumps(rows, default=str) + "\n")
        return
    if not jobs:
        console.print("no jobs")
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"Jobs ({len(jobs)} of {total})", title_justify="left")
    for col in ("id", "kind", "status", "tries", "progress", "created", "result / error"):
        table.add_column(col, overflow="fold")
    for j in jobs:
        progress = j.progress.message
        if j.progress.percent is not None:
            progress = f"{j.progress.percent}% {progress}"
        outcome = (j.result or {}).get("message", "") if j.status == "succeeded" else j.error or ""
        table.add_row(
            str(j.id),
            j.kind,
            j.status,
            f"{j.attempts}/{j.max_attempts}",
            progress,
            f"{j.created_at:%Y-%m-%d %H:%M} {j.created_by}",
            str(outcome).splitlines()[0] if outcome else "",
        )
    console.print(table)


@jobs_app.command("purge")
def jobs_purge(
    older_than: Annotated[
        int,
        typer.Option(
            "--older-than",
            metavar="DAYS",
            min=0,
            max=36_500,
            help="Delete succeeded and failed jobs that finished more than this many days ago",
        ),
    ] = 30,
) -> None:
    """Delete finished (succeeded or failed) jobs older than --older-than days, and their
    files; queued and running jobs stay."""
    from datetime import timedelta

    from microbag.jobs import service

    with database().session(write=True) as session:
        deleted = service.purge_finished(session, timedelta(days=older_than))
    console.print(f"purged {deleted} finished job(s) older than {older_than} day(s)")
