"""Receiving goods against a purchase order, and the lots (receipt lines) that come of it.

A delivery locks the PO row, so concurrent receipts of one PO run one after the other
and never count a unit twice; a repeated delivery ``reference`` is a no-op answering the
first receipt. Over-deliveries are recorded as events when they arrive, under-deliveries
when the PO is closed (``service.close``); nothing is absorbed silently.

Lots wait in ``pending_inspection`` (not sellable) unless the receipt skips inspection;
a lot's units join stock on hand when it becomes ``accepted``, exactly once (the lot
row is locked and ``stocked_quantity`` says whether it already happened). Callers commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku
from microbag.errors import Conflict, DomainError, ErrorItem, NotFound
from microbag.orders import backorders
from microbag.purchasing import policies
from microbag.purchasing.models import PurchaseOrder, Receipt, ReceiptLine
from microbag.purchasing.service import get_po, record
from microbag.stock.incoming import settle_incoming
from microbag.stock.models import Warehouse
from microbag.stock.service import add_on_hand
from microbag.timeutil import as_utc, utcnow

MAX_RECEIPT_LINES = 500


def receipt_by_reference(session: Session, po_id: int, reference: str) -> Receipt | None:
    return session.scalars(
        select(Receipt).where(Receipt.po_id == po_id, Receipt.reference == reference)
    ).first()


def list_receipts(session: Session, po_id: int) -> list[Receipt]:
    return list(session.scalars(select(Receipt).where(Receipt.po_id == po_id).order_by(Receipt.id)))


def _line_errors(po: PurchaseOrder, lines: Sequence[tuple[int, int]]) -> list[ErrorItem]:
    if not lines:
        return [ErrorItem("no_lines", "a receipt needs at least one line", None, "lines")]
    if len(lines) > MAX_RECEIPT_LINES:
        return [ErrorItem("too_many_lines", f"at most {MAX_RECEIPT_LINES} lines", None, "lines")]
    known = {ln.id for ln in po.lines}
    errors: list[ErrorItem] = []
    seen: set[int] = set()
    for n, (line_id, units) in enumerate(lines, start=1):
        field = f"lines[{n - 1}]"
        if line_id not in known:
            errors.append(
                ErrorItem(
                    "unknown_line",
                    f"receipt line {n}: line id {line_id} is not on {po.number}",
                    n,
                    f"{field}.po_line_id",
                )
            )
        elif line_id in seen:
            errors.append(
                ErrorItem(
                    "duplicate_line",
                    f"receipt line {n}: line id {line_id} is given twice",
                    n,
                    f"{field}.po_line_id",
                )
            )
        seen.add(line_id)
        if not 1 <= units <= policies.MAX_QUANTITY:
            errors.append(
                ErrorItem(
                    "invalid_quantity",
                    f"receipt line {n}: units must be 1 to {policies.MAX_QUANTITY:,}",
                    n,
                    f"{field}.quantity",
                )
            )
    return errors


def receive(
    session: Session,
    po_id: int,
    *,
    lines: Sequence[tuple[int, int]],
    actor: str,
    reference: str | None = None,
    warehouse_id: int | None = None,
    inspect: bool = True,
    note: str = "",
) -> Receipt:
    """Record a delivery: ``lines`` are (po_line_id, units delivered). With ``inspect``
    the lots wait for inspection; without, they are accepted and stocked at once."""
    reference = (reference or "").strip() or None
    if reference is not None and len(reference) > 64:
        raise DomainError(
            ErrorItem(
                "invalid_reference", "the reference is at most 64 characters", None, "reference"
            )
        )
    po = get_po(session, po_id, lock=True)
    if reference is not None:
        earlier = receipt_by_reference(session, po.id, reference)
        if earlier is not None:
            return earlier
    if po.status not in policies.RECEIVABLE_STATUSES:
        raise Conflict(
            "po_state",
            f"{po.number} is {po.status.replace('_', ' ')}; goods are received on a"
            " confirmed order",
        )
    errors = _line_errors(po, lines)
    if warehouse_id is not None and session.get(Warehouse, warehouse_id) is None:
        errors.append(
            ErrorItem(
                "unknown_warehouse",
                f"warehouse {warehouse_id} does not exist",
                None,
                "warehouse_id",
            )
        )
    if errors:
        raise DomainError(errors)
    now = utcnow()
    receipt = Receipt(
        po_id=po.id,
        reference=reference,
        warehouse_id=warehouse_id or po.warehouse_id,
        note=note,
        received_by=actor,
        received_at=now,
    )
    session.add(receipt)
    session.flush()
    by_id = {ln.id: ln for ln in po.lines}
    delivered: list[dict[str, Any]] = []
    for line_id, units in lines:
        line = by_id[line_id]
        lot_warehouse = warehouse_id or line.warehouse_id
        lot = ReceiptLine(
            receipt_id=receipt.id,
            po_line_id=line.id,
            sku_id=line.sku_id,
            warehouse_id=lot_warehouse,
            quantity=units,
            status="pending_inspection" if inspect else "accepted",
        )
        if not inspect:
            lot.stocked_quantity = units
            lot.decision = "no_inspection"
            lot.decided_by = actor
            lot.decided_at = now
            add_on_hand(session, line.sku_id, lot_warehouse, units)
            backorders.fill_waiting(session, [line.sku_id])  # waiting lines first
        session.add(lot)
        before = line.received_quantity
        line.received_quantity = before + units
        line.last_received_at = now
        if line.incoming_id is not None:
            settle_incoming(session, line.incoming_id, units)
        delivery = policies.classify_delivery(line.quantity, line.received_quantity)
        delivered.append(
            {
                "line": line.line_no,
                "sku": line.sku_code,
                "units": units,
                "ordered": line.quantity,
                "received_total": line.received_quantity,
                "delivery": delivery,
            }
        )
        if delivery == "over":
            record(
                session,
                po,
                "over_delivered",
                actor,
                line=line.line_no,
                sku=line.sku_code,
                ordered=line.quantity,
                received=line.received_quantity,
                # Only the units past the order that came in this delivery.
                excess=line.received_quantity - max(before, line.quantity),
            )
    session.flush()
    status = policies.status_after_receipt((ln.quantity, ln.received_quantity) for ln in po.lines)
    if status != po.status:
        po.status = status
        if status == "received":
            po.received_at = now
    record(
        session,
        po,
        "received",
        actor,
        receipt_id=receipt.id,
        reference=reference,
        inspect=inspect,
        lines=delivered,
        status=po.status,
    )
    session.flush()
    return receipt


# ---- lots ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotView:
    id: int
    receipt_id: int
    po_id: int
    po_number: str
    supplier_id: int
    sku_id: int
    sku_code: str
    warehouse_id: int
    warehouse_code: str
    quantity: int
    status: str
    decision: str
    decision_note: str
    received_at: datetime


def _lot_query() -> Any:
    return (
        select(
            ReceiptLine.id,
            ReceiptLine.receipt_id,
            PurchaseOrder.id,
            PurchaseOrder.number,
            PurchaseOrder.supplier_id,
            ReceiptLine.sku_id,
            Sku.code,
            ReceiptLine.warehouse_id,
            Warehouse.code,
            ReceiptLine.quantity,
            ReceiptLine.status,
            ReceiptLine.decision,
            ReceiptLine.decision_note,
            Receipt.received_at,
        )
        .select_from(ReceiptLine)
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .join(PurchaseOrder, PurchaseOrder.id == Receipt.po_id)
        .join(Sku, Sku.id == ReceiptLine.sku_id)
        .join(Warehouse, Warehouse.id == ReceiptLine.warehouse_id)
    )


def _view(row: Any) -> LotView:
    values = list(row)
    values[-1] = as_utc(values[-1])
    return LotView(*values)


def get_lot(session: Session, lot_id: int, *, lock: bool = False) -> LotView:
    """One lot; ``lock`` takes its row lock first (state changes, inspections)."""
    if lock:
        locked = session.scalars(
            select(ReceiptLine.id).where(ReceiptLine.id == lot_id).with_for_update()
        ).first()
        if locked is None:
            raise NotFound("lot", "unknown_lot")
    row = session.execute(_lot_query().where(ReceiptLine.id == lot_id)).first()
    if row is None:
        raise NotFound("lot", "unknown_lot")
    return _view(row)


def list_lots(
    session: Session,
    *,
    status: str | None = None,
    po_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[LotView], int]:
    """Lots, newest first, filtered by status and purchase order."""
    conditions: list[ColumnElement[bool]] = []
    if status:
        conditions.append(ReceiptLine.status == status)
    if po_id is not None:
        conditions.append(Receipt.po_id == po_id)
    query = _lot_query().where(*conditions)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Receipt.received_at.desc(), ReceiptLine.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [_view(r) for r in rows], int(total)


def lot_counts(session: Session) -> dict[str, int]:
    """Lots per status (every status present, 0 when none)."""
    counts = dict.fromkeys(policies.LOT_STATUSES, 0)
    for status, n in session.execute(
        select(ReceiptLine.status, func.count(ReceiptLine.id)).group_by(ReceiptLine.status)
    ):
        counts[str(status)] = int(n)
    return counts


def set_lot_status(
    session: Session, lot_id: int, *, status: str, decision: str, note: str, actor: str
) -> LotView:
    """Move a lot along its states (pending_inspection -> accepted | quarantined;
    quarantined -> accepted | returned | rework; rework -> pending_inspection). Becoming
    accepted adds its units to stock on hand, once. Anything else: 409 lot_state."""
    lot = session.scalars(
        select(ReceiptLine)
        .where(ReceiptLine.id == lot_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if lot is None:
        raise NotFound("lot", "unknown_lot")
    if status not in policies.LOT_STATUSES or not policies.may_move_lot(lot.status, status):
        raise Conflict(
            "lot_state",
            f"lot {lot.id} is {lot.status.replace('_', ' ')}; it cannot become"
            f" {status.replace('_', ' ')}",
        )
    previous = lot.status
    lot.status = status
    lot.decision = decision[:24]
    lot.decision_note = note
    lot.decided_by = actor
    lot.decided_at = utcnow()
    stocked = 0
    if status == "accepted" and lot.stocked_quantity == 0:
        add_on_hand(session, lot.sku_id, lot.warehouse_id, lot.quantity)
        backorders.fill_waiting(session, [lot.sku_id])  # waiting lines first
        lot.stocked_quantity = stocked = lot.quantity
    po = get_po(
        session, session.scalars(select(Receipt.po_id).where(Receipt.id == lot.receipt_id)).one()
    )
    record(
        session,
        po,
        f"lot_{status}",
        actor,
        lot=lot.id,
        sku_id=lot.sku_id,
        quantity=lot.quantity,
        previous=previous,
        decision=decision,
        note=note,
        stocked=stocked,
    )
    session.flush()
    return get_lot(session, lot.id)
