"""API schemas of purchase orders, receipts and lots. Amounts are integer minor units of
the order's currency (the supplier's)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from microbag.accounts.schemas import FREE_TEXT_PATTERN, INT32_MAX, InputModel
from microbag.catalog.policies import CODE_PATTERN as SKU_CODE_PATTERN
from microbag.purchasing.policies import MAX_QUANTITY
from microbag.stock.schemas import WAREHOUSE_CODE_PATTERN

SUPPLIER_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
MAX_UNIT_COST_MINOR = 10**12

SkuCode = Annotated[str, Field(min_length=1, max_length=64, pattern=SKU_CODE_PATTERN)]
WarehouseCode = Annotated[str, Field(min_length=1, max_length=32, pattern=WAREHOUSE_CODE_PATTERN)]
SupplierCode = Annotated[str, Field(min_length=1, max_length=32, pattern=SUPPLIER_CODE_PATTERN)]
Note = Annotated[str, Field(max_length=2000, pattern=FREE_TEXT_PATTERN)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
LineId = Annotated[int, Field(ge=1, le=INT32_MAX)]
PoStatus = Literal[
    "draft", "sent", "confirmed", "partly_received", "received", "closed", "cancelled"
]
LotStatus = Literal["pending_inspection", "accepted", "quarantined", "returned", "rework"]


class DraftLineIn(InputModel):
    sku: SkuCode
    quantity: Quantity = Field(description="A multiple of the case pack, at least the MOQ")
    unit_cost_minor: int | None = Field(
        None, ge=0, le=MAX_UNIT_COST_MINOR, description="Default: the supplier's current price"
    )
    warehouse: WarehouseCode | None = Field(None, description="Default: the order's warehouse")
    requested_date: date | None = None


class PurchaseOrderCreate(InputModel):
    supplier: SupplierCode | None = Field(None, description="Supplier code (or supplier_id)")
    supplier_id: int | None = Field(None, ge=1, le=INT32_MAX)
    warehouse: WarehouseCode | None = Field(None, description="Default: the first warehouse")
    lines: list[DraftLineIn] = Field(min_length=1, max_length=500)
    notes: Note = ""
    source: Literal["manual", "reorder", "range_plan"] = "manual"
    source_ref: str = Field("", max_length=64, pattern=FREE_TEXT_PATTERN)

    @model_validator(mode="after")
    def _one_supplier(self) -> PurchaseOrderCreate:
        if (self.supplier is None) == (self.supplier_id is None):
            raise ValueError("give either supplier (a code) or supplier_id")
        return self


class PurchaseOrderUpdate(InputModel):
    lines: list[DraftLineIn] | None = Field(None, min_length=1, max_length=500)
    notes: Note | None = None


class PromisedLineIn(InputModel):
    line_id: LineId
    promised_date: date


class ConfirmIn(InputModel):
    promised_date: date | None = Field(None, description="One promised date for every line")
    lines: list[PromisedLineIn] | None = Field(
        None, max_length=500, description="A promised date per line (by line id)"
    )

    @model_validator(mode="after")
    def _dates(self) -> ConfirmIn:
        if (self.promised_date is None) == (self.lines is None):
            raise ValueError("give either promised_date or lines")
        return self


class CancelIn(InputModel):
    reason: Note = ""


class CloseIn(InputModel):
    note: Note = ""


class ReceiptLineIn(InputModel):
    line_id: LineId
    quantity: Quantity = Field(description="Units delivered")


class ReceiptIn(InputModel):
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=500)
    reference: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=FREE_TEXT_PATTERN,
        description="Delivery note number: a repeated reference returns the first receipt",
    )
    warehouse: WarehouseCode | None = Field(None, description="Default: each line's warehouse")
    inspect: bool = Field(True, description="false: lots accepted and stocked at once")
    note: Note = ""


class PurchaseOrderLineOut(BaseModel):
    id: int
    line_no: int
    sku: str
    quantity: int
    unit_cost_minor: int
    line_total_minor: int
    warehouse: str
    requested_date: date | None
    promised_date: date | None
    received_quantity: int
    delivery: str = Field(description="short, exact or over (received against ordered)")
    incoming_id: int | None = Field(description="The incoming batch made on confirmation")


class EventOut(BaseModel):
    id: int
    kind: str
    actor: str
    detail: dict[str, Any]
    created_at: datetime


class PurchaseOrderSummary(BaseModel):
    id: int
    number: str
    supplier_id: int
    supplier: str
    supplier_name: str
    status: str
    currency: str
    warehouse: str
    source: str
    lines: int
    total_minor: int
    created_at: datetime


class PurchaseOrderOut(BaseModel):
    id: int
    number: str
    supplier_id: int
    supplier: str
    supplier_name: str
    status: str
    currency: str
    warehouse: str
    source: str
    source_ref: str
    notes: str
    total_minor: int
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    confirmed_at: datetime | None
    received_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    lines: list[PurchaseOrderLineOut]
    events: list[EventOut]


class LotOut(BaseModel):
    id: int
    receipt_id: int
    po_id: int
    po_number: str
    supplier_id: int
    sku: str
    warehouse: str
    quantity: int
    status: str
    decision: str
    decision_note: str
    received_at: datetime


class ReceiptOut(BaseModel):
    id: int
    po_id: int
    reference: str | None
    warehouse: str
    note: str
    received_by: str
    received_at: datetime
    lots: list[LotOut]
