"""API schemas for trends (labels with their evidence and weekly series)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from microbag.paging import Page

TrendAttribute = Literal[
    "bag_type", "size_class", "color", "material", "price_tier", "occasion", "keyword"
]
TrendLabel = Literal["rising", "steady", "fading"]
# trends.policies.LABEL_REASONS (tests/trends/test_api.py checks they agree).
LabelReason = Literal[
    "sustained trend",
    "step change",
    "one spike",
    "against the trend",
    "not significant",
    "no recent sales",
]
LABEL_REASON_HELP = (
    "Why the label, in a word, where the growth alone may suggest otherwise: rising or "
    "fading on a 'sustained trend' (Mann-Kendall) or a 'step change'; steady despite a "
    "large growth because of 'one spike', 'not significant' or 'against the trend'; "
    "'no recent sales'. Null when label and growth agree."
)
ScopeRegion = Literal[
    "all", "us", "europe", "japan_korea", "china", "middle_east", "latin_america", "other"
]
ScopeSegment = Literal["all", "department_store", "boutique", "distributor", "ecommerce", "brand"]
BASIS_PATTERN = r"^(units|signal:[A-Za-z0-9][A-Za-z0-9._-]{0,63}:[a-z][a-z0-9_]{0,31})$"
VALUE_PATTERN = r"^[^\s\x00-\x1f\x7f/](?:[^\x00-\x1f\x7f/]*[^\s\x00-\x1f\x7f/])?$"


class MannKendallOut(BaseModel):
    test: str
    trend: str = Field(description="increasing | decreasing | no trend")
    p: float
    tau: float
    z: float
    s: float
    slope: float = Field(description="Sen's slope: median change per week")
    weeks: int


class ChangePointOut(BaseModel):
    index: int = Field(description="Position in the series where the new level starts")
    week: str | None = Field(description="Monday of that week (ISO date)")
    before_mean: float
    after_mean: float
    change_pct: float | None


class EvidenceOut(BaseModel):
    label: TrendLabel
    window_weeks: int
    recent_total: float
    previous_total: float
    growth_pct: float | None = Field(description="Null when the previous window was empty")
    recent_from: str | None
    previous_from: str | None
    mann_kendall: MannKendallOut | None
    change_points: list[ChangePointOut]
    reasons: list[str] = Field(description="Plain-language account of the label")
    weeks: int
    lookback_weeks: int
    label_reason: LabelReason | None = Field(None, description=LABEL_REASON_HELP)


class TrendOut(BaseModel):
    basis: str = Field(description="units (gross units sold) or signal:<source>:<metric>")
    attribute: str
    value: str
    region: str
    segment: str
    label: TrendLabel
    growth_pct: float | None
    recent_total: float
    previous_total: float
    label_reason: LabelReason | None = Field(None, description=LABEL_REASON_HELP)
    evidence: EvidenceOut


class WeekValue(BaseModel):
    week: date = Field(description="Monday of the week")
    value: float


class TrendDetailOut(TrendOut):
    series: list[WeekValue]
    run_id: int | None = Field(description="Stored run; null when computed on request")


class TrendPage(Page[TrendOut]):
    run_id: int | None = Field(description="Stored run read; null when computed on request")
    computed_at: datetime | None
    last_week: date | None = Field(description="Last complete week the run saw")
