"""Stock use cases: availability, atomic reservation, release, shipping, counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from microbag.errors import DomainError, ErrorItem
from microbag.stock.models import IncomingStock, StockLevel, Warehouse
from microbag.stock.policies import Bin, allocate, ship_window

Allocation = tuple[int, int]  # (warehouse_id, quantity)


def available_by_sku(session: Session, sku_ids: Iterable[int]) -> dict[int, int]:
    """Available to sell per SKU, all warehouses together (0 for SKUs without stock rows)."""
    ids = list(set(sku_ids))
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    rows = session.execute(
        select(StockLevel.sku_id, func.sum(StockLevel.on_hand - StockLevel.reserved))
        .where(StockLevel.sku_id.in_(ids))
        .group_by(StockLevel.sku_id)
    )
    for sku_id, available in rows:
        result[sku_id] = max(int(available or 0), 0)
    return result


def reserve(
    session: Session, sku_id: int, quantity: int, *, sku_code: str = "", line: int | None = None
) -> list[Allocation]:
    """Reserve ``quantity`` units atomically, or raise ``insufficient_stock`` (409).

    Each warehouse row is updated only if it still has the units (a conditional
    UPDATE), so concurrent buyers can never drive available stock below zero; on
    PostgreSQL the UPDATE re-checks the condition after waiting for the row lock.
    """
    bins = [
        Bin(wh, int(avail))
        for wh, avail in session.execute(
            select(StockLevel.warehouse_id, StockLevel.on_hand - StockLevel.reserved).where(
                StockLevel.sku_id == sku_id
            )
        )
    ]
    plan = allocate(bins, quantity)
    if plan is None:
        raise _insufficient(sku_code or str(sku_id), quantity, sum(b.available for b in bins), line)
    for warehouse_id, qty in plan:
        result = session.execute(
            update(StockLevel)
            .where(
                StockLevel.sku_id == sku_id,
                StockLevel.warehouse_id == warehouse_id,
                StockLevel.on_hand - StockLevel.reserved >= qty,
            )
            .values(reserved=StockLevel.reserved + qty)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            # Someone else took the units between our read and our update.
            raise _insufficient(sku_code or str(sku_id), quantity, None, line)
    return plan


def _insufficient(code: str, wanted: int, available: int | None, line: int | None) -> DomainError:
    have = f"only {available} available" if available is not None else "no longer available"
    return DomainError(
        ErrorItem("insufficient_stock", f"{code}: {wanted} requested, {have}", line), 409
    )


def release(session: Session, sku_id: int, allocations: Sequence[Allocation]) -> None:
    """Give reserved units back (an order was cancelled)."""
    for warehouse_id, qty in allocations:
        session.execute(
            update(StockLevel)
            .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id)
            .values(reserved=StockLevel.reserved - qty)
            .execution_options(synchronize_session=False)
        )


def ship(session: Session, sku_id: int, allocations: Sequence[Allocation]) -> None:
    """Reserved units leave the warehouse: on hand and reserved both drop."""
    for warehouse_id, qty in allocations:
        session.execute(
            update(StockLevel)
            .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id)
            .values(on_hand=StockLevel.on_hand - qty, reserved=StockLevel.reserved - qty)
            .execution_options(synchronize_session=False)
        )


def warehouse_by_code(session: Session, code: str | None) -> Warehouse:
    """The named warehouse, or the first one when no code is given."""
    query = select(Warehouse).order_by(Warehouse.id)
    if code:
        query = query.where(Warehouse.code == code)
    warehouse = session.scalars(query).first()
    if warehouse is None:
        what = f"warehouse {code!r}" if code else "a warehouse"
        raise DomainError.single("unknown_warehouse", f"{what} does not exist", 404)
    return warehouse


def set_on_hand(session: Session, sku_id: int, warehouse_id: int, on_hand: int) -> StockLevel:
    """Set a counted quantity; it may not go below what is already reserved."""
    if on_hand < 0:
        raise DomainError.single("negative_stock", "on hand cannot be negative")
    level = session.scalars(
        select(StockLevel)
        .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id)
        .with_for_update()
    ).first()
    if level is None:
        level = StockLevel(sku_id=sku_id, warehouse_id=warehouse_id, on_hand=0, reserved=0)
        session.add(level)
    if on_hand < level.reserved:
        raise DomainError.single(
            "below_reserved",
            f"on hand {on_hand} is below the {level.reserved} units reserved for open orders",
            409,
        )
    level.on_hand = on_hand
    session.flush()
    return level


@dataclass(frozen=True)
class Incoming:
    quantity: int
    expected_date: date
    ship_from: date
    ship_to: date


def next_incoming(session: Session, sku_ids: Iterable[int], today: date) -> dict[int, Incoming]:
    """The next expected (not yet received) batch per SKU, with its ship window."""
    ids = list(set(sku_ids))
    out: dict[int, Incoming] = {}
    if not ids:
        return out
    rows = session.execute(
        select(IncomingStock.sku_id, IncomingStock.expected_date, func.sum(IncomingStock.quantity))
        .where(
            IncomingStock.sku_id.in_(ids),
            IncomingStock.received_at.is_(None),
            IncomingStock.expected_date >= today,
        )
        .group_by(IncomingStock.sku_id, IncomingStock.expected_date)
        .order_by(IncomingStock.sku_id, IncomingStock.expected_date)
    )
    for sku_id, expected, qty in rows:
        if sku_id not in out:
            start, end = ship_window(expected)
            out[sku_id] = Incoming(int(qty), expected, start, end)
    return out
