"""Lines waiting for stock (preorders and backorders): the queue, and arriving stock
given to it first come, first served, with the staff's override.

The rule (documented in docs/orders.md): waiting lines of a SKU are served in the order
(queue priority, highest first; preorders before backorders, because a preorder holds a
promised ship window; the order's placing time; the line's id). Each line takes as many
units as are available, up to what it waits for, from the warehouses that serve its
company's region first (``stock.policies.allocation_order``); a line partly filled keeps
its place for the rest. Staff move a line up by raising its queue priority.

``fill_waiting`` runs wherever stock arrives: a batch received, a purchase order's lot
accepted, a count raised; and every worker pass fills what those missed (a
correction, a cancelled order's released units). Lock order as in every use case: the
waiting lines' order rows (by id), then the stock rows (by SKU, warehouse).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, case, exists, func, insert, select, update
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit import service as audit
from microbag.buyers.models import Company
from microbag.errors import DomainError, ErrorItem, Forbidden, NotFound
from microbag.orders.models import Order, OrderAllocation, OrderEvent, OrderLine
from microbag.orders.policies import WAITING_STATUSES
from microbag.stock import service as stock
from microbag.stock.models import StockLevel, WarehouseRegion
from microbag.stock.policies import Bin, allocate
from microbag.timeutil import utcnow

MAX_QUEUE_PRIORITY = 1_000_000
_allocations = cast(Table, OrderAllocation.__table__)


@dataclass(frozen=True)
class WaitingLine:
    order_id: int
    line_no: int
    line_id: int
    company_id: int
    sku_id: int
    sku_code: str
    quantity: int
    waiting_quantity: int
    fulfilment: str
    queue_priority: int
    placed_at: datetime | None
    incoming_id: int | None
    promised_from: date | None
    promised_until: date | None


def _queue_order() -> tuple[Any, ...]:
    return (
        OrderLine.queue_priority.desc(),
        case((OrderLine.fulfilment == "preorder", 0), else_=1),
        Order.placed_at,
        OrderLine.id,
    )


def _waiting_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Order.id,
            OrderLine.line_no,
            OrderLine.id,
            Order.company_id,
            OrderLine.sku_id,
            OrderLine.sku_code,
            OrderLine.quantity,
            OrderLine.waiting_quantity,
            OrderLine.fulfilment,
            OrderLine.queue_priority,
            Order.placed_at,
            OrderLine.incoming_id,
            OrderLine.promised_from,
            OrderLine.promised_until,
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.waiting_quantity > 0, Order.status.in_(sorted(WAITING_STATUSES)))
    )


def waiting_queue(
    session: Session, *, sku_code: str | None = None, limit: int = 500
) -> list[WaitingLine]:
    """The lines waiting for stock, per SKU in the order arriving stock serves them."""
    query = _waiting_query()
    if sku_code:
        query = query.where(OrderLine.sku_code == sku_code)
    query = query.order_by(OrderLine.sku_code, *_queue_order()).limit(limit)
    return [WaitingLine(*row) for row in session.execute(query)]


def fillable_sku_ids(session: Session) -> list[int]:
    """SKUs with waiting lines and stock available now (a cheap read: the partial index
    on waiting lines)."""
    available = exists().where(
        StockLevel.sku_id == OrderLine.sku_id, StockLevel.on_hand > StockLevel.reserved
    )
    rows = session.execute(
        select(OrderLine.sku_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.waiting_quantity > 0,
            Order.status.in_(sorted(WAITING_STATUSES)),
            available,
        )
        .distinct()
    )
    return sorted(int(r[0]) for r in rows)


@dataclass(frozen=True)
class Filled:
    order_id: int
    line_no: int
    sku_code: str
    units: int
    still_waiting: int


def fill_waiting(session: Session, sku_ids: Iterable[int] | None = None) -> list[Filled]:
    """Give available stock of the SKUs (all SKUs with waiting lines when None) to their
    waiting lines, first come, first served; what each line received."""
    ids = sorted(set(sku_ids)) if sku_ids is not None else fillable_sku_ids(session)
    if not ids:
        return []
    locks = session.get_bind().dialect.name != "sqlite"
    session.flush()
    order_ids = session.scalars(
        select(OrderLine.order_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.sku_id.in_(ids),
            OrderLine.waiting_quantity > 0,
            Order.status.in_(sorted(WAITING_STATUSES)),
        )
        .distinct()
    ).all()
    if not order_ids:
        return []
    lock = select(Order.id).where(Order.id.in_(sorted(order_ids))).order_by(Order.id)
    if locks:
        session.execute(lock.with_for_update())  # the order rows first, as transitions do
    # Read after the locks: a line filled or an order cancelled meanwhile is seen as such.
    queue = [
        WaitingLine(*row)
        for row in session.execute(
            _waiting_query()
            .where(OrderLine.sku_id.in_(ids))
            .order_by(OrderLine.sku_id, *_queue_order())
        )
    ]
    regions = dict(
        session.execute(
            select(Company.id, Company.region).where(
                Company.id.in_(sorted({w.company_id for w in queue}))
            )
        ).all()
    )
    bins = _locked_bins(session, sorted({w.sku_id for w in queue}), lock=locks)
    ranks = _ranks(session)
    filled: list[Filled] = []
    now = utcnow()
    for line in queue:
        sku_bins = bins.get(line.sku_id, [])
        have = sum(b.available for b in sku_bins)
        units = min(have, line.waiting_quantity)
        if units <= 0:
            continue
        region = regions.get(line.company_id, "")
        ranked = [
            Bin(b.warehouse_id, b.available, ranks.get((b.warehouse_id, region))) for b in sku_bins
        ]
        plan = allocate(ranked, units) or []
        if not stock.reserve_rows(session, [(line.sku_id, w, q) for w, q in plan]):
            raise DomainError.single(
                "insufficient_stock", f"{line.sku_code}: stock changed while filling", 409
            )
        session.connection().execute(
            insert(_allocations),
            [{"line_id": line.line_id, "warehouse_id": w, "quantity": q} for w, q in plan],
        )
        taken = dict(plan)
        bins[line.sku_id] = [
            Bin(b.warehouse_id, b.available - taken.get(b.warehouse_id, 0)) for b in sku_bins
        ]
        session.execute(
            update(OrderLine)
            .where(OrderLine.id == line.line_id)
            .values(waiting_quantity=OrderLine.waiting_quantity - units)
        )
        still = line.waiting_quantity - units
        session.add(
            OrderEvent(
                order_id=line.order_id,
                from_status=None,
                to_status=_status_of(session, line.order_id),
                actor_id=None,
                actor_label="microbag",
                reason=f"line {line.line_no}: {units} × {line.sku_code} reserved from arriving "
                f"stock" + (f", {still} still waiting" if still else ", nothing waits"),
                at=now,
            )
        )
        filled.append(Filled(line.order_id, line.line_no, line.sku_code, units, still))
    session.flush()
    return filled


def _status_of(session: Session, order_id: int) -> str:
    return str(session.scalar(select(Order.status).where(Order.id == order_id)))


def _ranks(session: Session) -> dict[tuple[int, str], int]:
    return {
        (int(w), str(r)): int(rank)
        for w, r, rank in session.execute(
            select(WarehouseRegion.warehouse_id, WarehouseRegion.region, WarehouseRegion.rank)
        )
    }


def _locked_bins(session: Session, sku_ids: Sequence[int], *, lock: bool) -> dict[int, list[Bin]]:
    query = (
        select(StockLevel.sku_id, StockLevel.warehouse_id, StockLevel.on_hand - StockLevel.reserved)
        .where(StockLevel.sku_id.in_(list(sku_ids)))
        .order_by(StockLevel.sku_id, StockLevel.warehouse_id)
    )
    if lock:
        query = query.with_for_update()
    bins: dict[int, list[Bin]] = {}
    for sku_id, warehouse_id, available in session.execute(query):
        bins.setdefault(int(sku_id), []).append(Bin(int(warehouse_id), int(available)))
    return bins


def set_queue_priority(
    session: Session, principal: Principal, order_id: int, line_no: int, priority: int
) -> WaitingLine:
    """Staff override of first come, first served: a higher priority is served first
    (0 is the default). Audited."""
    if not principal.is_staff or principal.role not in ("admin", "sales"):
        raise Forbidden("only the seller's admin or sales staff may reorder the queue")
    if not 0 <= priority <= MAX_QUEUE_PRIORITY:
        raise DomainError(
            ErrorItem(
                "invalid_priority",
                f"the priority must be 0 to {MAX_QUEUE_PRIORITY}",
                field="priority",
            )
        )
    line = session.scalars(
        select(OrderLine)
        .where(OrderLine.order_id == order_id, OrderLine.line_no == line_no)
        .with_for_update()
    ).first()
    if line is None:
        raise NotFound("order line", "unknown_line")
    order = session.execute(
        select(Order.company_id, Order.status).where(Order.id == order_id)
    ).one()
    if line.waiting_quantity <= 0 or order.status not in WAITING_STATUSES:
        raise DomainError.single(
            "not_waiting", f"line {line_no} of order {order_id} waits for nothing", 409
        )
    before = line.queue_priority
    line.queue_priority = priority
    session.flush()
    audit.record(
        session,
        principal,
        entity="order_line",
        entity_id=f"{order_id}/{line_no}",
        action="queue_priority_changed",
        before={"queue_priority": before},
        after={"queue_priority": priority},
        company_id=order.company_id,
    )
    return WaitingLine(*session.execute(_waiting_query().where(OrderLine.id == line.id)).one())


def count_waiting(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.waiting_quantity > 0, Order.status.in_(sorted(WAITING_STATUSES)))
        )
        or 0
    )
