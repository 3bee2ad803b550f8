"""Demand forecasts: run, store and read them (callers own the transaction).

``run_forecast`` reads the weekly history (``history.service.weekly_units``: gross units
ordered per week starting Monday), backtests and chooses a model per series, forecasts
``horizon`` weeks past the last week of history, reconciles the hierarchy and stores
the run with its forecasts and backtest scores.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style
from microbag.errors import DomainError, ErrorItem, NotFound
from microbag.forecasting import buyer_facts, hierarchy
from microbag.forecasting.engine import SeriesForecast, forecast_series
from microbag.forecasting.models import BacktestScore, Forecast, ForecastRun
from microbag.forecasting.policies import (
    HORIZONS,
    Prediction,
    Score,
    SeasonAdjusted,
    Series,
    pooled,
)
from microbag.history.service import LEVELS, weekly_units

Progress = Callable[[str, int, int], None]
# What compute_forecast returns: (level, unique_id) -> (prediction, model), the per-series
# results (for the scores) and facts about the run.
Computed = tuple[
    dict[tuple[str, str], tuple[Prediction, str]], list[SeriesForecast], dict[str, Any]
]
MAX_HORIZON = 52
ENGINES = ("local", "dask")


@dataclass
class RunResult:
    run_id: int | None
    horizon: int
    engine: str
    levels: list[str]
    last_week: date | None
    first_week: date | None
    series: int = 0
    seconds: float = 0.0
    models: dict[str, int] = field(default_factory=dict)
    backtest: list[dict[str, Any]] = field(default_factory=list)


def _series(frame: pl.DataFrame, regions: dict[str, str | None], ratio: float) -> list[Series]:
    out = []
    for (uid,), part in frame.sort("unique_id", "ds").group_by(["unique_id"], maintain_order=True):
        out.append(
            Series(
                unique_id=str(uid),
                start=part["ds"][0],
                y=part["y"].to_numpy().astype(float),
                region=regions.get(str(uid)),
                holiday_ratio=ratio,
            )
        )
    return out


def holiday_ratio(total: pl.DataFrame) -> float:
    """The market's in-season / off-season level ratio (1 without both kinds of weeks)."""
    if total.is_empty():
        return 1.0
    series = Series("total", total["ds"][0], total["y"].to_numpy().astype(float))
    factor = SeasonAdjusted.__new__(SeasonAdjusted)
    factor.season, factor.alpha = "holiday", 1.0
    flags = factor.flags(series, 0, len(series.y))
    if not flags.any() or flags.all():
        return 1.0
    return float((series.y[flags].mean() + 1.0) / (series.y[~flags].mean() + 1.0))


def _bottom_frame(session: Session, until: date | None) -> pl.DataFrame:
    """sku, region, style, type, ds, y per SKU/region and week."""
    frame = weekly_units(session, "sku_region", until=until)
    if frame.is_empty():
        return frame
    frame = frame.with_columns(
        sku=pl.Series([u.rsplit("/", 1)[0] for u in frame["unique_id"].to_list()], dtype=pl.String),
        region=pl.Series(
            [u.rsplit("/", 1)[1] for u in frame["unique_id"].to_list()], dtype=pl.String
        ),
    )
    codes = frame["sku"].unique().to_list()
    styles: dict[str, tuple[str, str]] = {}
    for i in range(0, len(codes), 500):
        rows = session.execute(
            select(Sku.code, Style.code, Style.bag_type)
            .join(Style, Style.id == Sku.style_id)
            .where(Sku.code.in_(codes[i : i + 500]))
        ).all()
        styles.update({c: (s, t) for c, s, t in rows})
    return frame.with_columns(
        region=pl.when(pl.col("region").is_in(["None", ""]))
        .then(pl.lit("other"))
        .otherwise(pl.col("region")),
        style=pl.col("sku").replace_strict(
            {c: v[0] for c, v in styles.items()}, default="unknown", return_dtype=pl.String
        ),
        type=pl.col("sku").replace_strict(
            {c: v[1] for c, v in styles.items()}, default="unknown", return_dtype=pl.String
        ),
    ).select("sku", "region", "style", "type", "ds", "y")


