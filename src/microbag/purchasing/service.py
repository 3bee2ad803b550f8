"""Purchase order use cases: draft (lines checked against the supplier's price, MOQ and
case pack, the supplier's standing checked), edit a draft, send, confirm (the supplier's
promised date per line becomes an incoming batch buyers see), cancel, close, list, and
the units on order for reorder suggestions. Every change is a PurchaseOrderEvent.
Receipts and lots are in ``purchasing.receiving``. Callers commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from microbag.errors import Conflict, DomainError, ErrorItem, NotFound
from microbag.purchasing import policies
from microbag.purchasing.lines import CodedLine as CodedLine
from microbag.purchasing.lines import DraftLine as DraftLine
from microbag.purchasing.lines import checked_lines
from microbag.purchasing.lines import lines_from_codes as lines_from_codes
from microbag.purchasing.models import PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine
from microbag.scorecards.service import Standing, standing_for
from microbag.stock.incoming import add_incoming, cancel_incoming
from microbag.stock.models import Warehouse
from microbag.stock.service import warehouse_by_code
from microbag.suppliers.models import Supplier
from microbag.suppliers.service import PriceOffer, offer_for
from microbag.timeutil import utcnow

SOURCES = ("manual", "reorder", "range_plan")


# ---- other packages' answers, through one function each (tests may replace them) ---------


def supplier_offer(
    session: Session, supplier_id: int, sku_id: int, today: date
) -> PriceOffer | None:
    """The supplier's price for the SKU on ``today`` (its MOQ, case pack, currency)."""
    return offer_for(session, supplier_id, sku_id, today)


def supplier_standing(session: Session, supplier_id: int, today: date) -> Standing:
    """The supplier's standing on its scorecard (level, score, reason)."""
    return standing_for(session, supplier_id, today)


def supplier_id_for_code(session: Session, code: str) -> int:
    supplier_id = session.scalar(select(Supplier.id).where(Supplier.code == code))
    if supplier_id is None:
        raise NotFound(f"supplier {code!r}", "unknown_supplier")
    return int(supplier_id)


def warehouse_id_for_code(session: Session, code: str | None) -> int | None:
    """The warehouse's id (None when no code is given); 404 unknown_warehouse."""
    return None if not code else warehouse_by_code(session, code).id


# ---- reads ------------------------------------------------------------------------------------


def get_po(session: Session, po_id: int, *, lock: bool = False) -> PurchaseOrder:
    query = select(PurchaseOrder).where(PurchaseOrder.id == po_id)
    if lock:
        # populate_existing: a PO already in the session is reloaded with the lock held.
        query = query.with_for_update().execution_options(populate_existing=True)
    po = session.scalars(query).first()
    if po is None:
        raise NotFound("purchase order", "unknown_purchase_order")
    return po


def po_by_number(session: Session, number: str) -> PurchaseOrder:
    po = session.scalars(select(PurchaseOrder).where(PurchaseOrder.number == number)).first()
    if po is None:
        raise NotFound(f"purchase order {number!r}", "unknown_purchase_order")
    return po


