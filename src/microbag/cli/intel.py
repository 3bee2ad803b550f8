"""Market intelligence commands: ``import sales``, ``import signals``, ``trends run``.

``register(app, import_app)`` (called from cli/__init__.py) adds the two import commands
to the existing ``microbag import`` group and the ``microbag trends`` group.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from microbag.cli.common import console, database, err_console, fail
from microbag.errors import DomainError

trends_app = typer.Typer(no_args_is_help=True)

_STAGES = {"read": "reading files", "check": "checking rows", "write": "writing lines"}


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    import_app.command("sales")(import_sales)
    import_app.command("signals")(import_signals)
    app.add_typer(trends_app, name="trends", help="Market trends: labels with their evidence.")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _print_rejection(exc: DomainError) -> None:
    table = Table(title="Import rejected: nothing was written", title_justify="left")
    table.add_column("line", justify="right")
    table.add_column("code")
    table.add_column("reason", overflow="fold")
    for item in exc.items:
        table.add_row("" if item.line is None else str(item.line), item.code, item.message)
    err_console.print(table)


def import_sales(
    files: Annotated[
        list[Path], typer.Argument(help="CSV or XLSX files, optionally gzip-compressed (.gz)")
    ],
    mapping: Annotated[
        str,
        typer.Option("--mapping", help="Saved mapping name (online-retail) or a JSON mapping file"),
    ],
    until: Annotated[
        str | None,
        typer.Option("--until", help="Skip rows dated on or after this day (YYYY-MM-DD)"),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help="Import the good rows and list the bad ones (default: reject the whole import)",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    queue: Annotated[
        bool,
        typer.Option("--queue", help="Store the files with a job for a worker to import"),
    ] = False,
) -> None:
    """Import other systems' sales lines into the history, all files in one transaction."""
    from microbag.history.importer import import_sales as run_import
    from microbag.history.importer import parse_until

    try:
        until_day = parse_until(until) if until else None
    except DomainError as exc:
        fail(exc)
    if queue:
        _queue_sales(files, mapping, until, skip_bad, as_json)
        return
    db = database()
    with _progress() as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(_STAGES.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        try:
            with db.session(write=True) as session:
                result = run_import(
                    session,
                    files,
                    mapping,
                    until=until_day,
                    skip_bad=skip_bad,
                    progress=report,
                    actor="cli",
                )
        except DomainError as exc:
            progress.stop()
            _print_rejection(exc)
            raise typer.Exit(1) from exc
    if as_json:
        data = asdict(result)
        data["skipped"] = [i.as_dict() for i in result.skipped]
        sys.stdout.write(json.dumps(data, default=str) + "\n")
        return
    if result.skipped:
        _print_rejection_skipped(result.skipped)
    console.print(
        f"imported {result.rows_imported:,} of {result.rows_read:,} lines from "
        f"{len(result.files)} file(s) in {result.seconds:.1f} s (batch {result.batch_id}, "
        f"{result.write_method}): {result.returns:,} returns and {result.cancellations:,} "
        f"cancellations flagged, {result.non_product:,} non-product lines; "
        f"{result.skus_created:,} imported SKUs created, {result.skus_matched:,} matched"
        + (f"; {result.skipped_until:,} rows on or after {until} skipped" if until else "")
        + (f"; {result.skipped_bad:,} bad rows skipped" if result.skipped_bad else "")
    )


def _queue_sales(
    files: list[Path], mapping: str, until: str | None, skip_bad: bool, as_json: bool
) -> None:
    """The files go into the database with the job (any worker on any machine reads them);
    a JSON mapping file goes into the payload, as the worker cannot read this disk."""
    from microbag.cli.jobs import queue_job

    payload: dict[str, Any] = {"mapping": mapping, "until": until, "skip_bad": skip_bad}
    try:
        if mapping.endswith(".json") or Path(mapping).is_file():
            payload["mapping"] = Path(mapping).stem
            payload["mapping_json"] = json.loads(Path(mapping).read_text(encoding="utf-8"))
        stored = [(path.name, path.read_bytes()) for path in files]
    except (OSError, ValueError) as exc:
        fail(f"cannot read {exc}")
    queue_job("sales_import", payload, as_json=as_json, files=stored)


def _print_rejection_skipped(items: list[Any]) -> None:
    table = Table(title="Bad rows left out (--skip-bad)", title_justify="left")
    table.add_column("line", justify="right")
    table.add_column("code")
    table.add_column("reason", overflow="fold")
    for item in items:
        table.add_row("" if item.line is None else str(item.line), item.code, item.message)
    err_console.print(table)


class SignalFormat(StrEnum):
    auto = "auto"
    csv = "csv"
    resale_listings = "resale-listings"


def import_signals(
    file: Annotated[Path, typer.Argument(help="Signals CSV/XLSX (.gz ok) or listings JSON lines")],
    source: Annotated[str, typer.Option("--source", help="Name of the signal source")],
    fmt: Annotated[
        SignalFormat,
        typer.Option(
            "--format", help="auto: .jsonl(.gz) are resale listings, anything else the CSV layout"
        ),
    ] = SignalFormat.auto,
) -> None:
    """Import outside signals (documented CSV layout, or resale listings as signals)."""
    from microbag.signals.importer import import_signal_csv
    from microbag.signals.resale import import_resale_listings

    kind = fmt
    if kind is SignalFormat.auto:
        name = file.name.lower().removesuffix(".gz")
        kind = SignalFormat.resale_listings if name.endswith(".jsonl") else SignalFormat.csv
    db = database()
    try:
        with err_console.status(f"importing {file.name}..."), db.session(write=True) as session:
            if kind is SignalFormat.resale_listings:
                result = import_resale_listings(session, file, source, actor="cli")
            else:
                result = import_signal_csv(session, file, source, actor="cli")
    except DomainError as exc:
        _print_rejection(exc)
        raise typer.Exit(1) from exc
    console.print(
        f"{result.points_written:,} points in {result.series:,} series from "
        f"{result.rows_read:,} rows ({result.format}, source {result.source}, "
        f"{result.first_date} .. {result.last_date})"
    )


@trends_app.command("run")
def trends_run(
    window: Annotated[
        int, typer.Option("--window", min=1, max=52, help="Weeks compared with the weeks before")
    ] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="Print every result as JSON")] = False,
    region: Annotated[str, typer.Option("--region", help="Region shown (all = together)")] = "all",
    segment: Annotated[str, typer.Option("--segment", help="Segment shown")] = "all",
    every_scope: Annotated[
        bool, typer.Option("--every-scope", help="Show every region and segment")
    ] = False,
    signals: Annotated[
        bool, typer.Option("--signals/--no-signals", help="Also label signal series")
    ] = True,
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="Store the run for the API and pages")
    ] = True,
    queue: Annotated[
        bool, typer.Option("--queue", help="Queue it for a worker instead of running it here")
    ] = False,
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Only if no run is stored, queued or running")
    ] = False,
) -> None:
    """Label each attribute value rising / steady / fading, with the evidence."""
    from microbag.cli.jobs import nothing_stored, queue_job
    from microbag.trends.policies import TrendParams
    from microbag.trends.service import compute_trends, run_trends

    if queue:
        if not store:
            fail("--queue stores the run: leave out --no-store")
        job_payload = {"window": window, "include_signals": signals}
        queue_job("trends_run", job_payload, if_missing=if_missing, as_json=as_json)
        return
    if if_missing and not nothing_stored("trends_run"):
        console.print("a trends run is stored, queued or running: nothing to do")
        return

    params = TrendParams(window_weeks=window)
    db = database()
    with err_console.status("computing trends..."), db.session(write=store) as session:
        if store:
            result = run_trends(session, params, include_signals=signals)
        else:
            result = compute_trends(session, params, include_signals=signals)
    rows = [r for r in result.rows if every_scope or (r.region == region and r.segment == segment)]
    if as_json:
        payload = {
            "run_id": result.run_id,
            "window_weeks": window,
            "first_week": result.first_week,
            "last_week": result.last_week,
            "results": [r.__dict__ for r in rows],
        }
        sys.stdout.write(json.dumps(payload, default=str) + "\n")
        return
    if result.last_week is None:
        console.print("no sales history yet: import some (microbag import sales) or take orders")
        return
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title=f"Trends ({region if region == segment else region + ', ' + segment}): "
        f"last {window} weeks vs the {window} before, to the week of {result.last_week}"
        + (f" (run {result.run_id})" if result.run_id else ""),
        title_justify="left",
    )
    show_basis = any(r.basis != "units" for r in rows)
    if show_basis:
        table.add_column("basis")
    table.add_column("attribute: value", no_wrap=True)
    show_scope = len({(r.region, r.segment) for r in rows}) > 1
    if show_scope:
        table.add_column("scope", no_wrap=True)
    table.add_column("label", no_wrap=True)
    table.add_column("growth", justify="right", no_wrap=True)
    table.add_column("recent/before", justify="right", no_wrap=True)
    table.add_column("MK", justify="right", no_wrap=True)
    table.add_column("changed", no_wrap=True)
    colors = {"rising": "green", "fading": "red", "steady": "dim"}
    arrows = {"increasing": "↑", "decreasing": "↓"}
    for r in rows:
        mk = r.evidence.get("mann_kendall")
        points = r.evidence.get("change_points") or []
        scope = r.region if r.segment == "all" else r.segment
        table.add_row(
            *([r.basis] if show_basis else []),
            f"{r.attribute}: {r.value}",
            *([scope] if show_scope else []),
            f"[{colors[r.label]}]{r.label}[/]",
            "new" if r.growth_pct is None else f"{r.growth_pct:+.0f}%",
            f"{r.recent_total:,.0f}/{r.previous_total:,.0f}",
            f"{arrows.get(mk['trend'], '·')}{mk['p']:.3f}" if mk else "-",
            (points[-1]["week"] or "") if points else "-",
        )
    console.print(table)
