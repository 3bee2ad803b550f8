"""Stock use cases: availability, atomic reservation, release, shipping, counts, what is
expected to come in, and the staff's administration of warehouses and stock levels.

The staff's use cases for incoming batches (record, list, receive) are in
``stock.incoming``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import ColumnElement, Table, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit import service as audit
from microbag.buyers.policies import is_country_code
from microbag.catalog.models import Sku
from microbag.errors import Conflict, DomainError, ErrorItem, NotFound
from microbag.orders.models import OrderAllocation
from microbag.stock.models import IncomingStock, StockLevel, Warehouse, WarehouseRegion
from microbag.stock.policies import Bin, allocate, available_to_sell, ship_window
from microbag.timeutil import utcnow

Allocation = tuple[int, int]  # (warehouse_id, quantity)
WAREHOUSE_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")


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


# (sku id, warehouse id, quantity): one row of a planned reservation.
Reservation = tuple[int, int, int]

_levels = cast(Table, StockLevel.__table__)
# Built once: order placement, the hot path, runs it for every order.
_reserve_rows = (
    update(_levels)
    .where(
        _levels.c.sku_id == bindparam("s"),
        _levels.c.warehouse_id == bindparam("w"),
        _levels.c.on_hand - _levels.c.reserved >= bindparam("q"),
    )
    .values(reserved=_levels.c.reserved + bindparam("q"))
)


def reserve_rows(session: Session, rows: Sequence[Reservation]) -> bool:
    """Reserve planned units per (SKU, warehouse) row in one statement; True if every row
    still had its units.

    The bulk form of ``reserve`` for order placement, which has read (and, on
    PostgreSQL, locked) the rows and planned the allocation itself: one UPDATE executed
    for every row (psycopg sends them in one pipeline), rows in (SKU, warehouse) order,
    the order every use case locks them in. Each row keeps its own condition (available
    >= quantity), a safety net should a row change between the read and the write. On
    False some rows may be reserved and others not: the caller raises, and its unit of
    work rolls back. It runs on the session's connection (no autoflush): placement
    writes with Core statements only.
    """
    if not rows:
        return True
    params = [{"s": s, "w": w, "q": q} for s, w, q in sorted(rows)]
    result = session.connection().execute(_reserve_rows, params)
    return int(result.rowcount) == len(params)


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
    # populate_existing: reserve() updates rows behind the session's back, so a row already
    # in the session may hold a stale ``reserved``; reload it with the lock.
    level = session.scalars(
        select(StockLevel)
        .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id)
        .with_for_update()
        .execution_options(populate_existing=True)
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


# ---- stock administration (staff use cases) -----------------------------------------------------


@dataclass(frozen=True)
class StockRow:
    sku: str
    warehouse: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return available_to_sell(self.on_hand, self.reserved)


def sku_id_for_code(session: Session, code: str) -> int:
    sku_id = session.scalar(select(Sku.id).where(Sku.code == code))
    if sku_id is None:
        raise NotFound(f"SKU {code!r}", "unknown_sku")
    return int(sku_id)


def list_warehouses(
    session: Session, *, offset: int = 0, limit: int = 50
) -> tuple[list[Warehouse], int]:
    total = session.scalar(select(func.count()).select_from(Warehouse)) or 0
    rows = session.scalars(select(Warehouse).order_by(Warehouse.id).offset(offset).limit(limit))
    return list(rows), int(total)


def _warehouse_errors(code: str | None, country: str | None) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    if code is not None and not WAREHOUSE_CODE.fullmatch(code):
        errors.append(
            ErrorItem(
                "invalid_warehouse_code",
                f"{code!r}: use 1 to 32 upper-case letters, digits, - or _",
                field="code",
            )
        )
    if country is not None and not is_country_code(country):
        errors.append(
            ErrorItem(
                "unknown_country", f"{country!r} is not an ISO 3166-1 alpha-2 code", field="country"
            )
        )
    return errors


def create_warehouse(session: Session, *, code: str, name: str, country: str = "US") -> Warehouse:
    errors = _warehouse_errors(code, country)
    if not name.strip():
        errors.append(ErrorItem("invalid_name", "the warehouse needs a name", field="name"))
    if errors:
        raise DomainError(errors)
    if session.scalar(select(Warehouse.id).where(Warehouse.code == code)) is not None:
        raise Conflict("warehouse_code_taken", f"warehouse {code} exists")
    warehouse = Warehouse(code=code, name=name, country=country)
    session.add(warehouse)
    session.flush()
    return warehouse


def update_warehouse(
    session: Session, code: str, *, name: str | None = None, country: str | None = None
) -> Warehouse:
    warehouse = warehouse_by_code(session, code)
    errors = _warehouse_errors(None, country)
    if name is not None and not name.strip():
        errors.append(ErrorItem("invalid_name", "the warehouse needs a name", field="name"))
    if errors:
        raise DomainError(errors)
    if name is not None:
        warehouse.name = name
    if country is not None:
        warehouse.country = country
    session.flush()
    return warehouse


def delete_warehouse(session: Session, code: str) -> None:
    """Remove a warehouse that holds nothing and has no history (else 409)."""
    warehouse = warehouse_by_code(session, code)
    holds = session.scalar(
        select(func.count())
        .select_from(StockLevel)
        .where(
            StockLevel.warehouse_id == warehouse.id,
            (StockLevel.on_hand > 0) | (StockLevel.reserved > 0),
        )
    )
    incoming = session.scalar(
        select(func.count())
        .select_from(IncomingStock)
        .where(IncomingStock.warehouse_id == warehouse.id)
    )
    allocated = session.scalar(
        select(func.count())
        .select_from(OrderAllocation)
        .where(OrderAllocation.warehouse_id == warehouse.id)
    )
    if holds or incoming or allocated:
        raise Conflict(
            "warehouse_in_use", f"warehouse {code} holds stock or has incoming or order history"
        )
    session.execute(delete(StockLevel).where(StockLevel.warehouse_id == warehouse.id))
    session.execute(delete(WarehouseRegion).where(WarehouseRegion.warehouse_id == warehouse.id))
    session.delete(warehouse)
    session.flush()


def list_stock(
    session: Session,
    *,
    sku: str | None = None,
    warehouse: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[StockRow], int]:
    """Stock per SKU and warehouse, by SKU code then warehouse code."""
    conditions: list[ColumnElement[bool]] = []
    if sku:
        conditions.append(Sku.code == sku)
    if warehouse:
        conditions.append(Warehouse.code == warehouse)
    joined = (
        select(Sku.code, Warehouse.code, StockLevel.on_hand, StockLevel.reserved)
        .select_from(StockLevel)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(*conditions)
    )
    total = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    rows = session.execute(joined.order_by(Sku.code, Warehouse.code).offset(offset).limit(limit))
    return [StockRow(s, w, int(h), int(r)) for s, w, h, r in rows], int(total)


def set_stock(
    session: Session,
    sku_code: str,
    warehouse_code: str | None,
    on_hand: int,
    *,
    actor: Principal | None = None,
    actor_label: str = "",
) -> StockRow:
    """Set a counted quantity by codes (the first warehouse when none is named)."""
    sku_id = sku_id_for_code(session, sku_code)
    warehouse = warehouse_by_code(session, warehouse_code)
    # The count before, read under the row lock set_on_hand takes too (staff edits only:
    # reservations while placing orders are not edits and are not audited).
    before = session.scalar(
        select(StockLevel.on_hand)
        .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse.id)
        .with_for_update()
    )
    level = set_on_hand(session, sku_id, warehouse.id, on_hand)
    audit.record(
        session,
        actor,
        entity="stock_level",
        entity_id=f"{sku_code}@{warehouse.code}",
        action="created" if before is None else "updated",
        before=None if before is None else {"on_hand": before},
        after={"on_hand": level.on_hand},
        actor_label=actor_label,
    )
    return StockRow(sku_code, warehouse.code, level.on_hand, level.reserved)


def stock_row(session: Session, sku_code: str, warehouse_code: str | None) -> StockRow:
    """A SKU's row at a warehouse (the first when none is named), read fresh."""
    sku_id = sku_id_for_code(session, sku_code)
    warehouse = warehouse_by_code(session, warehouse_code)
    on_hand, reserved = session.execute(
        select(StockLevel.on_hand, StockLevel.reserved).where(
            StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse.id
        )
    ).one()
    return StockRow(sku_code, warehouse.code, int(on_hand), int(reserved))


