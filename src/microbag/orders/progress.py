"""How far an order got, as its pages and documents show it: per line how it is filled
(stock, preorder, backorder), what is reserved, waiting and shipped, and the promise in
words; per shipment its carrier, tracking number and link, lines and status.

Reads only (the order as ``orders.service.get_order`` returns it, its shipments from
``orders.shipments.list_shipments``); no web layer. Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.orders import policies
from microbag.orders.models import Order
from microbag.orders.shipments import LEGACY_CARRIER, list_shipments, tracking_link
from microbag.shipping.policies import CARRIERS
from microbag.stock.service import list_warehouses

OTHER_CARRIER = "other"


@dataclass(frozen=True)
class LineProgress:
    line_no: int
    sku_code: str
    quantity: int
    fulfilment: str
    reserved: int  # reserved in a warehouse, not shipped yet: what may ship now
    waiting: int  # not reserved yet (preorder, backorder)
    shipped: int
    promise: str


@dataclass(frozen=True)
class ShipmentLineView:
    line_no: int
    sku_code: str
    quantity: int
    warehouse: str


@dataclass(frozen=True)
class ShipmentView:
    number: int
    status: str
    carrier: str
    carrier_name: str
    tracking_number: str
    tracking_url: str | None
    shipped_at: datetime
    delivered_at: datetime | None
    created_by: str
    lines: list[ShipmentLineView]

    @property
    def units(self) -> int:
        return sum(ln.quantity for ln in self.lines)


def line_progress(order: Order) -> list[LineProgress]:
    """Each line's fulfilment, reserved, waiting and shipped units and its promise."""
    return [
        LineProgress(
            line_no=ln.line_no,
            sku_code=ln.sku_code,
            quantity=ln.quantity,
            fulfilment=ln.fulfilment,
            reserved=ln.reserved_quantity,
            waiting=ln.waiting_quantity,
            shipped=ln.shipped_quantity,
            promise=policies.line_promise(
                ln.fulfilment,
                ln.quantity,
                ln.waiting_quantity,
                ln.shipped_quantity,
                ln.promised_from,
                ln.promised_until,
            ),
        )
        for ln in order.lines
    ]


def carrier_name(code: str) -> str:
    known = CARRIERS.get(code)
    if known is not None:
        return known.name
    return "Other carrier" if code == OTHER_CARRIER else ""


def carrier_choices() -> list[tuple[str, str]]:
    """The carriers a shipment may name (code, name), then "other" (no link)."""
    return [(c.code, c.name) for c in CARRIERS.values()] + [(OTHER_CARRIER, "Other carrier")]


def warehouse_codes(session: Session) -> dict[int, str]:
    rows, _count = list_warehouses(session, offset=0, limit=10_000)
    return {w.id: w.code for w in rows}


def shipment_views(session: Session, principal: Principal, order: Order) -> list[ShipmentView]:
    """The order's shipments in order (a buyer's own orders only)."""
    shipments = list_shipments(session, principal, order.id)
    if not shipments:
        return []
    line_nos = {ln.id: ln.line_no for ln in order.lines}
    warehouses = warehouse_codes(session)
    return [
        ShipmentView(
            number=s.number,
            status=s.status,
            carrier=s.carrier,
            carrier_name=carrier_name(s.carrier) if s.carrier != LEGACY_CARRIER else "",
            tracking_number=s.tracking_number,
            tracking_url=tracking_link(s),
            shipped_at=s.shipped_at,
            delivered_at=s.delivered_at,
            created_by=s.created_by,
            lines=[
                ShipmentLineView(
                    line_no=line_nos.get(sl.order_line_id, 0),
                    sku_code=sl.sku_code,
                    quantity=sl.quantity,
                    warehouse=warehouses.get(sl.warehouse_id, ""),
                )
                for sl in s.lines
            ],
        )
        for s in shipments
    ]
