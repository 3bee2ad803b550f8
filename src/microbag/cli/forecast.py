"""Demand forecast commands: ``forecast run`` and ``export forecasts``.

``register(app, export_app)`` (called from cli/__init__.py) adds the ``microbag
forecast`` group and the ``forecasts`` command of the existing ``microbag export`` group.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
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

forecast_app = typer.Typer(no_args_is_help=True)


class Engine(StrEnum):
    local = "local"
    dask = "dask"


class Level(StrEnum):
    all = "all"
    total = "total"
    region = "region"
    type = "type"
    style = "style"
    sku = "sku"
    sku_region = "sku_region"


class Reconcile(StrEnum):
    bottom_up = "bottom_up"
    mint_ols = "mint_ols"
    mint_wls_struct = "mint_wls_struct"


class ExportFormat(StrEnum):
    csv = "csv"


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    app.add_typer(forecast_app, name="forecast", help="Demand forecasts with intervals.")
    export_app.command("forecasts")(export_forecasts)


@forecast_app.command("run")
def forecast_run(
    horizon: Annotated[int, typer.Option("--horizon", min=1, max=52, help="Weeks ahead")] = 8,
    engine: Annotated[
        Engine, typer.Option("--engine", help="local (in-process) or dask (a cluster)")
    ] = Engine.local,
    dask_address: Annotated[
        str | None,
        typer.Option("--dask-address", help="Scheduler of a running Dask cluster (tcp://...)"),
    ] = None,
    level: Annotated[
        Level,
        typer.Option("--level", help="all (the reconciled hierarchy) or one level alone"),
    ] = Level.all,
    reconcile: Annotated[
        Reconcile, typer.Option("--reconcile", help="How totals are made coherent")
    ] = Reconcile.bottom_up,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Use history before this day only (YYYY-MM-DD)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON")] = False,
    queue: Annotated[
        bool, typer.Option("--queue", help="Queue it for a worker instead of running it here")
    ] = False,
    if_missing: Annotated[
        bool,
        typer.Option("--if-missing", help="Only if no forecast is stored, queued or running"),
    ] = False,
) -> None:
    """Forecast H weeks past the last week of history (weeks start Monday; gross units)."""
    from microbag.cli.jobs import nothing_stored, queue_job
    from microbag.forecasting.service import run_forecast

    try:
        until_day = date.fromisoformat(until) if until else None
    except ValueError:
        fail("--until must be a date YYYY-MM-DD")
    if queue:
        job_payload: dict[str, Any] = {
            "horizon": horizon,
            "engine": engine.value,
            "dask_address": dask_address,
            "level": level.value,
            "reconcile": reconcile.value,
            "until": until,
        }
        queue_job("forecast_run", job_payload, if_missing=if_missing, as_json=as_json)
        return
    if if_missing and not nothing_stored("forecast_run"):
        console.print("a forecast is stored, queued or running: nothing to do")
        return
    db = database()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    with progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        try:
            with db.session(write=True) as session:
                result = run_forecast(
                    session,
                    horizon,
                    engine=engine.value,
                    dask_address=dask_address,
                    level=level.value,
                    reconcile=reconcile.value,
                    until=until_day,
                    progress=report,
                )
        except DomainError as exc:
            progress.stop()
            fail(exc)
    if as_json:
        payload = {
            "run_id": result.run_id,
            "horizon": result.horizon,
            "engine": result.engine,
            "levels": result.levels,
            "last_week": result.last_week,
            "first_week": result.first_week,
            "series": result.series,
            "seconds": result.seconds,
            "models": result.models,
            "backtest": result.backtest,
        }
        sys.stdout.write(json.dumps(payload, default=str) + "\n")
        return
    if result.last_week is None:
        console.print("no sales history yet: import some (microbag import sales) or take orders")
        return
    console.print(
        f"run {result.run_id}: {result.series:,} series x {result.horizon} weeks from "
        f"{result.first_week} ({result.engine}, {result.seconds:.1f} s)"
    )
    table = Table(
        box=box.SIMPLE_HEAD, title="Backtest (last 16 weeks, pooled)", title_justify="left"
    )
    for col in ("level", "model", "h", "WAPE", "MASE", "chosen for"):
        table.add_column(col, justify="right" if col in ("h", "WAPE", "MASE") else "left")
    for row in sorted(result.backtest, key=lambda r: (r["level"], r["horizon"], r["wape"] or 9e9)):
        if row["level"] not in ("sku", "sku_region", "total") and len(result.levels) > 1:
            continue
        table.add_row(
            row["level"],
            row["model"],
            str(row["horizon"]),
            "-" if row["wape"] is None else f"{row['wape']:.3f}",
            "-" if row["mase"] is None else f"{row['mase']:.3f}",
            str(result.models.get(row["model"], "")),
        )
    console.print(table)


def export_forecasts(
    level: Annotated[
        Level, typer.Option("--level", help="sku (all regions together), style, type, ...")
    ] = Level.sku,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv")] = ExportFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default stdout)")
    ] = None,
) -> None:
    """The latest forecast of a level: ``sku,week_start,mean,lo80,hi80`` (header = level)."""
    from microbag.forecasting.service import export_rows

    if level is Level.all:
        fail("--level must be one level (sku, style, ...)")
    with database().session() as session:
        rows = export_rows(session, level.value)
    if not rows:
        fail(f"no forecast at level {level.value}: run `microbag forecast run` first")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([level.value, "week_start", "mean", "lo80", "hi80"])
    for uid, week, mean, lo, hi in rows:
        writer.writerow([uid, week.isoformat(), f"{mean:.3f}", f"{lo:.3f}", f"{hi:.3f}"])
    if output is None:
        sys.stdout.write(buffer.getvalue())
        return
    output.write_text(buffer.getvalue(), encoding="utf-8")
    err_console.print(f"wrote {len(rows)} rows to {output}")
