"""Sourcing test data built straight from the models (issue 10): suppliers, their prices,
purchase orders and lots. Use with ``build_world`` (its SKUs and MAIN warehouse)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from microbag.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
)
from microbag.suppliers.models import Supplier, SupplierPrice
from microbag.timeutil import utcnow


def add_supplier(
    s: Session,
    code: str = "GZ-01",
    *,
    name: str | None = None,
    kind: str = "factory",
    country: str = "CN",
    region: str = "Guangdong",
    currency: str = "USD",
    lead_time_days: int = 45,
    capacity: int = 20_000,
    capabilities: dict[str, object] | None = None,
) -> Supplier:
    sup = Supplier(
        code=code,
        name=name or f"Supplier {code}",
        kind=kind,
        country=country,
        region=region,
        currency=currency,
        contacts=[{"name": "Li Wei", "role": "sales", "email": f"{code.lower()}@example.com"}],
        capabilities=capabilities
        if capabilities is not None
        else {
            "bag_types": ["micro_clutch", "micro_tote", "mini_crossbody"],
            "materials": ["calfskin", "vegan_leather", "canvas"],
            "hardware": ["gold_tone"],
            "oem": True,
            "odm": False,
            "logo": True,
            "packaging": True,
        },
        monthly_capacity_units=capacity,
        default_lead_time_days=lead_time_days,
        payment_terms="30% deposit, 70% before shipment",
    )
    s.add(sup)
    s.flush()
    return sup


def add_supplier_price(
    s: Session,
    supplier: Supplier,
    sku_id: int,
    unit_cost_minor: int = 1_200,
    *,
    moq: int = 50,
    case_pack: int = 10,
    lead_time_days: int | None = None,
    valid_from: date = date(2020, 1, 1),
    valid_until: date | None = None,
    currency: str | None = None,
) -> SupplierPrice:
    price = SupplierPrice(
        supplier_id=supplier.id,
        sku_id=sku_id,
        unit_cost_minor=unit_cost_minor,
        currency=currency or supplier.currency,
        moq=moq,
        case_pack=case_pack,
        lead_time_days=lead_time_days,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    s.add(price)
    s.flush()
    return price


_po_counter = 0


def add_po(
    s: Session,
    supplier: Supplier,
    warehouse_id: int,
    lines: Sequence[tuple[int, str, int, int]],
    *,
    status: str = "draft",
    created_at: datetime | None = None,
    sent_at: datetime | None = None,
    confirmed_at: datetime | None = None,
    promised_date: date | None = None,
) -> PurchaseOrder:
    """``lines``: (sku_id, sku_code, quantity, unit_cost_minor)."""
    global _po_counter
    _po_counter += 1
    created = created_at or utcnow()
    po = PurchaseOrder(
        number=f"PO-T-{_po_counter:05d}-{supplier.code}",
        supplier_id=supplier.id,
        status=status,
        currency=supplier.currency,
        warehouse_id=warehouse_id,
        created_at=created,
        sent_at=sent_at,
        confirmed_at=confirmed_at,
    )
    s.add(po)
    s.flush()
    for n, (sku_id, code, qty, cost) in enumerate(lines, start=1):
        s.add(
            PurchaseOrderLine(
                po_id=po.id,
                line_no=n,
                sku_id=sku_id,
                sku_code=code,
                quantity=qty,
                unit_cost_minor=cost,
                warehouse_id=warehouse_id,
                promised_date=promised_date,
            )
        )
    s.add(PurchaseOrderEvent(po_id=po.id, kind="created", actor="test", created_at=created))
    s.flush()
    s.refresh(po)
    return po


def add_lot(
    s: Session,
    po: PurchaseOrder,
    line: PurchaseOrderLine,
    quantity: int,
    *,
    status: str = "pending_inspection",
    received_at: datetime | None = None,
) -> ReceiptLine:
    """A delivery of ``quantity`` units of ``line`` (the line's received count goes up)."""
    at = received_at or (utcnow() - timedelta(minutes=1))
    receipt = Receipt(po_id=po.id, warehouse_id=line.warehouse_id, received_at=at)
    s.add(receipt)
    s.flush()
    lot = ReceiptLine(
        receipt_id=receipt.id,
        po_line_id=line.id,
        sku_id=line.sku_id,
        warehouse_id=line.warehouse_id,
        quantity=quantity,
        status=status,
    )
    s.add(lot)
    line.received_quantity += quantity
    line.last_received_at = at
    s.flush()
    return lot