def compute_forecast(
    session: Session,
    horizon: int,
    *,
    engine: str = "local",
    dask_address: str | None = None,
    level: str = "all",
    reconcile: str = "bottom_up",
    until: date | None = None,
    fast: bool = False,
    progress: Progress | None = None,
) -> Computed:
    """Forecasts keyed by (level, unique_id) -> (prediction, model), the per-series
    results (for the scores) and facts about the run. Nothing is written."""
    if not 1 <= horizon <= MAX_HORIZON:
        raise DomainError(ErrorItem("invalid_horizon", f"horizon must be 1..{MAX_HORIZON} weeks"))
    if engine not in ENGINES:
        raise DomainError(ErrorItem("invalid_engine", "engine must be local or dask"))
    if level != "all" and level not in LEVELS:
        raise DomainError(ErrorItem("invalid_level", f"level must be all or one of {LEVELS}"))
    if reconcile not in hierarchy.RECONCILERS:
        raise DomainError(
            ErrorItem("invalid_reconcile", f"reconcile must be one of {hierarchy.RECONCILERS}")
        )
    total = weekly_units(session, "total", until=until)
    facts: dict[str, Any] = {"reconcile": reconcile if level == "all" else None}
    if total.is_empty():
        return {}, [], facts | {"last_week": None, "first_week": None}
    last_week: date = total["ds"].max()  # type: ignore[assignment]
    first_week = last_week + timedelta(weeks=1)
    facts |= {"last_week": last_week, "first_week": first_week}
    ratio = holiday_ratio(total)

    def report(done: int, count: int) -> None:
        if progress:
            progress("forecasting series", done, count)

    out: dict[tuple[str, str], tuple[Prediction, str]] = {}
    if level != "all":
        frame = weekly_units(session, level, until=until)  # type: ignore[arg-type]
        regions: dict[str, str | None] = {}
        if level in ("region", "sku_region"):
            regions = {u: u.rsplit("/", 1)[-1] for u in frame["unique_id"].unique().to_list()}
        plain = _series(frame, regions, ratio)
        names = {s.unique_id: (level, s.unique_id) for s in plain}
        results = forecast_series(
            buyer_facts.with_facts(session, plain, names, until=until),
            horizon,
            engine=engine,
            dask_address=dask_address,
            fast=fast,
            progress=report,
        )
        for r in results:
            out[(level, r.unique_id)] = (r.prediction, r.choice.model)
        facts["levels"] = [level]
        return out, results, facts
    bottom = _bottom_frame(session, until)
    hier = hierarchy.build(bottom)
    wanted = set(hier.bottom) if reconcile == "bottom_up" else set(hier.names)
    frame = hier.y.filter(pl.col("unique_id").is_in(list(wanted)))
    frame = frame.filter(pl.col("y").cum_sum().over("unique_id") > 0)  # from the first sale
    plain = _series(frame, hier.regions, ratio)
    results = forecast_series(
        buyer_facts.with_facts(session, plain, hier.names, until=until),
        horizon,
        engine=engine,
        dask_address=dask_address,
        fast=fast,
        progress=report,
    )
    base = {r.unique_id: r.prediction for r in results}
    chosen = {r.unique_id: r.choice.model for r in results}
    reconciled = hierarchy.reconcile(hier, base, first_week, horizon, reconcile)
    for internal, pred in reconciled.items():
        lvl, public = hier.names[internal]
        model = chosen.get(internal, "BottomUp")
        out[(lvl, public)] = (pred, model)
    # Scores are stored under public names.
    for r in results:
        r.unique_id = "|".join(hier.names[r.unique_id])
    facts["levels"] = list(hierarchy.LEVEL_COLUMNS)
    return out, results, facts


def run_forecast(
    session: Session,
    horizon: int,
    *,
    engine: str = "local",
    dask_address: str | None = None,
    level: str = "all",
    reconcile: str = "bottom_up",
    until: date | None = None,
    fast: bool = False,
    progress: Progress | None = None,
) -> RunResult:
    """Compute and store a forecast run (forecasts and backtest scores)."""
    started = time.perf_counter()
    computed = compute_forecast(
        session,
        horizon,
        engine=engine,
        dask_address=dask_address,
        level=level,
        reconcile=reconcile,
        until=until,
        fast=fast,
        progress=progress,
    )
    return store_forecast(
        session,
        horizon,
        computed,
        engine=engine,
        level=level,
        until=until,
        started=started,
        progress=progress,
    )


