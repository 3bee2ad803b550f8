"""HTTP API for outside signals (staff, read only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from microbag.accounts.principal import Principal
from microbag.accounts.schemas import TEXT_PATTERN
from microbag.http import READ_RESPONSES, Page, Paging, ReadSession, require_staff
from microbag.signals import service
from microbag.signals.importer import METRIC_PATTERN, SOURCE_PATTERN

router = APIRouter(tags=["signals"])

StaffReader = Annotated[Principal, Depends(require_staff())]
SignalAttribute = Literal[
    "keyword", "bag_type", "size_class", "color", "material", "price_tier", "occasion"
]
SignalRegion = Literal[
    "all", "us", "europe", "japan_korea", "china", "middle_east", "latin_america", "other"
]


class SignalOut(BaseModel):
    source: str
    metric: str
    attribute: str
    term: str
    region: str
    period_start: date = Field(description="Day (usually a week's Monday) the value covers")
    value: float
    unit: str


@router.get("/signals", response_model=Page[SignalOut], responses=READ_RESPONSES)
def list_signals(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    source: Annotated[str | None, Query(max_length=64, pattern=SOURCE_PATTERN)] = None,
    metric: Annotated[str | None, Query(max_length=32, pattern=METRIC_PATTERN)] = None,
    attribute: SignalAttribute | None = None,
    term: Annotated[str | None, Query(min_length=1, max_length=200, pattern=TEXT_PATTERN)] = None,
    region: SignalRegion | None = None,
    since: Annotated[date | None, Query(description="From this date on")] = None,
    until: Annotated[date | None, Query(description="Before this date")] = None,
) -> Page[SignalOut]:
    """Stored signal points (search interest, mentions, listings, prices...), paginated."""
    filters = service.SignalFilters(
        source=source,
        metric=metric,
        attribute=attribute,
        term=term,
        region=region,
        since=since,
        until=until,
    )
    points, total = service.list_signals(
        session, filters, offset=paging.offset, limit=paging.page_size
    )
    return Page(
        items=[
            SignalOut(
                source=p.source,
                metric=p.metric,
                attribute=p.attribute,
                term=p.term,
                region=p.region,
                period_start=p.period_start,
                value=p.value,
                unit=p.unit,
            )
            for p in points
        ],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )
