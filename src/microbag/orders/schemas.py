"""Request and response bodies of the orders API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from microbag.orders.header import (
    INCOTERMS,
    MAX_NOTES_LENGTH,
    MAX_PO_NUMBER_LENGTH,
    HeaderIn,
    ship_to_of,
)
from microbag.orders.policies import MAX_REASON_LENGTH, MAX_TRACKING_REF_LENGTH, line_promise

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
