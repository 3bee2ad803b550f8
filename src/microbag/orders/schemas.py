"""Request and response bodies of the orders API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from microbag.orders.models import Order, OrderEvent, OrderLine
from microbag.orders.policies import MAX_REASON_LENGTH, MAX_TRACKING_REF_LENGTH

MAX_LINES = 200
MAX_QUANTITY = 1_000_000
MAX_IDEMPOTENCY_KEY_LENGTH = 255

OrderStatus = Literal["draft", "placed", "confirmed", "shipped", "delivered", "cancelled"]
SkuCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: SkuCode = Field(description="SKU code, e.g. MC-001-GLD")
    quantity: int = Field(ge=1, le=MAX_QUANTITY, strict=True)


class OrderIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"lines": [{"sku": "MC-001-GLD", "quantity": 12}]}},
    )

    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)


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


class OrderEventOut(BaseModel):
    from_status: str | None
    to_status: str
    at: datetime
    actor: str
    reason: str


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


def _line_out(line: OrderLine, currency: str) -> OrderLineOut:
    return OrderLineOut(
        line=line.line_no,
        sku=line.sku_code,
        quantity=line.quantity,
        unit_price=MoneyOut(amount_minor=line.unit_price_minor, currency=currency),
        line_total=MoneyOut(amount_minor=line.line_total_minor, currency=currency),
    )


def _event_out(event: OrderEvent) -> OrderEventOut:
    return OrderEventOut(
        from_status=event.from_status,
        to_status=event.to_status,
        at=event.at,
        actor=event.actor_label,
        reason=event.reason,
    )


def order_out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.id,
        company_id=order.company_id,
        status=order.status,  # type: ignore[arg-type]
        currency=order.currency,
        lines=[_line_out(line, order.currency) for line in order.lines],
        total=MoneyOut(amount_minor=order.total_minor, currency=order.currency),
        quote_id=order.quote_id,
        tracking_ref=order.tracking_ref,
        created_at=order.created_at,
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        events=[_event_out(e) for e in order.events],
    )
