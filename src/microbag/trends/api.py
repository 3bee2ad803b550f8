"""HTTP API for trends (staff, read only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from microbag.accounts.principal import Principal
from microbag.http import READ_RESPONSES, Paging, ReadSession, require_staff
from microbag.trends import service
from microbag.trends.schemas import (
    BASIS_PATTERN,
    VALUE_PATTERN,
    ScopeRegion,
    ScopeSegment,
    TrendAttribute,
    TrendDetailOut,
    TrendLabel,
    TrendOut,
    TrendPage,
    WeekValue,
)

router = APIRouter(tags=["trends"])

StaffReader = Annotated[Principal, Depends(require_staff())]
Basis = Annotated[str, Query(max_length=110, pattern=BASIS_PATTERN)]
ValueText = Annotated[str | None, Query(min_length=1, max_length=200, pattern=VALUE_PATTERN)]


def trend_out(row: service.TrendRow) -> TrendOut:
    return TrendOut(
        basis=row.basis,
        attribute=row.attribute,
        value=row.value,
        region=row.region,
        segment=row.segment,
        label=row.label,
        growth_pct=row.growth_pct,
        recent_total=row.recent_total,
        previous_total=row.previous_total,
        label_reason=row.label_reason,
        evidence=row.evidence,
    )


@router.get("/trends", response_model=TrendPage, responses=READ_RESPONSES)
def list_trends(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    attribute: TrendAttribute | None = None,
    value: ValueText = None,
    region: ScopeRegion | None = None,
    segment: ScopeSegment | None = None,
    label: TrendLabel | None = None,
    basis: Annotated[str | None, Query(max_length=110, pattern=BASIS_PATTERN)] = None,
) -> TrendPage:
    """Labels (rising / steady / fading) per attribute value and region or segment.

    Reads the latest stored run (``microbag trends run``); while none exists the trends
    are computed for this request. Filter by attribute, value, region (``all`` for
    every region together), segment, label and basis (``units`` or
    ``signal:<source>:<metric>``).
    """
    filters = service.TrendFilters(
        attribute=attribute,
        value=value,
        region=region,
        segment=segment,
        label=label,
        basis=basis,
    )
    rows, total, run = service.list_trends(
        session, filters, offset=paging.offset, limit=paging.page_size
    )
    return TrendPage(
        items=[trend_out(r) for r in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
        run_id=run.id if run else None,
        computed_at=run.created_at if run else None,
        last_week=run.last_week if run else None,
    )


@router.get("/trends/{attribute}/{value}", response_model=TrendDetailOut, responses=READ_RESPONSES)
def get_trend(
    _staff: StaffReader,
    session: ReadSession,
    attribute: Annotated[TrendAttribute, Path(description="Attribute, e.g. color")],
    value: Annotated[
        str, Path(min_length=1, max_length=200, pattern=VALUE_PATTERN, description="e.g. red")
    ],
    region: ScopeRegion = "all",
    segment: ScopeSegment = "all",
    basis: Basis = "units",
) -> TrendDetailOut:
    """One trend's evidence and its weekly series (oldest week first)."""
    row, run = service.trend_detail(
        session, attribute, value, region=region, segment=segment, basis=basis
    )
    out = trend_out(row)
    return TrendDetailOut(
        **out.model_dump(),
        series=[WeekValue(week=date.fromisoformat(w), value=float(v)) for w, v in row.series],
        run_id=run.id if run else None,
    )
