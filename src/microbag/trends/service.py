"""Trend use cases: compute labels with evidence, store a run, read the latest results.

``run_trends`` (the CLI's ``microbag trends run``) computes every series and stores a
``TrendRun`` with its ``TrendResult`` rows; the API reads the latest stored run, and
computes in memory (storing nothing) while no run exists yet.

Only complete weeks count: the week holding the last sale is left out unless it ended
(the UCI data stop on a Friday; a live shop is always mid-week), so a half week never
looks like a collapse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.errors import NotFound
from microbag.timeutil import utcnow
from microbag.trends import series as series_mod
from microbag.trends.models import TrendResult, TrendRun
from microbag.trends.policies import TrendParams, assess

# Weeks of history read for a run (change points see all of them).
HISTORY_WEEKS = 104


@dataclass
class TrendRow:
    basis: str
    attribute: str
    value: str
    region: str
    segment: str
    label: str
    growth_pct: float | None
    recent_total: float
    previous_total: float
    evidence: dict[str, Any]
    # [(week ISO, value)], oldest first
    series: list[list[Any]]

    @property
    def label_reason(self) -> str | None:
        """Why the label, in a word (policies.label_reason; None in runs stored before it)."""
        reason = (self.evidence or {}).get("label_reason")
        return str(reason) if reason else None

    @classmethod
    def from_result(cls, r: TrendResult) -> TrendRow:
        return cls(
            basis=r.basis,
            attribute=r.attribute,
            value=r.value,
            region=r.region,
            segment=r.segment,
            label=r.label,
            growth_pct=r.growth_pct,
            recent_total=r.recent_total,
            previous_total=r.previous_total,
            evidence=r.evidence,
            series=r.series,
        )


@dataclass
class TrendComputation:
    params: TrendParams
    first_week: date | None
    last_week: date | None
    rows: list[TrendRow]
    series_seen: int
    run_id: int | None = None


def _span(session: Session, _params: TrendParams) -> tuple[date, date] | None:
    last_at = series_mod.last_sale_at(session)
    if last_at is None:
        return None
    last = series_mod.last_complete_week(last_at)
    first = last - timedelta(weeks=HISTORY_WEEKS - 1)
    return first, last


def compute_trends(
    session: Session, params: TrendParams | None = None, *, include_signals: bool = True
) -> TrendComputation:
    """Every attribute value x scope, labelled with evidence (nothing is written)."""
    p = params or TrendParams()
    parts: list[pl.DataFrame] = []
    first_seen: date | None = None
    last: date | None = None
    span = _span(session, p)
    if span is not None:
        sales = _from_first_activity(series_mod.sales_series(session, *span))
        parts.append(sales)
        last = span[1]
        first_seen = sales.select(pl.col("ds").min()).item() if not sales.is_empty() else None
    signal_span = series_mod.signal_span(session, HISTORY_WEEKS) if include_signals else None
    if signal_span is not None:
        # Signals keep their own calendar: a 2024 crawl next to 2011 sales is still news.
        parts.append(_from_first_activity(series_mod.signal_series(session, *signal_span)))
    if not parts:
        return TrendComputation(p, None, None, [], 0)
    frame = pl.concat(parts)
    grouped = frame.sort("ds").group_by(series_mod.SERIES_KEY, maintain_order=True).agg("ds", "y")
    rows: list[TrendRow] = []
    for key in grouped.sort(series_mod.SERIES_KEY).iter_rows(named=True):
        weeks: list[date] = key["ds"]
        values: list[float] = key["y"]
        evidence = assess(values, weeks, p)
        if evidence is None:
            continue
        rows.append(
            TrendRow(
                basis=key["basis"],
                attribute=key["attribute"],
                value=key["value"],
                region=key["region"],
                segment=key["segment"],
                label=evidence.label,
                growth_pct=evidence.growth_pct,
                recent_total=evidence.recent_total,
                previous_total=evidence.previous_total,
                evidence=evidence.as_dict(),
                series=[[w.isoformat(), v] for w, v in zip(weeks, values, strict=True)],
            )
        )
    return TrendComputation(p, first_seen, last, rows, grouped.height)


def _from_first_activity(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop the grid's weeks before anything happened (they are no history, just zeros)."""
    first = frame.filter(pl.col("y") != 0).select(pl.col("ds").min()).item()
    return frame if first is None else frame.filter(pl.col("ds") >= first)


def run_trends(
    session: Session, params: TrendParams | None = None, *, include_signals: bool = True
) -> TrendComputation:
    """Compute and store a run (the caller's unit of work commits it)."""
    result = compute_trends(session, params, include_signals=include_signals)
    return store_trends(session, result, include_signals=include_signals)


def store_trends(
    session: Session, result: TrendComputation, *, include_signals: bool = True
) -> TrendComputation:
    """Store a computed run (split from computing so a background job can compute in a read
    transaction and hold SQLite's write lock only while writing); sets ``run_id``."""
    run = TrendRun(
        created_at=utcnow(),
        window_weeks=result.params.window_weeks,
        last_week=result.last_week,
        params=result.params.as_dict() | {"include_signals": include_signals},
        results_count=len(result.rows),
    )
    session.add(run)
    session.flush()
    session.bulk_insert_mappings(
        TrendResult, [{"run_id": run.id, **row.__dict__} for row in result.rows]
    )
    result.run_id = run.id
    return result


def latest_run(session: Session) -> TrendRun | None:
    return session.scalars(select(TrendRun).order_by(TrendRun.id.desc()).limit(1)).first()


@dataclass
class TrendFilters:
    attribute: str | None = None
    value: str | None = None
    region: str | None = None
    segment: str | None = None
    label: str | None = None
    basis: str | None = None


def _matches(row: TrendRow, f: TrendFilters) -> bool:
    return all(
        wanted is None or getattr(row, name) == wanted
        for name, wanted in (
            ("attribute", f.attribute),
            ("value", f.value),
            ("region", f.region),
            ("segment", f.segment),
            ("label", f.label),
            ("basis", f.basis),
        )
    )


def list_trends(
    session: Session, filters: TrendFilters, *, offset: int = 0, limit: int = 50
) -> tuple[list[TrendRow], int, TrendRun | None]:
    """Results of the latest run (or computed now, when none is stored), filtered."""
    run = latest_run(session)
    if run is None:
        rows = [r for r in compute_trends(session).rows if _matches(r, filters)]
        return rows[offset : offset + limit], len(rows), None
    conds = [TrendResult.run_id == run.id]
    for name in ("attribute", "value", "region", "segment", "label", "basis"):
        wanted = getattr(filters, name)
        if wanted is not None:
            conds.append(getattr(TrendResult, name) == wanted)
    total = session.execute(
        select(func.count()).select_from(TrendResult).where(*conds)
    ).scalar_one()
    results = session.scalars(
        select(TrendResult)
        .where(*conds)
        .order_by(
            TrendResult.basis,
            TrendResult.attribute,
            TrendResult.value,
            TrendResult.region,
            TrendResult.segment,
        )
        .offset(offset)
        .limit(limit)
    )
    return [TrendRow.from_result(r) for r in results], int(total), run


def trend_detail(
    session: Session,
    attribute: str,
    value: str,
    *,
    region: str = series_mod.ALL,
    segment: str = series_mod.ALL,
    basis: str = "units",
) -> tuple[TrendRow, TrendRun | None]:
    filters = TrendFilters(
        attribute=attribute, value=value, region=region, segment=segment, basis=basis
    )
    rows, _total, run = list_trends(session, filters, limit=1)
    if not rows:
        raise NotFound("trend")
    return rows[0], run
