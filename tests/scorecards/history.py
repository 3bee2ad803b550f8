"""A known purchase history for scorecard tests (rows straight from the models).

Today is 2026-12-05 (2026-Q4). Supplier GZ-01:

- PO sent 2026-10-01 09:00, confirmed 24 h later; two lines promised 2026-11-01:
  line 1 (100 units) delivered 2026-10-30 (2 days early), accepted, 32 inspected, 2
  defective; line 2 (50 units) delivered 2026-11-05 (4 days late), returned, 13
  inspected, 3 defective.
- PO sent 2026-07-01 09:00, confirmed 48 h later; one line of 200 promised 2026-08-01,
  delivered 120 on 2026-08-01 and 80 on 2026-08-11 (10 days late), both lots accepted;
  the first lot: 20 inspected, 1 defective.

So 2026-Q4: on-time 1/2, in-full 1/2, defects 5/45, spread std(-2, 4) = 3 days, 24 h to
confirm; 2026-Q3: on-time 0/1, in-full 1/1, defects 1/20, spread 0, 48 h.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.inspection.models import Inspection, InspectionDefect
from microbag.purchasing.models import PurchaseOrder, Receipt, ReceiptLine
from microbag.suppliers.models import Supplier
from tests.factories import World
from tests.sourcing_data import add_lot, add_po, add_supplier

TODAY = date(2026, 12, 5)


# Days added to every date of the history (API and page tests move it next to today).
_shift = timedelta(0)


def at(day: date, hour: int = 9) -> datetime:
    day = day + _shift
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def inspect(
    s: Session, lot: ReceiptLine, sample: int, defects: Sequence[tuple[str, str, int]], day: date
) -> Inspection:
    found = sum(n for _, _, n in defects)
    insp = Inspection(
        receipt_line_id=lot.id,
        lot_size=lot.quantity,
        code_letter="F",
        sample_size=sample,
        plan={},
        result="accept" if found <= 2 else "reject",
        defect_rate=found / sample,
        inspector="qa@seller.test",
        inspected_at=at(day, 15),
    )
    s.add(insp)
    s.flush()
    for kind, cls, n in defects:
        s.add(InspectionDefect(inspection_id=insp.id, kind=kind, defect_class=cls, count=n))
    s.flush()
    return insp


def delivered_po(
    s: Session,
    supplier: Supplier,
    world: World,
    *,
    sent: date,
    confirm_hours: int,
    promised: date,
    deliveries: Sequence[Sequence[tuple[date, int, str]]],
    quantities: Sequence[int],
    status: str = "received",
) -> PurchaseOrder:
    """A PO with one line per quantity; ``deliveries[i]``: (day, units, lot status)."""
    codes = ["MC-001-GLD", "MC-001-BLK", "MT-001-RED", "CB-001-TAN"]
    lines = [(world.skus[codes[i]], codes[i], q, 1_000) for i, q in enumerate(quantities)]
    sent_at = at(sent)
    po = add_po(
        s,
        supplier,
        world.warehouse,
        lines,
        status=status,
        created_at=sent_at,
        sent_at=sent_at,
        confirmed_at=datetime.fromtimestamp(sent_at.timestamp() + 3600 * confirm_hours, UTC),
        promised_date=promised + _shift,
    )
    for line, drops in zip(po.lines, deliveries, strict=True):
        for day, units, lot_status in drops:
            add_lot(s, po, line, units, status=lot_status, received_at=at(day, 11))
    return po


@dataclass
class Known:
    supplier: Supplier
    lots: list[ReceiptLine]


def known_history(s: Session, world: World, code: str = "GZ-01", *, today: date = TODAY) -> Known:
    """The history above; ``today`` moves every date by ``today - TODAY``."""
    global _shift
    _shift = today - TODAY
    try:
        return _known_history(s, world, code)
    finally:
        _shift = timedelta(0)


def _known_history(s: Session, world: World, code: str) -> Known:
    sup = add_supplier(s, code)
    q4 = delivered_po(
        s,
        sup,
        world,
        sent=date(2026, 10, 1),
        confirm_hours=24,
        promised=date(2026, 11, 1),
        deliveries=[
            [(date(2026, 10, 30), 100, "accepted")],
            [(date(2026, 11, 5), 50, "returned")],
        ],
        quantities=[100, 50],
    )
    q3 = delivered_po(
        s,
        sup,
        world,
        sent=date(2026, 7, 1),
        confirm_hours=48,
        promised=date(2026, 8, 1),
        deliveries=[[(date(2026, 8, 1), 120, "accepted"), (date(2026, 8, 11), 80, "accepted")]],
        quantities=[200],
    )
    lots = [lot for po in (q4, q3) for r in po_receipts(s, po) for lot in r]
    inspect(s, lots[0], 32, [("stitching", "major", 2)], date(2026, 10, 31))
    inspect(s, lots[1], 13, [("zips", "major", 2), ("odor", "minor", 1)], date(2026, 11, 6))
    inspect(s, lots[2], 20, [("color", "minor", 1)], date(2026, 8, 2))
    return Known(sup, lots)


def po_receipts(s: Session, po: PurchaseOrder) -> list[list[ReceiptLine]]:
    receipts = s.scalars(select(Receipt).where(Receipt.po_id == po.id).order_by(Receipt.id))
    return [list(r.lines) for r in receipts]