def store_forecast(
    session: Session,
    horizon: int,
    computed: Computed,
    *,
    engine: str = "local",
    level: str = "all",
    until: date | None = None,
    started: float | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Store what ``compute_forecast`` returned as a run. Split from the computing so a
    background job can compute in a read transaction and hold the write lock (SQLite's
    only writer) just for the writing; ``started`` (``time.perf_counter()``) times the run."""
    started = time.perf_counter() if started is None else started
    out, results, facts = computed
    levels = facts.get("levels", [])
    run = ForecastRun(
        horizon=horizon,
        engine=engine,
        params={
            "level": level,
            "levels": levels,
            "reconcile": facts.get("reconcile"),
            "last_week": str(facts["last_week"]) if facts.get("last_week") else None,
            "backtest": {"weeks": 16, "step": 4, "horizons": list(HORIZONS)},
            "series": len(out),
            "until": str(until) if until else None,
        },
    )
    session.add(run)
    session.flush()
    first_week = facts.get("first_week")
    if progress:
        progress("writing forecasts", 0, len(out))
    rows = []
    for (lvl, uid), (pred, model) in out.items():
        for k in range(horizon):
            rows.append(
                {
                    "run_id": run.id,
                    "level": lvl,
                    "unique_id": uid,
                    "week_start": first_week + timedelta(weeks=k),  # type: ignore[operator]
                    "mean": float(pred.mean[k]),
                    "lo80": float(pred.lo[k]),
                    "hi80": float(pred.hi[k]),
                    "model": model,
                }
            )
    for i in range(0, len(rows), 5000):
        session.execute(insert(Forecast), rows[i : i + 5000])
    scores = score_rows(run.id, results, level)
    for i in range(0, len(scores), 5000):
        session.execute(insert(BacktestScore), scores[i : i + 5000])
    run.duration = round(time.perf_counter() - started, 3)
    session.flush()
    models: dict[str, int] = {}
    for _key, (_p, model) in out.items():
        models[model] = models.get(model, 0) + 1
    return RunResult(
        run_id=run.id,
        horizon=horizon,
        engine=engine,
        levels=levels,
        last_week=facts.get("last_week"),
        first_week=first_week,
        series=len(out),
        seconds=run.duration,
        models=models,
        backtest=[r for r in scores if r["unique_id"] == "*"],
    )


def _clean(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 6)


def score_rows(run_id: int, results: list[SeriesForecast], level: str) -> list[dict[str, Any]]:
    """Per series: the chosen model's scores; per level: every model pooled ('*')."""
    rows: list[dict[str, Any]] = []
    by_level: dict[str, list[Any]] = {}
    for r in results:
        lvl, uid = r.unique_id.split("|", 1) if "|" in r.unique_id else (level, r.unique_id)
        by_level.setdefault(lvl, []).append(r.scores)
        for h, s in r.scores.get(r.choice.model, {}).items():
            rows.append(_score(run_id, lvl, uid, r.choice.model, h, s, True))
    for lvl, scores in by_level.items():
        chosen_names = {r.choice.model for r in results}
        for model, by_h in pooled(scores).items():
            for h, s in by_h.items():
                rows.append(_score(run_id, lvl, "*", model, h, s, model in chosen_names))
        # microbag's selection pooled: each series with its chosen model.
        picked = pooled(
            [
                {"microbag": r.scores.get(r.choice.model, {})}
                for r in results
                if (r.unique_id.split("|", 1)[0] if "|" in r.unique_id else level) == lvl
            ]
        )
        for h, s in picked.get("microbag", {}).items():
            rows.append(_score(run_id, lvl, "*", "microbag", h, s, True))
    return rows


def _score(
    run_id: int, level: str, uid: str, model: str, h: int, s: Score, chosen: bool
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "level": level,
        "unique_id": uid,
        "model": model,
        "horizon": h,
        "wape": _clean(s.wape),
        "mase": _clean(s.mase),
        "origins": s.origins,
        "chosen": chosen,
    }


# ---- reading -----------------------------------------------------------------------------------


def latest_run(session: Session, level: str | None = None) -> ForecastRun | None:
    query = select(ForecastRun).order_by(ForecastRun.id.desc())
    if level is not None:
        query = query.where(
            select(Forecast.id)
            .where(Forecast.run_id == ForecastRun.id, Forecast.level == level)
            .exists()
        )
    return session.scalars(query.limit(1)).first()


def list_forecasts(
    session: Session,
    *,
    level: str | None = None,
    unique_id: str | None = None,
    run_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Forecast], int, ForecastRun | None]:
    run = session.get(ForecastRun, run_id) if run_id else latest_run(session, level)
    if run is None:
        return [], 0, None
    query = select(Forecast).where(Forecast.run_id == run.id)
    if level:
        query = query.where(Forecast.level == level)
    if unique_id:
        query = query.where(Forecast.unique_id == unique_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Forecast.level, Forecast.unique_id, Forecast.week_start)
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total, run