def get_supplier(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("supplier", "unknown_supplier")
    return supplier


def supplier_names(session: Session, supplier_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """supplier id -> (code, name), for lists and pages."""
    ids = list(set(supplier_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Supplier.id, Supplier.code, Supplier.name).where(Supplier.id.in_(ids))
    )
    return {int(i): (code, name) for i, code, name in rows}


def supplier_choices(session: Session) -> list[tuple[int, str, str]]:
    """Active suppliers as (id, code, name), by code (the new-PO form)."""
    rows = session.execute(
        select(Supplier.id, Supplier.code, Supplier.name)
        .where(Supplier.active.is_(True))
        .order_by(Supplier.code)
    )
    return [(int(i), code, name) for i, code, name in rows]


def warehouse_codes(session: Session, warehouse_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(warehouse_ids))
    if not ids:
        return {}
    rows = session.execute(select(Warehouse.id, Warehouse.code).where(Warehouse.id.in_(ids)))
    return {int(i): code for i, code in rows}


def list_pos(
    session: Session,
    *,
    status: str | None = None,
    supplier_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[PurchaseOrder], int]:
    """Purchase orders, newest first, filtered by status and supplier."""
    conditions: list[ColumnElement[bool]] = []
    if status:
        conditions.append(PurchaseOrder.status == status)
    if supplier_id is not None:
        conditions.append(PurchaseOrder.supplier_id == supplier_id)
    total = session.scalar(select(func.count(PurchaseOrder.id)).where(*conditions)) or 0
    pos = session.scalars(
        select(PurchaseOrder)
        .where(*conditions)
        .options(selectinload(PurchaseOrder.lines))
        .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(pos), int(total)


def total_minor(po: PurchaseOrder) -> int:
    return policies.po_total((ln.quantity, ln.unit_cost_minor) for ln in po.lines)


def on_order(session: Session, sku_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(sku_id, warehouse_id) -> units ordered and not yet delivered on open purchase
    orders (sent, confirmed, partly received; drafts excluded)."""
    ids = list(set(sku_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            PurchaseOrderLine.sku_id,
            PurchaseOrderLine.warehouse_id,
            PurchaseOrderLine.quantity,
            PurchaseOrderLine.received_quantity,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
        .where(
            PurchaseOrderLine.sku_id.in_(ids),
            PurchaseOrder.status.in_(sorted(policies.OPEN_STATUSES)),
        )
    )
    out: dict[tuple[int, int], int] = {}
    for sku_id, warehouse_id, quantity, received in rows:
        left = max(int(quantity) - int(received), 0)
        if left:
            key = (int(sku_id), int(warehouse_id))
            out[key] = out.get(key, 0) + left
    return out


# ---- events -------------------------------------------------------------------------------------


def record(session: Session, po: PurchaseOrder, kind: str, actor: str, **detail: Any) -> None:
    """Add an event; through the PO's collection, so a PO read later in the same unit of
    work lists it."""
    po.events.append(PurchaseOrderEvent(kind=kind, actor=actor, detail=detail, created_at=utcnow()))


# ---- drafts -------------------------------------------------------------------------------------


def _warehouse(session: Session, warehouse_id: int | None) -> Warehouse:
    if warehouse_id is None:
        return warehouse_by_code(session, None)
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise DomainError(
            ErrorItem(
                "unknown_warehouse",
                f"warehouse {warehouse_id} does not exist",
                None,
                "warehouse_id",
            ),
            404,
        )
    return warehouse


def _check_standing(session: Session, supplier: Supplier, today: date) -> Standing:
    standing = supplier_standing(session, supplier.id, today)
    if standing.level == "very_poor":
        raise Conflict(
            "supplier_blocked",
            f"{supplier.code} stands very poor, which blocks new purchase orders: "
            f"{standing.reason}",
        )
    return standing


def _insert_numbered(session: Session, po: PurchaseOrder, year: int) -> None:
    """Give the PO the year's next PO-<year>-<5 digits> number. Two drafts made at once
    may pick the same number: the unique index refuses the second, which tries the next
    number inside a savepoint."""
    prefix = policies.number_prefix(year)
    last = session.scalars(
        select(PurchaseOrder.number)
        .where(PurchaseOrder.number.like(f"{prefix}%"))
        .order_by(PurchaseOrder.number.desc())
        .limit(1)
    ).all()
    sequence = policies.next_sequence(last)
    for _attempt in range(20):
        if sequence > policies.MAX_SEQUENCE:
            break
        po.number = policies.po_number(year, sequence)
        try:
            with session.begin_nested():
                session.add(po)
                session.flush()
            return
        except IntegrityError:
            # The savepoint's rollback took the PO and its lines out of the session.
            sequence += 1
    raise Conflict("po_number_exhausted", f"no free purchase order number left for {year}")


def create_draft(
    session: Session,
    *,
    supplier_id: int,
    lines: Sequence[DraftLine],
    actor: str,
    warehouse_id: int | None = None,
    source: str = "manual",
    source_ref: str = "",
    notes: str = "",
    today: date | None = None,
) -> PurchaseOrder:
    """A draft purchase order; see the module's rules. A supplier standing "very poor"
    is refused (409 supplier_blocked); "poor" is allowed with a standing_warning event."""
    today = today or utcnow().date()
    supplier = get_supplier(session, supplier_id)
    if not supplier.active:
        raise Conflict("supplier_inactive", f"{supplier.code} is not an active supplier")
    if source not in SOURCES:
        raise DomainError(
            ErrorItem(
                "invalid_source", f"source must be one of {', '.join(SOURCES)}", None, "source"
            )
        )
    standing = _check_standing(session, supplier, today)
    warehouse = _warehouse(session, warehouse_id)
    rows = checked_lines(session, supplier, lines, warehouse.id, today, supplier_offer)
    po = PurchaseOrder(
        supplier_id=supplier.id,
        status="draft",
        currency=supplier.currency,
        warehouse_id=warehouse.id,
        source=source,
        source_ref=source_ref[:64],
        notes=notes,
        created_by=actor,
        created_at=utcnow(),
    )
    po.lines = rows
    _insert_numbered(session, po, today.year)
    record(
        session,
        po,
        "created",
        actor,
        source=source,
        source_ref=source_ref,
        lines=len(rows),
        total_minor=total_minor(po),
        currency=po.currency,
    )
    if standing.level == "poor":
        record(session, po, "standing_warning", actor, level="poor", reason=standing.reason)
    session.flush()
    return po


def update_draft(
    session: Session,
    po_id: int,
    *,
    actor: str,
    lines: Sequence[DraftLine] | None = None,
    notes: str | None = None,
    today: date | None = None,
) -> PurchaseOrder:
    """Replace a draft's lines and/or notes (409 po_state once sent)."""
    today = today or utcnow().date()
    po = get_po(session, po_id, lock=True)
    if po.status != "draft":
        raise Conflict("po_state", f"{po.number} is {po.status}; only a draft can be edited")
    changed: dict[str, Any] = {}
    if lines is not None:
        supplier = get_supplier(session, po.supplier_id)
        rows = checked_lines(session, supplier, lines, po.warehouse_id, today, supplier_offer)
        po.lines.clear()
        session.flush()  # the old lines go before the new ones take their line numbers
        po.lines.extend(rows)
        changed["lines"] = len(rows)
        changed["total_minor"] = policies.po_total((ln.quantity, ln.unit_cost_minor) for ln in rows)
    if notes is not None and notes != po.notes:
        po.notes = notes
        changed["notes"] = True
    if changed:
        record(session, po, "edited", actor, **changed)
    session.flush()
    return po


# ---- status changes --------------------------------------------------------------------------


def _move(session: Session, po_id: int, target: str) -> PurchaseOrder:
    po = get_po(session, po_id, lock=True)
    if not policies.may_transition(po.status, target):
        raise Conflict("po_state", f"{po.number}: {policies.transition_error(po.status, target)}")
    return po


def send(session: Session, po_id: int, *, actor: str) -> PurchaseOrder:
    """The draft goes to the supplier. A supplier that has come to stand very poor since
    the draft was made blocks it (409 supplier_blocked)."""
    po = _move(session, po_id, "sent")
    supplier = get_supplier(session, po.supplier_id)
    _check_standing(session, supplier, utcnow().date())
    po.status = "sent"
    po.sent_at = utcnow()
    record(session, po, "sent", actor, total_minor=total_minor(po), currency=po.currency)
    session.flush()
    return po


def confirm(
    session: Session,
    po_id: int,
    *,
    promised: Mapping[int, date] | date,
    actor: str,
    today: date | None = None,
) -> PurchaseOrder:
    """The supplier confirmed, with a promised date per line (by line id, or one date for
    every line). Each line's units become an incoming batch at its warehouse, expected on
    the promised date, so buyers see them as incoming (the ships-by filter)."""
    today = today or utcnow().date()
    po = _move(session, po_id, "confirmed")
    line_ids = {ln.id for ln in po.lines}
    errors: list[ErrorItem] = []
    if isinstance(promised, Mapping):
        errors.extend(
            ErrorItem("unknown_line", f"line id {lid} is not on {po.number}", None, "promised")
            for lid in promised
            if lid not in line_ids
        )
        dates = {ln.id: promised.get(ln.id) for ln in po.lines}
    else:
        dates = dict.fromkeys(line_ids, promised)
    for ln in po.lines:
        day = dates[ln.id]
        if day is None:
            errors.append(
                ErrorItem(
                    "missing_promised_date",
                    f"line {ln.line_no} ({ln.sku_code}) needs the supplier's promised date",
                    ln.line_no,
                    "promised",
                )
            )
        elif day < today:
            errors.append(
                ErrorItem(
                    "promised_date_in_past",
                    f"line {ln.line_no} ({ln.sku_code}): {day} is before today ({today})",
                    ln.line_no,
                    "promised",
                )
            )
    if errors:
        raise DomainError(errors)
    codes = warehouse_codes(session, (ln.warehouse_id for ln in po.lines))
    for ln in po.lines:
        day = dates[ln.id] or today  # every date was checked above
        batch = add_incoming(
            session,
            sku_code=ln.sku_code,
            warehouse_code=codes[ln.warehouse_id],
            quantity=ln.quantity,
            expected_date=day,
            note=f"{po.number} line {ln.line_no}",
            today=today,
        )
        ln.promised_date = day
        ln.incoming_id = batch.id
    po.status = "confirmed"
    po.confirmed_at = utcnow()
    record(
        session,
        po,
        "confirmed",
        actor,
        promised={
            str(ln.line_no): ln.promised_date.isoformat() for ln in po.lines if ln.promised_date
        },
    )
    session.flush()
    return po


def _drop_incoming(session: Session, po: PurchaseOrder) -> list[int]:
    """Remove the lines' batches still expected; the line numbers whose batch went."""
    gone: list[int] = []
    for ln in po.lines:
        if ln.incoming_id is not None:
            if cancel_incoming(session, ln.incoming_id):
                gone.append(ln.line_no)
            ln.incoming_id = None
    return gone


def cancel(session: Session, po_id: int, *, actor: str, reason: str = "") -> PurchaseOrder:
    """Cancel a draft, sent or confirmed order while nothing has arrived; its incoming
    batches go, so buyers no longer count on them."""
    po = _move(session, po_id, "cancelled")
    if any(ln.received_quantity for ln in po.lines):
        raise Conflict("po_state", f"{po.number}: goods have arrived; close it instead")
    removed = _drop_incoming(session, po)
    po.status = "cancelled"
    po.cancelled_at = utcnow()
    record(session, po, "cancelled", actor, reason=reason, incoming_removed=removed)
    session.flush()
    return po


def close(session: Session, po_id: int, *, actor: str, note: str = "") -> PurchaseOrder:
    """Close a (partly) received order: every line still short is recorded as an
    under-delivery event and its remaining incoming batch goes."""
    po = _move(session, po_id, "closed")
    for ln in po.lines:
        if ln.received_quantity < ln.quantity:
            record(
                session,
                po,
                "under_delivered",
                actor,
                line=ln.line_no,
                sku=ln.sku_code,
                ordered=ln.quantity,
                received=ln.received_quantity,
                short=ln.quantity - ln.received_quantity,
            )
    removed = _drop_incoming(session, po)
    po.status = "closed"
    po.closed_at = utcnow()
    record(session, po, "closed", actor, note=note, incoming_removed=removed)
    session.flush()
    return po
