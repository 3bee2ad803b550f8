"""Placing an order, the writes: claim the idempotency key, insert the order, its lines
and event, reserve the stock (through ``stock.service.reserve_rows``: stock rows are
written only by the stock package) and record where it was reserved. On PostgreSQL
everything but the key's claim and the stock update is one statement (``_WRITE_ALL_PG``).

``orders.placement`` reads and checks first (see its docstring for the statements and
the lock order); these run after every line passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import JSON, Date, Table, bindparam, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.db import UTCDateTime
from microbag.errors import DomainError, ErrorItem
from microbag.orders.header import Header
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
NO_HEADER = Header()


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
    *,
    header: Header = NO_HEADER,
) -> PlacedOrder:
    """Insert the order (with its header), its lines and event; reserve the stock; link
    the key. A PO number the company used before is ``duplicate_po_number`` (409): the
    unique index decides, also between two placements at once."""
    now = utcnow()
    event = PlacedEvent(
        None,
        PLACED,
        principal.email,
        f"from quote {request.quote_id}" if request.quote_id else "",
        now,
    )
    try:
        if session.get_bind().dialect.name == "postgresql":
            order_id = _write_in_one_statement(
                session, principal, buyer, request, priced, total, bins, key_id, event, header
            )
        else:
            order_id = _write_statement_by_statement(
                session, principal, buyer, request, priced, total, bins, key_id, event, header
            )
    except IntegrityError as exc:
        if header.po_number is None or "po_number" not in str(exc.orig):
            raise
        raise duplicate_po_number(header.po_number) from exc
    return PlacedOrder(
        id=order_id,
        company_id=buyer.company_id,
        currency=buyer.currency,
        total_minor=total,
        quote_id=request.quote_id,
        created_at=now,
        lines=list(priced),
        events=[event],
        po_number=header.po_number,
        requested_delivery_date=header.requested_delivery_date,
        ship_to_address_id=header.ship_to_address_id,
        ship_to=dict(header.ship_to) if header.ship_to is not None else None,
        notes=header.notes,
        incoterm=header.incoterm,
    )


def duplicate_po_number(po_number: str) -> DomainError:
    return DomainError(
        ErrorItem(
            "duplicate_po_number",
            f"your company already has an order with PO number {po_number}",
            field="po_number",
        ),
        409,
    )


def _header_values(header: Header) -> dict[str, Any]:
    return {
        "po_number": header.po_number,
        "requested_delivery_date": header.requested_delivery_date,
        "ship_to_address_id": header.ship_to_address_id,
        "ship_to": dict(header.ship_to) if header.ship_to is not None else None,
        "notes": header.notes,
        "incoterm": header.incoterm,
    }


def _write_statement_by_statement(
    session: Session,
    principal: Principal,
    buyer: Buyer,
    request: Request,
    priced: Sequence[PlacedLine],
    total: int,
    bins: Mapping[int, list[Bin]],
    key_id: int | None,
    event: PlacedEvent,
    header: Header,
) -> int:
    """SQLite: one statement per table (its write lock is held from BEGIN IMMEDIATE on,
    and a statement costs no network round trip there)."""
    now = event.at
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
                **_header_values(header),
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
        plan = _reserve(session, priced, bins)
        if plan:
            session.connection().execute(
                _insert_allocations,
                [
                    {"line_id": line_ids[line_no], "warehouse_id": w, "quantity": q}
                    for _, w, q, line_no in plan
                ],
            )
    if key_id is not None:
        session.connection().execute(_link_key, {"key_id": key_id, "oid": order_id})
    return int(order_id)


# (sku id, warehouse id, quantity, line number): one row of a line's stock allocation.
_PlanRow = tuple[int, int, int, int]


def _reserve(
    session: Session, priced: Sequence[PlacedLine], bins: Mapping[int, list[Bin]]
) -> list[_PlanRow]:
    """Reserve every line's units on the rows read (and locked) by ``check``; the plan.

    The UPDATE keeps its own condition (available >= quantity) and every row must
    match it: a safety net should a row ever change between the read and the write.
    """
    plan: list[_PlanRow] = []
    for p in priced:
        if p.reserve_quantity <= 0:
            continue  # a preorder, or a backorder with nothing in stock
        allocation = allocate(bins.get(p.sku_id, []), p.reserve_quantity)
        if allocation is None:  # check() reported it; kept for safety
            raise _no_longer_available(p)
        plan.extend((p.sku_id, wh, qty, p.line_no) for wh, qty in allocation)
    plan.sort()
    if not plan:
        return plan
    # Stock rows are the stock package's: its bulk reserve writes them, in one statement.
    if not stock.reserve_rows(session, [(s, w, q) for s, w, q, _ in plan]):
        raise _no_longer_available(priced[0] if len(priced) == 1 else None)
    return plan


# PostgreSQL: the order, its lines, its event, its lines' allocations and the key's link
# in ONE statement (data-modifying CTEs; the foreign keys are checked at its end, when
# every row exists). Its text is constant whatever the number of lines (arrays through
# unnest), so psycopg prepares it once per connection. Per order that is one round trip
# and one statement to parse instead of five: placing is the API's hot path, and on a
# two-core machine the database and the app share the CPU.
_WRITE_ALL_PG = text(
    """
