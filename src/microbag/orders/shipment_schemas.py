"""Request and response bodies of the shipments, carriers and waiting-queue API
(``orders.shipments_api``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from microbag.orders.backorders import MAX_QUEUE_PRIORITY
from microbag.orders.schemas import MAX_LINES, MAX_QUANTITY, Fulfilment
from microbag.shipping.policies import CARRIERS

# ---- shipments and the waiting queue (issue 11) ------------------------------------------------

OTHER_CARRIER = "other"
MAX_TRACKING_NUMBER_LENGTH = 100


def carrier_name(code: str) -> str:
    """A carrier's name for people: a known carrier's, "Other carrier", or "" (a shipment
    recorded by the older "ship the order" call, which named no carrier)."""
    known = CARRIERS.get(code)
    if known is not None:
        return known.name
    return "Other carrier" if code == OTHER_CARRIER else ""


class ShipmentLineQuantity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line: int = Field(ge=1, le=MAX_LINES, strict=True, description="The order's line number")
    quantity: int = Field(
        ge=1, le=MAX_QUANTITY, strict=True, description="Units to ship (reserved, not shipped)"
    )


class ShipmentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "carrier": "dhl_express",
                "tracking_number": "1234 5678 90",
                "lines": [{"line": 1, "quantity": 6}],
            }
        },
    )

    carrier: str = Field(
        min_length=1,
        max_length=32,
        description=f"One of {', '.join(CARRIERS)} (GET /api/v1/carriers), or "
        f"{OTHER_CARRIER} for any other carrier (no tracking link)",
    )
    tracking_number: str = Field(
        max_length=MAX_TRACKING_NUMBER_LENGTH,
        description="As printed on the label (spaces and hyphens are dropped); checked "
        "loosely against the carrier's format",
    )
    lines: list[ShipmentLineQuantity] | None = Field(
        None,
        min_length=1,
        max_length=MAX_LINES,
        description="Lines and units to ship; omitted: every unit reserved and not shipped "
        "yet (at the warehouse, when one is named)",
    )
    warehouse: str | None = Field(
        None,
        min_length=1,
        max_length=32,
        description="Ship from this warehouse only (its code, e.g. EU1)",
    )


class ShipmentLineOut(BaseModel):
    line: int = Field(description="The order's line number")
    sku: str
    quantity: int
    warehouse: str = Field(description="The code of the warehouse the units left from")


class ShipmentOut(BaseModel):
    number: int = Field(description="1, 2, ... within the order")
    status: Literal["shipped", "delivered"]
    carrier: str = Field(
        description='Carrier code; "other", or "" for a shipment of the older "ship the order" call'
    )
    carrier_name: str
    tracking_number: str
    tracking_url: str | None = Field(description="The carrier's tracking page, if known")
    shipped_at: datetime
    delivered_at: datetime | None
    lines: list[ShipmentLineOut]


class ShipmentLike(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def carrier(self) -> str: ...
    @property
    def tracking_number(self) -> str: ...
    @property
    def shipped_at(self) -> datetime: ...
    @property
    def delivered_at(self) -> datetime | None: ...


class ShippedLineLike(Protocol):
    @property
    def line_no(self) -> int: ...
    @property
    def sku_code(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def warehouse_code(self) -> str: ...


def shipment_out(
    shipment: ShipmentLike, lines: Sequence[ShippedLineLike], tracking_url: str | None
) -> ShipmentOut:
    return ShipmentOut(
        number=shipment.number,
        status="delivered" if shipment.status == "delivered" else "shipped",
        carrier=shipment.carrier,
        carrier_name=carrier_name(shipment.carrier),
        tracking_number=shipment.tracking_number,
        tracking_url=tracking_url,
        shipped_at=shipment.shipped_at,
        delivered_at=shipment.delivered_at,
        lines=[
            ShipmentLineOut(
                line=ln.line_no, sku=ln.sku_code, quantity=ln.quantity, warehouse=ln.warehouse_code
            )
            for ln in lines
        ],
    )


class CarrierOut(BaseModel):
    code: str
    name: str


def carriers_out() -> list[CarrierOut]:
    """The known carriers, then "other"."""
    return [CarrierOut(code=c.code, name=c.name) for c in CARRIERS.values()] + [
        CarrierOut(code=OTHER_CARRIER, name=carrier_name(OTHER_CARRIER))
    ]


class WaitingLineOut(BaseModel):
    order_id: int
    line: int = Field(description="The order's line number")
    company_id: int
    sku: str
    quantity: int = Field(description="The line's units")
    waiting_quantity: int = Field(description="Units not reserved yet")
    fulfilment: Fulfilment
    queue_priority: int = Field(description="Staff override: higher is served first (0 default)")
    placed_at: datetime | None
    incoming_id: int | None = Field(None, description="A preorder's incoming batch")
    promised_from: date | None
    promised_until: date | None


class WaitingLineLike(Protocol):
    @property
    def order_id(self) -> int: ...
    @property
    def line_no(self) -> int: ...
    @property
    def company_id(self) -> int: ...
    @property
    def sku_code(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def waiting_quantity(self) -> int: ...
    @property
    def fulfilment(self) -> str: ...
    @property
    def queue_priority(self) -> int: ...
    @property
    def placed_at(self) -> datetime | None: ...
    @property
    def incoming_id(self) -> int | None: ...
    @property
    def promised_from(self) -> date | None: ...
    @property
    def promised_until(self) -> date | None: ...


def waiting_line_out(w: WaitingLineLike) -> WaitingLineOut:
    return WaitingLineOut(
        order_id=w.order_id,
        line=w.line_no,
        company_id=w.company_id,
        sku=w.sku_code,
        quantity=w.quantity,
        waiting_quantity=w.waiting_quantity,
        fulfilment=w.fulfilment,
        queue_priority=w.queue_priority,
        placed_at=w.placed_at,
        incoming_id=w.incoming_id,
        promised_from=w.promised_from,
        promised_until=w.promised_until,
    )


class QueuePriorityIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"priority": 5}})

    priority: int = Field(
        ge=0,
        le=MAX_QUEUE_PRIORITY,
        strict=True,
        description="Higher is served first; 0 puts the line back to first come, first served",
    )


class FilledOut(BaseModel):
    order_id: int
    line: int
    sku: str
    units: int = Field(description="Units reserved for the line now")
    still_waiting: int


class FillOut(BaseModel):
    filled: list[FilledOut] = Field(description="In the order the lines were served")
    units: int = Field(description="Units reserved in all")
