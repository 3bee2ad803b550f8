"""The purchase order as a PDF to send to the supplier (WeasyPrint): seller and supplier
blocks, lines with SKU, quantity, unit cost, promised date, totals formatted with Babel.

The HTML template is web/templates/staff/purchase_order_pdf.html, rendered here with a
plain Jinja2 environment (this module sits below the web layer). Nothing is fetched over
the network: the CSS is inline, fonts are the system's, and WeasyPrint's URL fetcher
refuses every URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from microbag import pdf as pdf_docs
from microbag.config import get_settings
from microbag.money import format_money
from microbag.purchasing import policies
from microbag.purchasing.service import get_po, get_supplier, total_minor
from microbag.stock.service import list_warehouses
from microbag.timeutil import utcnow

TEMPLATE = "staff/purchase_order_pdf.html"
LOCALE = "en_US"


@dataclass(frozen=True)
class PdfLine:
    line_no: int
    sku: str
    quantity: str
    unit_cost: str
    total: str
    warehouse: str
    requested: str
    promised: str


def _day(value: date | None) -> str:
    return str(format_date(value, format="medium", locale=LOCALE)) if value else ""


def render_html(session: Session, po_id: int) -> str:
    """The purchase order as the HTML the PDF is made from."""
    po = get_po(session, po_id)
    supplier = get_supplier(session, po.supplier_id)
    rows, _count = list_warehouses(session, offset=0, limit=10_000)
    warehouses = {w.id: w for w in rows}
    destination = warehouses[po.warehouse_id]
    lines = [
        PdfLine(
            line_no=ln.line_no,
            sku=ln.sku_code,
            quantity=str(format_decimal(ln.quantity, locale=LOCALE)),
            unit_cost=format_money(ln.unit_cost_minor, po.currency, LOCALE),
            total=format_money(
                policies.line_total(ln.quantity, ln.unit_cost_minor), po.currency, LOCALE
            ),
            warehouse=warehouses[ln.warehouse_id].code,
            requested=_day(ln.requested_date),
            promised=_day(ln.promised_date),
        )
        for ln in po.lines
    ]
    contact = next(iter(supplier.contacts or []), {})
    return pdf_docs.render_html(
        TEMPLATE,
        po=po,
        status=po.status.replace("_", " "),
        created=_day(po.created_at.date()),
        printed=_day(utcnow().date()),
        seller=get_settings().seller_name,
        destination=destination,
        supplier=supplier,
        contact=contact,
        lines=lines,
        units=str(format_decimal(sum(ln.quantity for ln in po.lines), locale=LOCALE)),
        total=format_money(total_minor(po), po.currency, LOCALE),
    )


def render_pdf(session: Session, po_id: int) -> bytes:
    """The purchase order PDF (bytes starting with %PDF)."""
    return pdf_docs.html_to_pdf(render_html(session, po_id))
