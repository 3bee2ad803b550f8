"""Incoming stock batches, the staff's use cases: record a batch expected at a warehouse,
list batches, and receive one (its units join on hand, exactly once); and for purchase
orders, settle a batch by a delivery (no units added: the lots add them) or cancel it.

What other packages ask about incoming stock (the next batch per SKU and its ship
window, units due by a date) is in ``stock.service``; so are the warehouse lookup and
the on-hand upsert used here. Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku
from microbag.errors import Conflict, DomainError, ErrorItem, NotFound
from microbag.stock.models import IncomingStock, Warehouse
from microbag.stock.policies import ship_window
from microbag.stock.service import add_on_hand, sku_id_for_code, warehouse_by_code
from microbag.timeutil import utcnow

# How far ahead an incoming batch may be expected (keeps ship windows within the calendar).
MAX_INCOMING_DAYS = 5 * 366


@dataclass(frozen=True)
class IncomingRow:
    id: int
    sku: str
    warehouse: str
    quantity: int
    expected_date: date
    note: str
    received_at: datetime | None

    @property
    def window(self) -> tuple[date, date]:
        return ship_window(self.expected_date)


def _incoming_query() -> Any:
    return (
        select(
            IncomingStock.id,
            Sku.code,
            Warehouse.code,
            IncomingStock.quantity,
            IncomingStock.expected_date,
            IncomingStock.note,
            IncomingStock.received_at,
        )
        .select_from(IncomingStock)
        .join(Sku, Sku.id == IncomingStock.sku_id)
        .join(Warehouse, Warehouse.id == IncomingStock.warehouse_id)
    )


def get_incoming(session: Session, incoming_id: int) -> IncomingRow:
    row = session.execute(_incoming_query().where(IncomingStock.id == incoming_id)).first()
    if row is None:
        raise NotFound("incoming batch", "unknown_incoming")
    return IncomingRow(*row)


def list_incoming(
    session: Session,
    *,
    sku: str | None = None,
    warehouse: str | None = None,
    pending: bool | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[IncomingRow], int]:
    """Incoming batches by expected date; ``pending`` keeps those not (or only) received."""
    conditions: list[ColumnElement[bool]] = []
    if sku:
        conditions.append(Sku.code == sku)
    if warehouse:
        conditions.append(Warehouse.code == warehouse)
    if pending is not None:
        received = IncomingStock.received_at
        conditions.append(received.is_(None) if pending else received.is_not(None))
    query = _incoming_query().where(*conditions)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(IncomingStock.expected_date, IncomingStock.id).offset(offset).limit(limit)
    )
    return [IncomingRow(*row) for row in rows], int(total)


def add_incoming(
    session: Session,
    *,
    sku_code: str,
    warehouse_code: str | None,
    quantity: int,
    expected_date: date,
    note: str = "",
    today: date | None = None,
) -> IncomingRow:
    """Record a batch expected at a warehouse (the first one when none is named)."""
    sku_id = sku_id_for_code(session, sku_code)
    warehouse = warehouse_by_code(session, warehouse_code)
    today = today or utcnow().date()
    errors: list[ErrorItem] = []
    if quantity <= 0:
        errors.append(
            ErrorItem("invalid_quantity", "the quantity must be above 0", field="quantity")
        )
    if expected_date < today:
        errors.append(
            ErrorItem(
                "expected_date_in_past",
                f"{expected_date} is before today ({today})",
                field="expected_date",
            )
        )
    elif expected_date > today + timedelta(days=MAX_INCOMING_DAYS):
        errors.append(
            ErrorItem(
                "expected_date_too_far",
                f"{expected_date} is more than five years ahead",
                field="expected_date",
            )
        )
    if errors:
        raise DomainError(errors)
    batch = IncomingStock(
        sku_id=sku_id,
        warehouse_id=warehouse.id,
        quantity=quantity,
        expected_date=expected_date,
        note=note,
    )
    session.add(batch)
    session.flush()
    return get_incoming(session, batch.id)


def receive_incoming(session: Session, incoming_id: int) -> IncomingRow:
    """The batch arrived: its units join on hand at its warehouse, exactly once (409 after)."""
    batch = session.get(IncomingStock, incoming_id)
    if batch is None:
        raise NotFound("incoming batch", "unknown_incoming")
    # Conditional update: of two concurrent receipts only one changes the row.
    marked = session.execute(
        update(IncomingStock)
        .where(IncomingStock.id == incoming_id, IncomingStock.received_at.is_(None))
        .values(received_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("already_received", f"incoming batch {incoming_id} was already received")
    add_on_hand(session, batch.sku_id, batch.warehouse_id, batch.quantity)
    session.expire_all()
    return get_incoming(session, incoming_id)


def settle_incoming(session: Session, incoming_id: int, units: int) -> None:
    """Part of an expected batch arrived through a purchase order receipt: the batch
    shrinks by ``units``, or is marked received once nothing is left to come. Unlike
    ``receive_incoming`` no units join on hand here: the receipt's lots add them when
    they are accepted (possibly after an inspection). A batch already received is left
    alone. Conditional updates, so a concurrent settle cannot take the same units twice."""
    if units <= 0:
        return
    shrunk = session.execute(
        update(IncomingStock)
        .where(
            IncomingStock.id == incoming_id,
            IncomingStock.received_at.is_(None),
            IncomingStock.quantity > units,
        )
        .values(quantity=IncomingStock.quantity - units)
        .execution_options(synchronize_session=False)
    )
    if shrunk.rowcount != 1:  # type: ignore[attr-defined]
        session.execute(
            update(IncomingStock)
            .where(IncomingStock.id == incoming_id, IncomingStock.received_at.is_(None))
            .values(received_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def cancel_incoming(session: Session, incoming_id: int) -> bool:
    """An expected batch will not come (its purchase order was cancelled or closed):
    removed, so buyers no longer see it as incoming. A received batch stays (False)."""
    removed = session.execute(
        delete(IncomingStock)
        .where(IncomingStock.id == incoming_id, IncomingStock.received_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    return bool(removed.rowcount == 1)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PendingBatch:
    """An expected batch that has not arrived, as preorders see it."""

    id: int
    sku_id: int
    warehouse_id: int
    quantity: int
    expected_date: date


def pending_batches(
    session: Session, sku_ids: list[int], today: date, *, lock: bool
) -> list[PendingBatch]:
    """Batches of the SKUs not received yet and expected today or later, by SKU, then
    expected date; with ``lock`` (PostgreSQL) their rows stay locked, in id order, so two
    preorders on one batch queue (a receipt locks the batch row first too)."""
    if not sku_ids:
        return []
    query = (
        select(
            IncomingStock.id,
            IncomingStock.sku_id,
            IncomingStock.warehouse_id,
            IncomingStock.quantity,
            IncomingStock.expected_date,
        )
        .where(
            IncomingStock.sku_id.in_(sorted(set(sku_ids))),
            IncomingStock.received_at.is_(None),
            IncomingStock.expected_date >= today,
        )
        .order_by(IncomingStock.id)
    )
    if lock:
        query = query.with_for_update()
    rows = [PendingBatch(*row) for row in session.execute(query)]
    return sorted(rows, key=lambda b: (b.sku_id, b.expected_date, b.id))
