"""Request and response bodies of the drops API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from microbag.drops.policies import MAX_DESCRIPTION, MAX_NAME, MAX_SKUS, MAX_UNITS

DropStatus = Literal["draft", "open", "allocated", "closed"]


class DropSkuIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=64, description="SKU code")
    edition_size: int = Field(ge=1, le=MAX_UNITS, description="Units in the edition")
    buyer_cap: int | None = Field(
        default=None,
        ge=1,
        le=MAX_UNITS,
        description="Units one company may request (default: the edition)",
    )
    case_pack: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Units per case pack (default: the SKU's on the default price list, else 1)",
    )
    unit_price_minor: int | None = Field(
        default=None,
        ge=0,
        le=2**31 - 1,
        description="The drop's unit price in its currency (default: the buyer's price list)",
    )


class DropIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    embargo_at: datetime = Field(description="No order before this instant (with a time zone)")
    segments: list[str] = Field(default_factory=list, max_length=20)
    regions: list[str] = Field(default_factory=list, max_length=20)
    company_ids: list[int] = Field(default_factory=list, max_length=500)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    skus: list[DropSkuIn] = Field(min_length=1, max_length=MAX_SKUS)


class DropPatch(BaseModel):
    """Fields to change (a drop's SKUs only while it is a draft)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    embargo_at: datetime | None = None
    segments: list[str] | None = Field(default=None, max_length=20)
    regions: list[str] | None = Field(default=None, max_length=20)
    company_ids: list[int] | None = Field(default=None, max_length=500)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    skus: list[DropSkuIn] | None = Field(default=None, min_length=1, max_length=MAX_SKUS)


class DropSkuOut(BaseModel):
    sku: str
    edition_size: int
    buyer_cap: int
    case_pack: int
    unit_price_minor: int | None


class RequestLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=0, le=MAX_UNITS, description="Units (whole case packs); 0 withdraws")


class RequestsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[RequestLineIn] = Field(min_length=1, max_length=MAX_SKUS)


class RequestOut(BaseModel):
    sku: str
    quantity: int
    allocated: int | None
    company_id: int
    company: str = ""
    updated_at: datetime


class AllocationOut(BaseModel):
    """What the allocation gave one company: its order, or why none was placed."""

    company_id: int
    company: str = ""
    status: Literal["ordered", "failed", "none"]
    order_id: int | None
    units: int
    reason: str


class DropOut(BaseModel):
    id: int
    name: str
    description: str
    status: DropStatus
    embargo_at: datetime
    segments: list[str]
    regions: list[str]
    company_ids: list[int]
    currency: str | None
    created_at: datetime
    allocated_at: datetime | None
    skus: list[DropSkuOut]
    # For a buyer: its own requests and allocation; staff see them on /requests.
    requests: list[RequestOut] = Field(default_factory=list)
    allocation: AllocationOut | None = None


class DropSummary(BaseModel):
    id: int
    name: str
    status: DropStatus
    embargo_at: datetime
    skus: list[str]


class AllocateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(default=False, description="Only compute the shares (nothing is written)")


class ShareOut(BaseModel):
    company_id: int
    company: str
    sku: str
    requested: int
    allocated: int
    weight_minor: int = Field(
        description="Past 12 months' purchases in the base currency (minor units)"
    )


class AllocateOut(BaseModel):
    drop_id: int
    dry_run: bool
    shares: list[ShareOut]
    allocations: list[AllocationOut]
