"""The job kinds: forecast runs, trends runs and sales imports, on the existing services.

Each computes in a read transaction and writes in ``ctx.finishing()``, so that on SQLite
(one writer) the write lock is held only while the results are written, and the job's
outcome commits with them. A sales import reads and writes in one transaction (it is
all-or-nothing by design), as ``microbag import sales`` does.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from microbag.jobs.policies import BUNDLES_MINE, FORECAST_RUN, SALES_IMPORT, TRENDS_RUN
from microbag.jobs.registry import JobContext, PermanentError, register


def _int(payload: dict[str, Any], key: str, default: int) -> int:
    value = payload.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PermanentError(f"{key} must be a whole number, not {value!r}") from None


def _day(payload: dict[str, Any], key: str) -> date | None:
    value = payload.get(key)
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PermanentError(f"{key} must be a date YYYY-MM-DD, not {value!r}") from None


@register(FORECAST_RUN)
def forecast_run(ctx: JobContext) -> dict[str, Any] | None:
    """payload: horizon, engine, dask_address, level, reconcile, until (all optional)."""
    from microbag.forecasting.service import compute_forecast, store_forecast

    p = ctx.payload
    horizon = _int(p, "horizon", 8)
    engine = str(p.get("engine") or "local")
    level = str(p.get("level") or "all")
    until = _day(p, "until")
    started = time.perf_counter()
    ctx.progress(None, None, "reading the sales history")
    with ctx.db.session() as session:
        computed = compute_forecast(
            session,
            horizon,
            engine=engine,
            dask_address=p.get("dask_address") or None,
            level=level,
            reconcile=str(p.get("reconcile") or "bottom_up"),
            until=until,
            fast=bool(p.get("fast", False)),
            progress=ctx.stage_progress,
        )
    ctx.progress(None, None, "writing forecasts")
    with ctx.finishing() as session:
        run = store_forecast(
            session, horizon, computed, engine=engine, level=level, until=until, started=started
        )
        ctx.result = {
            "run_id": run.run_id,
            "horizon": run.horizon,
            "engine": run.engine,
            "levels": run.levels,
            "series": run.series,
            "seconds": run.seconds,
            "last_week": str(run.last_week) if run.last_week else None,
            "first_week": str(run.first_week) if run.first_week else None,
            "models": run.models,
            "message": (
                f"{run.series:,} series forecast {run.horizon} weeks ahead from the week of "
                f"{run.first_week}."
                if run.last_week
                else "No sales history yet: import some or take orders, then run again."
            ),
        }
    return ctx.result


@register(TRENDS_RUN)
def trends_run(ctx: JobContext) -> dict[str, Any] | None:
    """payload: window (weeks), include_signals."""
    from microbag.trends.policies import TrendParams
    from microbag.trends.service import compute_trends, store_trends

    p = ctx.payload
    window = _int(p, "window", 8)
    if not 1 <= window <= 52:
        raise PermanentError("window must be 1..52 weeks")
    include_signals = bool(p.get("include_signals", True))
    ctx.progress(0, 2, "computing trends")
    with ctx.db.session() as session:
        computed = compute_trends(
            session, TrendParams(window_weeks=window), include_signals=include_signals
        )
    ctx.progress(1, 2, "storing trends")
    with ctx.finishing() as session:
        stored = store_trends(session, computed, include_signals=include_signals)
        headline = [r for r in stored.rows if r.region == "all" and r.segment == "all"]
        labels = {
            label: sum(1 for r in headline if r.label == label)
            for label in ("rising", "steady", "fading")
        }
        ctx.result = {
            "run_id": stored.run_id,
            "window_weeks": window,
            "results": len(stored.rows),
            "first_week": str(stored.first_week) if stored.first_week else None,
            "last_week": str(stored.last_week) if stored.last_week else None,
            "labels": labels,
            "message": (
                f"{len(stored.rows):,} trends to the week of {stored.last_week}: "
                f"{labels['rising']} rising, {labels['fading']} fading (all regions)."
                if stored.last_week
                else "No sales history yet: import some or take orders, then run again."
            ),
        }
    return ctx.result


@register(SALES_IMPORT)
def sales_import(ctx: JobContext) -> dict[str, Any] | None:
    """payload: mapping (a saved mapping's name) or mapping_json (a mapping), until,
    skip_bad. The files are the job's (stored in the database with it)."""
    from microbag.history.importer import import_sales
    from microbag.history.policies import load_mapping, parse_mapping

    p = ctx.payload
    if isinstance(p.get("mapping_json"), dict):
        mapping = parse_mapping(p["mapping_json"], str(p.get("mapping") or "custom"))
    else:
        # Only a saved mapping's name: a path would read the worker's own disk.
        name = str(p.get("mapping") or "")
        if not name or "/" in name or "\\" in name or name.endswith(".json"):
            raise PermanentError("mapping must be the name of a saved mapping")
        mapping = load_mapping(name)
    files = ctx.files()
    if not files:
        raise PermanentError("the job has no files to import")
    until = _day(p, "until")
    # The readers take paths: the stored files are written to a private temporary
    # folder for the length of the import only (removed after, whatever happens).
    with tempfile.TemporaryDirectory(prefix="microbag-job-") as folder:
        paths = []
        for i, (name, content) in enumerate(files):
            safe = Path(name).name or f"file-{i}"
            path = Path(folder) / f"{i:03d}" / safe
            path.parent.mkdir()
            path.write_bytes(content)
            paths.append(path)
        with ctx.finishing() as session:
            report = import_sales(
                session,
                paths,
                mapping,
                until=until,
                skip_bad=bool(p.get("skip_bad", False)),
                progress=ctx.stage_progress,
                actor=ctx.job.created_by or "job",
            )
            ctx.result = {
                "batch_id": report.batch_id,
                "files": [name for name, _content in files],
                "rows_read": report.rows_read,
                "rows_imported": report.rows_imported,
                "skipped_until": report.skipped_until,
                "skipped_bad": report.skipped_bad,
                "returns": report.returns,
                "cancellations": report.cancellations,
                "skus_created": report.skus_created,
                "skus_matched": report.skus_matched,
                "seconds": report.seconds,
                "message": (
                    f"Imported {report.rows_imported:,} of {report.rows_read:,} lines "
                    f"(batch {report.batch_id})."
                ),
            }
    return ctx.result


@register(BUNDLES_MINE)
def bundles_mine(ctx: JobContext) -> dict[str, Any] | None:
    """Mine the baskets for SKUs ordered together and store the rules (no payload)."""
    from microbag.bundles.service import compute_mining, store_mining

    with ctx.db.session() as session:
        computed = compute_mining(session, progress=ctx.stage_progress)
    ctx.progress(None, None, "storing the rules")
    with ctx.finishing() as session:
        run = store_mining(session, computed, actor=ctx.job.created_by or "job")
        ctx.result = {
            "run_id": run.id,
            "baskets": computed.baskets,
            "skus": computed.skus,
            "rules": len(computed.rules),
            "seconds": computed.seconds,
            "last_week": str(computed.last_week) if computed.last_week else None,
            "message": (
                f"{len(computed.rules):,} rules from {computed.baskets:,} baskets to the week "
                f"of {computed.last_week}."
                if computed.last_week
                else "No sales history yet: import some or take orders, then run again."
            ),
        }
    return ctx.result
