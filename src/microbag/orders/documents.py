"""An order's warehouse documents as PDFs (WeasyPrint): the pick list (per warehouse, the
units reserved and not shipped yet) and a shipment's packing slip.

Modelled on ``purchasing.pdf``: the HTML templates are web/templates/staff/
pick_list_pdf.html and packing_slip_pdf.html, rendered with a plain Jinja2 environment
(this module sits below the web layer). Nothing is fetched over the network: the CSS is
inline, fonts are the system's, and WeasyPrint's URL fetcher refuses every URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from sqlalchemy.orm import Session

from microbag import pdf as pdf_docs
from microbag.accounts.principal import Principal
from microbag.buyers.service import get_company
from microbag.catalog.service import sku_labels
from microbag.config import get_settings
from microbag.errors import NotFound
from microbag.orders import service
from microbag.orders.models import Order
from microbag.orders.progress import ShipmentView, shipment_views, warehouse_codes
from microbag.stock.service import warehouse_by_code
from microbag.timeutil import utcnow

PICK_LIST_TEMPLATE = "staff/pick_list_pdf.html"
PACKING_SLIP_TEMPLATE = "staff/packing_slip_pdf.html"
LOCALE = "en_US"


def _day(value: date | None) -> str:
    return str(format_date(value, format="medium", locale=LOCALE)) if value else ""


def _header(session: Session, order: Order) -> dict[str, Any]:
    """What both documents print about the order: who, where to, which PO, when."""
    return {
        "order": order,
        "company": get_company(session, order.company_id).name,
        "ship_to": order.ship_to_lines,
        "requested": _day(order.requested_delivery_date),
        "placed": _day((order.placed_at or order.created_at).date()),
        "printed": _day(utcnow().date()),
        "seller": get_settings().seller_name,
    }


# ---- the pick list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickRow:
    line_no: int
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True)
class PickSection:
    warehouse: str
    rows: list[PickRow]

    @property
    def units(self) -> int:
        return sum(r.quantity for r in self.rows)


def pick_sections(
    session: Session, principal: Principal, order_id: int, warehouse_code: str | None = None
) -> tuple[Order, list[PickSection]]:
    """Per warehouse (by code), the order's reserved and unshipped units line by line."""
    order = service.get_order(session, principal, order_id)
    only = warehouse_by_code(session, warehouse_code).id if warehouse_code else None
    codes = warehouse_codes(session)
    names = {code: label.name for code, label in sku_labels(session, _skus(order)).items()}
    by_warehouse: dict[int, dict[int, PickRow]] = {}
    for line in order.lines:
        for allocation in line.allocations:
            if allocation.quantity <= 0 or (only is not None and allocation.warehouse_id != only):
                continue
            rows = by_warehouse.setdefault(allocation.warehouse_id, {})
            before = rows.get(line.line_no)
            rows[line.line_no] = PickRow(
                line.line_no,
                line.sku_code,
                names.get(line.sku_code, ""),
                allocation.quantity + (before.quantity if before else 0),
            )
    sections = [
        PickSection(codes.get(w, str(w)), [rows[n] for n in sorted(rows)])
        for w, rows in by_warehouse.items()
    ]
    return order, sorted(sections, key=lambda s: s.warehouse)


def _skus(order: Order) -> list[str]:
    return [line.sku_code for line in order.lines]


def pick_list_html(
    session: Session, principal: Principal, order_id: int, warehouse_code: str | None = None
) -> str:
    order, sections = pick_sections(session, principal, order_id, warehouse_code)
    return pdf_docs.render_html(
        PICK_LIST_TEMPLATE,
        **_header(session, order),
        sections=sections,
        warehouse=warehouse_code,
        status=order.status.replace("_", " "),
    )


def pick_list_pdf(
    session: Session, principal: Principal, order_id: int, warehouse_code: str | None = None
) -> bytes:
    """The pick list PDF (bytes starting with %PDF): one page per warehouse holding
    reserved, unshipped units of the order (only ``warehouse_code``'s when given)."""
    return pdf_docs.html_to_pdf(pick_list_html(session, principal, order_id, warehouse_code))


# ---- the packing slip ---------------------------------------------------------------------------


def _shipment(
    session: Session, principal: Principal, order: Order, number: int
) -> tuple[ShipmentView, list[ShipmentView]]:
    shipments = shipment_views(session, principal, order)
    chosen = next((s for s in shipments if s.number == number), None)
    if chosen is None:
        raise NotFound("shipment", "unknown_shipment")
    return chosen, shipments


def packing_slip_html(
    session: Session, principal: Principal, order_id: int, shipment_number: int
) -> str:
    order = service.get_order(session, principal, order_id)
    shipment, shipments = _shipment(session, principal, order, shipment_number)
    names = {code: label.name for code, label in sku_labels(session, _skus(order)).items()}
    ordered = {line.line_no: line.quantity for line in order.lines}
    so_far = sum(s.units for s in shipments if s.number <= shipment.number)
    return pdf_docs.render_html(
        PACKING_SLIP_TEMPLATE,
        **_header(session, order),
        shipment=shipment,
        shipped_on=_day(shipment.shipped_at.date()),
        names=names,
        ordered=ordered,
        so_far=so_far,
        total_units=sum(ordered.values()),
        count=len(shipments),
    )


def packing_slip_pdf(
    session: Session, principal: Principal, order_id: int, shipment_number: int
) -> bytes:
    """A shipment's packing slip PDF (bytes starting with %PDF)."""
    return pdf_docs.html_to_pdf(packing_slip_html(session, principal, order_id, shipment_number))