def add_on_hand(session: Session, sku_id: int, warehouse_id: int, quantity: int) -> None:
    """Add units to on hand in one statement (an upsert), safe against concurrent receipts."""
    dialect = session.get_bind().dialect.name
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert_fn(StockLevel).values(
        sku_id=sku_id, warehouse_id=warehouse_id, on_hand=quantity, reserved=0, updated_at=utcnow()
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["sku_id", "warehouse_id"],
            set_={"on_hand": StockLevel.on_hand + quantity, "updated_at": utcnow()},
        )
    )


def incoming_until(
    session: Session, sku_ids: Iterable[int], today: date, last_expected: date
) -> dict[int, int]:
    """Units of expected (not yet received) batches due from ``today`` to ``last_expected``."""
    ids = list(set(sku_ids))
    if not ids or last_expected < today:
        return {}
    rows = session.execute(
        select(IncomingStock.sku_id, func.sum(IncomingStock.quantity))
        .where(
            IncomingStock.sku_id.in_(ids),
            IncomingStock.received_at.is_(None),
            IncomingStock.expected_date >= today,
            IncomingStock.expected_date <= last_expected,
        )
        .group_by(IncomingStock.sku_id)
    )
    return {int(sku_id): int(qty or 0) for sku_id, qty in rows}
