"""Read-only export of orders (CSV or XLSX), one row per order line.

Scope: staff (or the command line, principal None) export every company's orders;
a buyer's principal exports only their own company's. Amounts are in major units
(``45.00``) next to their currency; text cells are escaped against formula injection.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.buyers.models import Company
from microbag.catalog.exporter import write_table
from microbag.money import to_major
from microbag.orders.header import ship_to_of
from microbag.orders.models import Order, OrderLine

COLUMNS: tuple[str, ...] = (
    "order_id",
    "company",
    "company_country",
    "status",
    "created_at",
    "placed_at",
    "currency",
    "order_total",
    "line_no",
    "sku",
    "quantity",
    "unit_price",
    "line_total",
    "tracking_ref",
    # The order header (issue 11), at the end: files read by column position keep working.
    "po_number",
    "requested_delivery_date",
    "incoterm",
    "ship_to",
    "ship_to_country",
    "notes",
)


def header_cells(
    po_number: str | None,
    requested_delivery_date: date | None,
    incoterm: str | None,
    ship_to: Mapping[str, str] | None,
    notes: str | None,
) -> list[str]:
    """The header's cells (the last columns): the ship-to as its printed lines joined
    by commas, its country apart (for filtering)."""
    copy = ship_to_of(ship_to) if ship_to else None
    return [
        po_number or "",
        requested_delivery_date.isoformat() if requested_delivery_date else "",
        incoterm or "",
        ", ".join(copy.lines()) if copy else "",
        copy.country if copy else "",
        notes or "",
    ]


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def order_rows(session: Session, company_id: int | None) -> Iterator[list[Any]]:
    """Rows by order id then line number; only ``company_id``'s orders when given."""
    stmt = (
        select(
            Order.id,
            Company.name,
            Company.country,
            Order.status,
            Order.created_at,
            Order.placed_at,
            Order.currency,
            Order.total_minor,
            OrderLine.line_no,
            OrderLine.sku_code,
            OrderLine.quantity,
            OrderLine.unit_price_minor,
            OrderLine.line_total_minor,
            Order.tracking_ref,
            Order.po_number,
            Order.requested_delivery_date,
            Order.incoterm,
            Order.ship_to,
            Order.notes,
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Company, Company.id == Order.company_id)
        .order_by(Order.id, OrderLine.line_no)
        .execution_options(yield_per=2000)
    )
    if company_id is not None:
        stmt = stmt.where(Order.company_id == company_id)
    for row in session.execute(stmt):
        currency = row.currency
        yield [
            row[0],
            row[1],
            row[2],
            row.status,
            _when(row.created_at),
            _when(row.placed_at),
            currency,
            str(to_major(row.total_minor, currency)),
            row.line_no,
            row.sku_code,
            row.quantity,
            str(to_major(row.unit_price_minor, currency)),
            str(to_major(row.line_total_minor, currency)),
            row.tracking_ref or "",
            *header_cells(
                row.po_number, row.requested_delivery_date, row.incoterm, row.ship_to, row.notes
            ),
        ]


def export_orders(
    session: Session, fmt: str, out: IO[bytes], principal: Principal | None = None
) -> int:
    """Write the orders the principal may see to ``out``; returns the number of lines."""
    company_id = None if principal is None or principal.is_staff else principal.company_id
    return write_table(fmt, out, COLUMNS, order_rows(session, company_id), "orders")
