"""Request and response bodies of the orders API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from microbag.orders.backorders import MAX_QUEUE_PRIORITY
from microbag.orders.header import (
    INCOTERMS,
    MAX_NOTES_LENGTH,
    MAX_PO_NUMBER_LENGTH,
    HeaderIn,
    ship_to_of,
)
from microbag.orders.policies import MAX_REASON_LENGTH, MAX_TRACKING_REF_LENGTH, line_promise
from microbag.shipping.policies import CARRIERS

MAX_LINES = 200
MAX_QUANTITY = 1_000_000
MAX_IDEMPOTENCY_KEY_LENGTH = 255

OrderStatus = Literal[
    "draft", "placed", "confirmed", "partly_shipped", "shipped", "delivered", "cancelled"
]
SkuCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Fulfilment = Literal["stock", "preorder", "backorder"]


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: SkuCode = Field(description="SKU code, e.g. MC-001-GLD")
    quantity: int = Field(ge=1, le=MAX_QUANTITY, strict=True)
    fulfilment: Fulfilment = Field(
        "stock",
        description="stock: from stock on hand (the default; not enough is an error). "
        "preorder: against an incoming batch (incoming_id, or the earliest with room), "
        "promised its ship window. backorder: what stock lacks waits for the next "
        "arrival, first come, first served",
    )
    incoming_id: int | None = Field(
        None,
        ge=1,
        le=2_147_483_647,
        description="preorder only: the incoming batch (GET /api/v1/incoming) to order from",
    )

    @property
    def digest_sku(self) -> str:
        """The SKU as the idempotency hash sees it: a plain stock line hashes as before
        fulfilment existed; a preorder or backorder line is another request."""
        if self.fulfilment == "stock":
            return self.sku
        batch = f"@{self.incoming_id}" if self.incoming_id is not None else ""
        return f"{self.sku}#{self.fulfilment}{batch}"


class OrderIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"lines": [{"sku": "MC-001-GLD", "quantity": 12}]}},
    )

    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)
    # The header (issue 11), all optional; checked by the core (orders.header) so that
    # every problem comes back at once with its own code.
    po_number: str | None = Field(
        None,
        max_length=200,
        description=f"Your purchase order number (up to {MAX_PO_NUMBER_LENGTH} characters), "
        "unique per company; required when your company's account says so",
        examples=["PO-2026-0042"],
    )
    requested_delivery_date: date | None = Field(
        None, description="The delivery date you ask for; today or later"
    )
    ship_to_address_id: int | None = Field(
        None,
        ge=1,
        le=2_147_483_647,
        description="One of your company's active ship-to addresses; default: the company's "
        "default ship-to",
    )
    notes: str | None = Field(
        None, max_length=MAX_NOTES_LENGTH * 2, description=f"Up to {MAX_NOTES_LENGTH} characters"
    )
    incoterm: str | None = Field(
        None,
        max_length=16,
        description=f"One of {', '.join(INCOTERMS)}; default: your company's incoterm",
        examples=["DAP"],
    )

    def header(self) -> HeaderIn:
        return HeaderIn(
            po_number=self.po_number,
            requested_delivery_date=self.requested_delivery_date,
            ship_to_address_id=self.ship_to_address_id,
            notes=self.notes,
            incoterm=self.incoterm,
        )


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        default="",
        max_length=MAX_REASON_LENGTH,
        description="Why; required when the seller's staff cancel",
    )


class ShipIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tracking_ref: str = Field(min_length=1, max_length=MAX_TRACKING_REF_LENGTH)


class MoneyOut(BaseModel):
    amount_minor: int
    currency: str


class OrderLineOut(BaseModel):
    line: int = Field(description="1-based line number")
    sku: str
    quantity: int
    unit_price: MoneyOut
    line_total: MoneyOut
    fulfilment: Fulfilment = "stock"
    waiting_quantity: int = Field(0, description="Units not reserved yet (preorder, backorder)")
    shipped_quantity: int = 0
    incoming_id: int | None = None
    promised_from: date | None = Field(None, description="The promised ship window's start")
    promised_until: date | None = None
    promise: str = Field("", description="The line's promise in plain words")


class OrderEventOut(BaseModel):
    from_status: str | None
    to_status: str
    at: datetime
    actor: str
    reason: str


class ShipToOut(BaseModel):
    """The ship-to as it was when the order was placed."""

    address_id: int | None
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    lines: list[str] = Field(description="The address as printed on a label")


class OrderOut(BaseModel):
    id: int
    company_id: int
    status: OrderStatus
    currency: str
    lines: list[OrderLineOut]
    total: MoneyOut
    quote_id: int | None
    tracking_ref: str | None
    created_at: datetime
    placed_at: datetime | None
    paid_at: datetime | None
    events: list[OrderEventOut]
    po_number: str | None = None
    requested_delivery_date: date | None = None
    ship_to: ShipToOut | None = None
    notes: str | None = None
    incoterm: str | None = None


class LineLike(Protocol):
    """An order line as the JSON needs it: ``OrderLine`` or a just-placed line."""

    @property
    def line_no(self) -> int: ...
    @property
    def sku_code(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price_minor(self) -> int: ...
    @property
    def line_total_minor(self) -> int: ...
    @property
    def fulfilment(self) -> str: ...
    @property
    def waiting_quantity(self) -> int: ...
    @property
    def shipped_quantity(self) -> int: ...
    @property
    def incoming_id(self) -> int | None: ...
    @property
    def promised_from(self) -> date | None: ...
    @property
    def promised_until(self) -> date | None: ...


class EventLike(Protocol):
    @property
    def from_status(self) -> str | None: ...
    @property
    def to_status(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_label(self) -> str: ...
    @property
    def reason(self) -> str: ...


class OrderLike(Protocol):
    """``Order`` or ``orders.placement.PlacedOrder`` (what placing returns)."""

    @property
    def id(self) -> int: ...
    @property
    def company_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def total_minor(self) -> int: ...
    @property
    def quote_id(self) -> int | None: ...
    @property
    def tracking_ref(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def placed_at(self) -> datetime | None: ...
    @property
    def paid_at(self) -> datetime | None: ...
    @property
    def lines(self) -> Sequence[LineLike]: ...
    @property
    def events(self) -> Sequence[EventLike]: ...
    @property
    def po_number(self) -> str | None: ...
    @property
    def requested_delivery_date(self) -> date | None: ...
    @property
    def ship_to_address_id(self) -> int | None: ...
    @property
    def ship_to(self) -> Mapping[str, str] | None: ...
    @property
    def notes(self) -> str | None: ...
    @property
    def incoterm(self) -> str | None: ...


def _line_out(line: LineLike, currency: str) -> OrderLineOut:
    return OrderLineOut(
        line=line.line_no,
        sku=line.sku_code,
        quantity=line.quantity,
        unit_price=MoneyOut(amount_minor=line.unit_price_minor, currency=currency),
        line_total=MoneyOut(amount_minor=line.line_total_minor, currency=currency),
        fulfilment=line.fulfilment,
        waiting_quantity=line.waiting_quantity,
        shipped_quantity=line.shipped_quantity,
        incoming_id=line.incoming_id,
        promised_from=line.promised_from,
        promised_until=line.promised_until,
        promise=line_promise(
            line.fulfilment,
            line.quantity,
            line.waiting_quantity,
            line.shipped_quantity,
            line.promised_from,
            line.promised_until,
        ),
    )


def _event_out(event: EventLike) -> OrderEventOut:
    return OrderEventOut(
        from_status=event.from_status,
        to_status=event.to_status,
        at=event.at,
        actor=event.actor_label,
        reason=event.reason,
    )


def order_out(order: OrderLike) -> OrderOut:
    return OrderOut(
        id=order.id,
        company_id=order.company_id,
        status=order.status,
        currency=order.currency,
        lines=[_line_out(line, order.currency) for line in order.lines],
        total=MoneyOut(amount_minor=order.total_minor, currency=order.currency),
        quote_id=order.quote_id,
        tracking_ref=order.tracking_ref,
        created_at=order.created_at,
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        events=[_event_out(e) for e in order.events],
        po_number=order.po_number,
        requested_delivery_date=order.requested_delivery_date,
        ship_to=ship_to_out(order.ship_to_address_id, order.ship_to),
        notes=order.notes,
        incoterm=order.incoterm,
    )


def ship_to_out(address_id: int | None, ship_to: Mapping[str, str] | None) -> ShipToOut | None:
    if not ship_to:
        return None
    copy = ship_to_of(ship_to)
    return ShipToOut(address_id=address_id, **asdict(copy), lines=copy.lines())


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