def export_rows(
    session: Session, level: str = "sku"
) -> list[tuple[str, date, float, float, float]]:
    """(unique_id, week_start, mean, lo80, hi80) of the latest run that has ``level``."""
    run = latest_run(session, level)
    if run is None:
        return []
    rows = session.execute(
        select(Forecast.unique_id, Forecast.week_start, Forecast.mean, Forecast.lo80, Forecast.hi80)
        .where(Forecast.run_id == run.id, Forecast.level == level)
        .order_by(Forecast.unique_id, Forecast.week_start)
    ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def backtest_table(
    session: Session, level: str | None = None, run_id: int | None = None
) -> tuple[list[BacktestScore], ForecastRun | None]:
    """Pooled backtest scores per model and horizon (``unique_id == '*'``)."""
    run = session.get(ForecastRun, run_id) if run_id else latest_run(session)
    if run is None:
        return [], None
    query = select(BacktestScore).where(
        BacktestScore.run_id == run.id, BacktestScore.unique_id == "*"
    )
    if level:
        query = query.where(BacktestScore.level == level)
    rows = session.scalars(
        query.order_by(BacktestScore.level, BacktestScore.horizon, BacktestScore.wape)
    ).all()
    return list(rows), run


def series_totals(
    session: Session, run_id: int, level: str, q: str, offset: int, limit: int
) -> tuple[list[tuple[str, float, str]], int]:
    """(series id, forecast units over the horizon, model) of one level in a run, largest
    first; ``q`` keeps the series whose id contains it. For the staff forecast page."""
    conds = [Forecast.run_id == run_id, Forecast.level == level]
    if q:
        conds.append(Forecast.unique_id.contains(q, autoescape=True))
    grouped = (
        select(
            Forecast.unique_id,
            func.sum(Forecast.mean).label("units"),
            func.min(Forecast.model).label("model"),
        )
        .where(*conds)
        .group_by(Forecast.unique_id)
    )
    total = session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    rows = session.execute(
        grouped.order_by(func.sum(Forecast.mean).desc(), Forecast.unique_id)
        .offset(offset)
        .limit(limit)
    ).all()
    return [(r.unique_id, float(r.units or 0), r.model) for r in rows], int(total)


@dataclass
class SeriesView:
    level: str
    unique_id: str
    run_id: int
    model: str
    history: list[tuple[date, float]]
    forecast: list[tuple[date, float, float, float]]
    scores: list[BacktestScore]


def series_view(session: Session, level: str, unique_id: str, weeks: int = 52) -> SeriesView:
    """History, forecast with intervals and the chosen model's scores of one series
    (for a chart page)."""
    rows, _total, run = list_forecasts(session, level=level, unique_id=unique_id, limit=MAX_HORIZON)
    if run is None or not rows:
        raise NotFound(f"forecast for {level} {unique_id}")
    first = rows[0].week_start
    frame = weekly_units(session, level, until=first)  # type: ignore[arg-type]
    frame = frame.filter(pl.col("unique_id") == unique_id).tail(weeks)
    scores = session.scalars(
        select(BacktestScore).where(
            BacktestScore.run_id == run.id,
            BacktestScore.level == level,
            BacktestScore.unique_id == unique_id,
        )
    ).all()
    return SeriesView(
        level=level,
        unique_id=unique_id,
        run_id=run.id,
        model=rows[0].model,
        history=[(d, float(y)) for d, y in frame.select("ds", "y").iter_rows()],
        forecast=[(r.week_start, r.mean, r.lo80, r.hi80) for r in rows],
        scores=list(scores),
    )
