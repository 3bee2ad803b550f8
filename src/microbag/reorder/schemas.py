"""API shapes of reorder suggestions and the draft purchase orders made from them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SkuCode = Annotated[str, Field(min_length=1, max_length=64)]


class ReorderLineOut(BaseModel):
    sku: str
    warehouse: str
    supplier: str | None = Field(description="Supplier code; null when nobody offers the SKU")
    quantity: int = Field(description="Units to order, rounded to the supplier's MOQ and case pack")
    raw_quantity: int = Field(description="Order-up-to level less the position, before rounding")
    moq: int
    case_pack: int
    reorder_point: int
    order_up_to: int
    safety_stock: int
    on_hand: int
    reserved: int
    incoming: int = Field(description="Incoming batches not from purchase orders")
    on_order: int = Field(description="Units on open purchase orders not yet delivered")
    in_inspection: int = Field(description="Delivered units waiting for inspection")
    inventory_position: int
    drafted: int = Field(description="Units already on draft purchase orders")
    urgent: bool = Field(description="Position below the reorder point")
    weekly_demand: float = Field(description="This warehouse's forecast for next week")
    sigma_per_week: float
    lead_time_days: int
    unit_cost_minor: int | None
    currency: str | None
    landed_unit_cost_minor: int | None = Field(description="In the base currency")
    base_currency: str
    basis: str
    warnings: list[str]


class ReorderSuggestionsOut(BaseModel):
    service_level: float
    review_days: int
    forecast_run_id: int | None
    today: date
    items: list[ReorderLineOut]


class ReorderDraftsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_level: float | None = Field(
        default=None, gt=0.5, lt=1.0, description="Default: the reorder_service_level setting"
    )
    skus: list[SkuCode] | None = Field(
        default=None, max_length=5000, description="Only these SKU codes (default: all)"
    )
    warehouse: str | None = Field(default=None, min_length=1, max_length=32)
    supplier: str | None = Field(default=None, min_length=1, max_length=32)


class RangePlanDraftsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    warehouse: str | None = Field(
        default=None, min_length=1, max_length=32, description="Default: the first warehouse"
    )


class DraftPoOut(BaseModel):
    id: int
    number: str
    supplier_id: int
    supplier: str
    status: str
    currency: str
    warehouse: str
    source: str
    source_ref: str
    lines: int
    units: int
    total_minor: int


class SkippedOut(BaseModel):
    sku: str
    warehouse: str
    reason: str


class DraftsOut(BaseModel):
    created: bool = Field(description="False: the drafts existed already; none were made")
    purchase_orders: list[DraftPoOut]
    skipped: list[SkippedOut]