WITH new_order AS (
    INSERT INTO orders (company_id, placed_by_id, status, currency, total_minor,
                        price_list_id, quote_id, tracking_ref, created_at, placed_at, paid_at,
                        po_number, requested_delivery_date, ship_to_address_id, ship_to,
                        notes, incoterm)
    VALUES (:company_id, :actor_id, :status, :currency, :total_minor,
            :price_list_id, :quote_id, NULL, :now, :now, NULL,
            :po_number, :requested_delivery_date, :ship_to_address_id,
            CAST(:ship_to AS json), :notes, :incoterm)
    RETURNING id
), new_lines AS (
    INSERT INTO order_lines (order_id, line_no, sku_id, sku_code, quantity,
                             unit_price_minor, line_total_minor)
    SELECT new_order.id, l.line_no, l.sku_id, l.sku_code, l.quantity,
           l.unit_price_minor, l.line_total_minor
    FROM new_order,
         unnest(CAST(:line_nos AS integer[]), CAST(:sku_ids AS integer[]),
                CAST(:sku_codes AS varchar[]), CAST(:quantities AS integer[]),
                CAST(:unit_prices AS bigint[]), CAST(:line_totals AS bigint[]))
           AS l(line_no, sku_id, sku_code, quantity, unit_price_minor, line_total_minor)
    RETURNING id, line_no
), new_event AS (
    INSERT INTO order_events (order_id, from_status, to_status, actor_id, actor_label,
                              reason, at)
    SELECT new_order.id, NULL, :status, :actor_id, :actor_label, :reason, :now
    FROM new_order
), new_allocations AS (
    INSERT INTO order_allocations (line_id, warehouse_id, quantity)
    SELECT new_lines.id, a.warehouse_id, a.quantity
    FROM new_lines
    JOIN unnest(CAST(:allocation_line_nos AS integer[]),
                CAST(:allocation_warehouses AS integer[]),
                CAST(:allocation_quantities AS integer[]))
      AS a(line_no, warehouse_id, quantity) ON a.line_no = new_lines.line_no
), linked_key AS (
    UPDATE idempotency_records SET order_id = (SELECT id FROM new_order)
    WHERE id = :key_id
)
SELECT id FROM new_order
"""
).bindparams(
    bindparam("now", type_=UTCDateTime()),
    bindparam("requested_delivery_date", type_=Date()),
    bindparam("ship_to", type_=JSON(none_as_null=True)),
)

# Every column the statement above leaves out must be one the database fills itself.
_WRITTEN_COLUMNS = {
    _orders: {"company_id", "placed_by_id", "status", "currency", "total_minor"}
    | {"price_list_id", "quote_id", "tracking_ref", "created_at", "placed_at", "paid_at"}
    | {"po_number", "requested_delivery_date", "ship_to_address_id", "ship_to", "notes"}
    | {"incoterm"},
    _lines: {"order_id", "line_no", "sku_id", "sku_code", "quantity"}
    | {"unit_price_minor", "line_total_minor"},
    _events: {"order_id", "from_status", "to_status", "actor_id", "actor_label", "reason", "at"},
    _allocations: {"line_id", "warehouse_id", "quantity"},
}


def _unwritten_columns() -> list[str]:
    return [
        f"{table.name}.{column.name}"
        for table, written in _WRITTEN_COLUMNS.items()
        for column in table.columns
        if column.name not in written
        and not column.primary_key
        and column.server_default is None
        and (column.default is not None or not column.nullable)
    ]


if _unwritten_columns():  # a new column: add it to _WRITE_ALL_PG and _WRITTEN_COLUMNS
    raise RuntimeError(f"order placement does not write {_unwritten_columns()}")


def _write_in_one_statement(
    session: Session,
    principal: Principal,
    buyer: Buyer,
    request: Request,
    priced: Sequence[PlacedLine],
    total: int,
    bins: Mapping[int, list[Bin]],
    key_id: int | None,
    event: PlacedEvent,
    header: Header,
) -> int:
    """PostgreSQL: reserve the stock (the stock package's one statement), then write the
    rest in ``_WRITE_ALL_PG``."""
    plan = _reserve(session, priced, bins) if request.reserve_stock else []
    params = {
        "company_id": buyer.company_id,
        "actor_id": principal.user_id,
        "status": PLACED,
        "currency": buyer.currency,
        "total_minor": total,
        "price_list_id": buyer.price_list_id,
        "quote_id": request.quote_id,
        "now": event.at,
        "line_nos": [p.line_no for p in priced],
        "sku_ids": [p.sku_id for p in priced],
        "sku_codes": [p.sku_code for p in priced],
        "quantities": [p.quantity for p in priced],
        "unit_prices": [p.unit_price_minor for p in priced],
        "line_totals": [p.line_total_minor for p in priced],
        "actor_label": event.actor_label,
        "reason": event.reason,
        "allocation_line_nos": [line_no for _, _, _, line_no in plan],
        "allocation_warehouses": [w for _, w, _, _ in plan],
        "allocation_quantities": [q for _, _, q, _ in plan],
        "key_id": key_id,
        **_header_values(header),
    }
    return int(session.connection().execute(_WRITE_ALL_PG, params).scalar_one())


def _no_longer_available(line: PlacedLine | None) -> DomainError:
    what = f"{line.sku_code}: {line.quantity} requested, " if line else ""
    return DomainError(
        ErrorItem(
            "insufficient_stock", f"{what}no longer available", line.line_no if line else None
        ),
        409,
    )
