"""Staff pages for trends: the trend board and one trend's evidence.

Thin adapters over trends.service (the latest stored run, or trends computed for the
request while none is stored). Sparklines are inline SVG drawn on the server, so the
board renders offline and without script; every chart has its numbers beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from microbag.display_names import display_name
from microbag.errors import NotFound
from microbag.jobs import service as jobs
from microbag.jobs.policies import TRENDS_RUN
from microbag.trends import service
from microbag.trends.schemas import (
    BASIS_PATTERN,
    VALUE_PATTERN,
    ScopeRegion,
    ScopeSegment,
    TrendAttribute,
)
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.errors import error_page
from microbag.web.staff import PageNo, pager, staff_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 30
ATTRIBUTES = ("bag_type", "size_class", "color", "material", "price_tier", "occasion", "keyword")
REGIONS = ("all", "us", "europe", "japan_korea", "china", "middle_east", "latin_america", "other")
SEGMENTS = ("all", "department_store", "boutique", "distributor", "ecommerce", "brand")
LABELS = ("rising", "steady", "fading")


def _choice(values: Sequence[str]) -> str:
    """A pattern for one of ``values`` or empty (a form's "any")."""
    return "^(" + "|".join(values) + ")?$"


# The board's sparklines show the last half year; the evidence page shows everything.
SPARK_WEEKS = 26


@dataclass(frozen=True)
class Chart:
    """An SVG polyline over a ``width`` x ``height`` box, plus marks (x positions)."""

    width: int
    height: int
    points: str
    marks: tuple[float, ...] = ()
    peak: float = 0.0


def line_chart(
    values: Sequence[float], width: int, height: int, *, marks: Sequence[int] = (), pad: int = 2
) -> Chart:
    """Points of a line through ``values`` scaled into the box (the lowest at 0).

    ``marks`` are indexes into ``values`` (change points) returned as x positions.
    An empty or flat series is a flat line along the bottom.
    """
    if not values:
        return Chart(width, height, "")
    peak = max(max(values), 0.0)
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    span = height - 2 * pad

    def x(i: int) -> float:
        return round(pad + i * step, 1)

    def y(v: float) -> float:
        return round(height - pad - (max(v, 0.0) / peak * span if peak > 0 else 0.0), 1)

    points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))
    return Chart(width, height, points, tuple(x(i) for i in marks if 0 <= i < len(values)), peak)


def _series_values(series: Sequence[Sequence[Any]]) -> list[float]:
    return [float(v) for _week, v in series]


def _board_row(row: service.TrendRow) -> dict[str, Any]:
    values = _series_values(row.series)[-SPARK_WEEKS:]
    return {"row": row, "spark": line_chart(values, 120, 28), "weeks": len(values)}


@router.get("/staff/trends")
def trend_board(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    attribute: Annotated[str, Query(pattern=_choice(ATTRIBUTES))] = "",
    region: Annotated[str, Query(pattern=_choice(REGIONS))] = "",
    segment: Annotated[str, Query(pattern=_choice(SEGMENTS))] = "all",
    label: Annotated[str, Query(pattern=_choice(LABELS))] = "",
    basis: Annotated[str, Query(max_length=110, pattern=BASIS_PATTERN)] = "units",
    page: PageNo = 1,
    job: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    """Attribute values by region (or segment) with a sparkline and their label; the trends
    job started from here (or one queued or running) with its progress.

    An empty filter (the form's "All" / "Any") means no filter.
    """
    filters = service.TrendFilters(
        attribute=attribute or None,
        region=region or None,
        segment=segment or None,
        label=label or None,
        basis=basis,
    )
    with db.session() as session:
        rows, total, run = service.list_trends(
            session, filters, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        run_job = jobs.board_job(session, TRENDS_RUN, job)
    params = {
        "attribute": attribute or "",
        "region": region or "",
        "segment": segment or "",
        "label": label or "",
        "basis": basis,
    }
    return staff_page(
        request,
        user,
        "staff/trends.html",
        {
            "title": "Trend board",
            "rows": [_board_row(r) for r in rows],
            "run": run,
            "job": run_job,
            "filters": params,
            "attributes": ATTRIBUTES,
            "regions": REGIONS,
            "segments": SEGMENTS,
            "labels": LABELS,
            "spark_weeks": SPARK_WEEKS,
            "pager": pager("/staff/trends", params, page, total, PAGE_SIZE),
        },
        section="trends",
    )


@router.get("/staff/trends/{attribute}/{value}")
def trend_evidence(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    attribute: Annotated[TrendAttribute, Path()],
    value: Annotated[str, Path(min_length=1, max_length=200, pattern=VALUE_PATTERN)],
    region: Annotated[ScopeRegion, Query()] = "all",
    segment: Annotated[ScopeSegment, Query()] = "all",
    basis: Annotated[str, Query(max_length=110, pattern=BASIS_PATTERN)] = "units",
) -> Response:
    """One trend: its label, the numbers and test behind it, and its weekly series."""
    try:
        with db.session() as session:
            row, run = service.trend_detail(
                session, attribute, value, region=region, segment=segment, basis=basis
            )
    except NotFound:
        return error_page(
            request,
            404,
            f"No trend for {attribute} {value} in {region} / {segment}. "
            "It may not have enough history yet, or the trends were not run since.",
        )
    evidence = row.evidence or {}
    weeks = [str(w) for w, _v in row.series]
    change_marks = [int(cp["index"]) for cp in evidence.get("change_points") or [] if "index" in cp]
    chart = line_chart(_series_values(row.series), 720, 180, marks=change_marks, pad=6)
    return staff_page(
        request,
        user,
        "staff/trend.html",
        {
            "title": f"Trend: {display_name(attribute)}: {display_name(value)}",
            "row": row,
            "run": run,
            "evidence": evidence,
            "chart": chart,
            "series": list(zip(weeks, _series_values(row.series), strict=True)),
        },
        section="trends",
    )
