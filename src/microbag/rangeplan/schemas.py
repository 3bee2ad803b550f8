"""API schemas of range plans and unit costs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from microbag.buyers.policies import REGIONS, SEGMENTS
from microbag.money import MAX_MINOR, is_currency
from microbag.paging import Page

Season = Literal["holiday", "summer", "wedding"]
GROUP_PATTERN = r"^(bag_type|color_family|price_tier|occasion):[a-z0-9_]{1,32}$"


class BoundIn(BaseModel):
    """At least / at most SKUs of a group: counts, or shares of the plan's SKUs (0..1)."""

    group: str = Field(pattern=GROUP_PATTERN, description="e.g. bag_type:belt_bag, occasion:bridal")
    min_count: int | None = Field(default=None, ge=0, le=100_000)
    max_count: int | None = Field(default=None, ge=0, le=100_000)
    min_share: float | None = Field(default=None, ge=0, le=1)
    max_share: float | None = Field(default=None, ge=0, le=1)


class RangePlanRequest(BaseModel):
    season: Season = Field(description="A selling season of the forecasting calendar")
    year: int = Field(ge=2000, le=2100, description="The year the season starts in")
    region: str | None = Field(default=None, description="A region, or none for all")
    segment: str | None = Field(default=None, description="A buyer segment, or none for all")
    currency: str = Field(default="USD", min_length=3, max_length=3)
    budget_minor: int = Field(gt=0, le=MAX_MINOR, description="Purchase budget, minor units")
    max_styles: int | None = Field(default=None, ge=0, le=100_000)
    min_styles: int | None = Field(default=None, ge=0, le=100_000)
    bounds: list[BoundIn] = Field(default_factory=list, max_length=200)
    knowledge_defaults: bool = Field(
        default=True,
        description="Add the knowledge file's default shares for groups the request leaves open",
    )
    leftover_rate: float = Field(
        default=0.3, ge=0, le=2, description="Cost of a unit left over, as a share of its cost"
    )
    time_limit_s: float = Field(default=10.0, gt=0, le=120)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and value not in REGIONS:
            raise ValueError(f"region must be one of {', '.join(REGIONS)}")
        return value

    @field_validator("segment")
    @classmethod
    def _segment(cls, value: str | None) -> str | None:
        if value is not None and value not in SEGMENTS:
            raise ValueError(f"segment must be one of {', '.join(SEGMENTS)}")
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not is_currency(value):
            raise ValueError("currency must be an ISO 4217 code")
        return value

    @model_validator(mode="after")
    def _styles(self) -> RangePlanRequest:
        if (
            self.min_styles is not None
            and self.max_styles is not None
            and self.min_styles > self.max_styles
        ):
            raise ValueError("min_styles is more than max_styles")
        return self


class RangePlanLineOut(BaseModel):
    rank: int
    sku: str
    style: str
    units: int = Field(description="Units to have available by the ship window")
    units_to_buy: int
    free_units: int = Field(description="On hand and incoming by the ship window")
    unit_price_minor: int
    unit_cost_minor: int
    expected_sales: float
    expected_value: float = Field(description="Expected margin minus leftover cost, minor units")
    basis: Literal["forecast", "history", "prior"]
    demand_mean: float
    demand_lo80: float
    demand_hi80: float
    reasons: list[str]


class ComparisonOut(BaseModel):
    previous_id: int
    previous_year: int
    added: list[str]
    dropped: list[str]
    kept: int
    units: int
    previous_units: int
    objective: float | None
    previous_objective: float | None


class RangePlanOut(BaseModel):
    id: int
    season: str
    year: int
    region: str | None
    segment: str | None
    currency: str
    budget_minor: int
    status: Literal["optimal", "time_limit", "infeasible"]
    objective: float | None = Field(description="Expected margin minus leftover cost, minor units")
    greedy_objective: float | None = Field(
        description="The greedy baseline's objective on the same candidates"
    )
    gap: float | None = Field(description="Proven relative optimality gap (a fraction)")
    seconds: float
    created_at: datetime
    created_by: str
    inputs: dict[str, object]
    conflicts: dict[str, object] = Field(
        description=(
            "Infeasible: 'constraints' that conflict; 'relax_one': those whose relaxation "
            "alone makes the request feasible"
        )
    )
    lines: list[RangePlanLineOut] = Field(default_factory=list)
    comparison: ComparisonOut | None = None


class RangePlanSummary(BaseModel):
    id: int
    season: str
    year: int
    region: str | None
    segment: str | None
    currency: str
    budget_minor: int
    status: str
    objective: float | None
    gap: float | None
    skus: int
    created_at: datetime


class RangePlanPage(Page[RangePlanSummary]):
    pass


class CostOut(BaseModel):
    sku: str
    unit_cost_minor: int
    currency: str
    effective_from: date
    supplier_moq: int
    supplier_case_pack: int
