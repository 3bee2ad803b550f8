"""Staff pages for demand forecasts: the latest run's series and accuracy, one series' chart.

Thin adapters over forecasting.service. Charts are inline SVG drawn on the server
(history, forecast mean and its 80 % interval), so they render offline; each has a
table with every number beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from microbag.display_names import display_name
from microbag.errors import NotFound
from microbag.forecasting import service
from microbag.forecasting.models import BacktestScore
from microbag.jobs import service as jobs
from microbag.jobs.policies import FORECAST_RUN
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.errors import error_page
from microbag.web.staff import PageNo, pager, staff_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 40
Level = Literal["total", "region", "type", "style", "sku", "sku_region"]
LEVELS: tuple[str, ...] = ("total", "region", "type", "style", "sku", "sku_region")
SeriesId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


def series_name(level: str, unique_id: str) -> str:
    """A series as pages name it: regions and bag types by their display names
    ("Japan and Korea", "Belt bag"), ``MT-001-RED/europe`` as "MT-001-RED / Europe";
    SKU and style codes are names already."""
    if level in ("total", "region", "type"):
        return display_name(unique_id)
    if level == "sku_region" and "/" in unique_id:
        sku, _, region = unique_id.rpartition("/")
        return f"{sku} / {display_name(region)}"
    return unique_id


@dataclass(frozen=True)
class ForecastChart:
    width: int
    height: int
    history: str  # polyline points
    mean: str  # polyline points
    band: str  # polygon points (lo80 forward, hi80 back)
    split_x: float  # where the forecast starts
    peak: float


def forecast_chart(
    history: Sequence[float],
    forecast: Sequence[tuple[float, float, float]],
    width: int = 720,
    height: int = 220,
    pad: int = 8,
) -> ForecastChart:
    """One scale for history, the forecast mean and its interval (mean, lo80, hi80)."""
    count = len(history) + len(forecast)
    values = [*history, *(v for row in forecast for v in row)]
    peak = max([*values, 0.0]) or 1.0
    step = (width - 2 * pad) / max(count - 1, 1)

    def x(i: int) -> float:
        return round(pad + i * step, 1)

    def y(v: float) -> float:
        return round(height - pad - max(v, 0.0) / peak * (height - 2 * pad), 1)

    start = len(history)
    hist = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(history))
    # The forecast line starts at the last week of history, so the two join up.
    joined = [(start - 1, history[-1])] if history else []
    mean = " ".join(
        f"{x(i)},{y(v)}"
        for i, v in [*joined, *((start + k, m) for k, (m, _lo, _hi) in enumerate(forecast))]
    )
    lower = [f"{x(start + k)},{y(lo)}" for k, (_m, lo, _hi) in enumerate(forecast)]
    upper = [f"{x(start + k)},{y(hi)}" for k, (_m, _lo, hi) in enumerate(forecast)]
    band = " ".join([*lower, *reversed(upper)])
    return ForecastChart(width, height, hist, mean, band, x(start) if forecast else 0.0, peak)


@router.get("/staff/forecasts")
def forecasts_board(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    level: Annotated[Level, Query()] = "sku",
    q: Annotated[str, Query(max_length=100)] = "",
    page: PageNo = 1,
    job: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    """The latest run: its series at one level (largest forecast first) and accuracy; the
    forecast job started from here (or one queued or running) with its progress."""
    with db.session() as session:
        run = service.latest_run(session)
        run_job = jobs.board_job(session, FORECAST_RUN, job)
        rows: list[tuple[str, float, str]] = []
        total = 0
        scores: list[BacktestScore] = []
        if run is not None:
            rows, total = service.series_totals(
                session, run.id, level, q.strip(), (page - 1) * PAGE_SIZE, PAGE_SIZE
            )
            scores, _run = service.backtest_table(session, level=level, run_id=run.id)
    return staff_page(
        request,
        user,
        "staff/forecasts.html",
        {
            "title": "Demand forecasts",
            "run": run,
            "job": run_job,
            "level": level,
            "levels": LEVELS,
            "q": q,
            "rows": rows,
            "series_name": series_name,
            "scores": scores,
            "pager": pager("/staff/forecasts", {"level": level, "q": q}, page, total, PAGE_SIZE),
        },
        section="forecasts",
    )


@router.get("/staff/forecasts/{level}/{unique_id:path}")
def forecast_series(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    level: Annotated[Level, Path()],
    unique_id: SeriesId,
    weeks: Annotated[int, Query(ge=4, le=260)] = 52,
) -> Response:
    """One series: the last ``weeks`` of history, the forecast and its 80 % interval."""
    try:
        with db.session() as session:
            view = service.series_view(session, level, unique_id, weeks=weeks)
    except NotFound:
        return error_page(
            request,
            404,
            f"No forecast for {level} {unique_id} in the latest run. "
            "Run `microbag forecast run` after importing or placing orders.",
        )
    chart = forecast_chart(
        [y for _d, y in view.history], [(m, lo, hi) for _d, m, lo, hi in view.forecast]
    )
    weeks_table: list[tuple[date, float | None, float | None, float | None, float | None]] = [
        (d, y, None, None, None) for d, y in view.history
    ] + [(d, None, m, lo, hi) for d, m, lo, hi in view.forecast]
    return staff_page(
        request,
        user,
        "staff/forecast.html",
        {
            "title": f"Forecast: {series_name(level, unique_id)}",
            "series_name": series_name,
            "view": view,
            "chart": chart,
            "weeks": weeks_table,
            "horizon_units": sum(m for _d, m, _lo, _hi in view.forecast),
        },
        section="forecasts",
    )
