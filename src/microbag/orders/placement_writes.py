"""Placing an order, the writes: claim the idempotency key, insert the order, its lines
and event, reserve the stock (through ``stock.service.reserve_rows``: stock rows are
written only by the stock package) and record where it was reserved.

``orders.placement`` reads and checks first (see its docstring for the statements and
the lock order); these run after every line passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.errors import DomainError, ErrorItem
from microbag.orders.models import IdempotencyRecord, Order, OrderAllocation, OrderEvent, OrderLine
from microbag.orders.placement import Buyer, PlacedEvent, PlacedLine, PlacedOrder, Request
from microbag.orders.policies import PLACED
from microbag.stock import service as stock
from microbag.stock.policies import Bin, allocate
from microbag.timeutil import utcnow

_orders = cast(Table, Order.__table__)
_lines = cast(Table, OrderLine.__table__)
_allocations = cast(Table, OrderAllocation.__table__)
_events = cast(Table, OrderEvent.__table__)
_keys = cast(Table, IdempotencyRecord.__table__)


def _claim_stmt(insert_fn: Any) -> Any:
    return (
        insert_fn(_keys)
        .on_conflict_do_nothing(index_elements=["company_id", "key"])
        .returning(_keys.c.id)
    )


_claim_pg = _claim_stmt(postgresql.insert)
_claim_sqlite = _claim_stmt(sqlite.insert)
_insert_order = insert(_orders).returning(_orders.c.id)
_insert_lines = insert(_lines).returning(
    _lines.c.line_no, _lines.c.id, sort_by_parameter_order=True
)
_insert_event = insert(_events)
_insert_allocations = insert(_allocations)
_link_key = update(_keys).where(_keys.c.id == bindparam("key_id")).values(order_id=bindparam("oid"))


def claim_key(session: Session, company_id: int, key: str, digest: str) -> int | None:
    """Claim (company, key) for this request: the key row's id, or None if already taken.

    Claimed before anything else is written. On PostgreSQL a concurrent twin's INSERT
    waits here until the first transaction ends: if it committed, the twin finds the
    key taken and answers the first order; if it rolled back, the twin goes on.
    """
    stmt = _claim_pg if session.get_bind().dialect.name == "postgresql" else _claim_sqlite
    params = {"company_id": company_id, "key": key, "request_hash": digest, "created_at": utcnow()}
    return session.connection().execute(stmt, params).scalar_one_or_none()


def write_order(
    session: Session,
    principal: Principal,
    buyer: Buyer,
    request: Request,
    priced: Sequence[PlacedLine],
    total: int,
    bins: Mapping[int, list[Bin]],
    key_id: int | None,
) -> PlacedOrder:
    """Insert the order, its lines and event; reserve the stock; link the key."""
    now = utcnow()
    order_id = (
        session.connection()
        .execute(
            _insert_order,
            {
                "company_id": buyer.company_id,
                "placed_by_id": principal.user_id,
                "status": PLACED,
                "currency": buyer.currency,
                "total_minor": total,
                "price_list_id": buyer.price_list_id,
                "quote_id": request.quote_id,
                "created_at": now,
                "placed_at": now,
            },
        )
        .scalar_one()
    )
    line_ids: dict[int, int] = dict(
        session.connection()
        .execute(
            _insert_lines,
            [
                {
                    "order_id": order_id,
                    "line_no": p.line_no,
                    "sku_id": p.sku_id,
                    "sku_code": p.sku_code,
                    "quantity": p.quantity,
                    "unit_price_minor": p.unit_price_minor,
                    "line_total_minor": p.line_total_minor,
                }
                for p in priced
            ],
        )
        .all()
    )
    event = PlacedEvent(
        None,
        PLACED,
        principal.email,
        f"from quote {request.quote_id}" if request.quote_id else "",
        now,
    )
    session.connection().execute(
        _insert_event,
        {
            "order_id": order_id,
            "from_status": None,
            "to_status": PLACED,
            "actor_id": principal.user_id,
            "actor_label": event.actor_label,
            "reason": event.reason,
            "at": now,
        },
    )
    if request.reserve_stock:
        _reserve(session, priced, bins, line_ids)
    if key_id is not None:
        session.connection().execute(_link_key, {"key_id": key_id, "oid": order_id})
    return PlacedOrder(
        id=order_id,
        company_id=buyer.company_id,
        currency=buyer.currency,
        total_minor=total,
        quote_id=request.quote_id,
        created_at=now,
        lines=list(priced),
        events=[event],
    )


def _reserve(
    session: Session,
    priced: Sequence[PlacedLine],
    bins: Mapping[int, list[Bin]],
    line_ids: Mapping[int, int],
) -> None:
    """Reserve every line's units on the rows read (and locked) by ``check``.

    The UPDATE keeps its own condition (available >= quantity) and every row must
    match it: a safety net should a row ever change between the read and the write.
    """
    plan: list[tuple[int, int, int, int]] = []  # (sku, warehouse, quantity, line id)
    for p in priced:
        allocation = allocate(bins.get(p.sku_id, []), p.quantity)
        if allocation is None:  # check() reported it; kept for safety
            raise _no_longer_available(p)
        plan.extend((p.sku_id, wh, qty, line_ids[p.line_no]) for wh, qty in allocation)
    plan.sort()
    if not plan:
        return
    # Stock rows are the stock package's: its bulk reserve writes them, in one statement.
    if not stock.reserve_rows(session, [(s, w, q) for s, w, q, _ in plan]):
        raise _no_longer_available(priced[0] if len(priced) == 1 else None)
    session.connection().execute(
        _insert_allocations,
        [{"line_id": line, "warehouse_id": w, "quantity": q} for _, w, q, line in plan],
    )


def _no_longer_available(line: PlacedLine | None) -> DomainError:
    what = f"{line.sku_code}: {line.quantity} requested, " if line else ""
    return DomainError(
        ErrorItem(
            "insufficient_stock", f"{what}no longer available", line.line_no if line else None
        ),
        409,
    )
