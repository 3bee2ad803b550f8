"""Placing an order: the hot path of the trade core, in few statements.

An order is placed with SQLAlchemy Core statements built once at import, run on the
session's connection (the same transaction), not through the ORM unit of work: the
placement is the one write that buyers' systems call in bulk, and building statements
and the ORM's bookkeeping cost more than the database's own work. Per order, whatever
its number of lines: one read of the company and its price list, one read of every
line's SKU, terms and tiers, the idempotency key, the stock rows (locked, in SKU
order), and one statement each for the order, its lines, its event, the stock update
and the allocations.

Lock order (PostgreSQL), the same in every use case so transactions never deadlock:
the idempotency key (its unique row, claimed first), the company row (credit check),
then stock rows by SKU and warehouse id. Transitions lock the order row, then stock rows.

Services never commit; the caller's unit of work does. A DomainError leaves nothing
behind: the unit of work rolls back, so a failed placement reserves nothing and
stores no key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from microbag.accounts.service import Principal
from microbag.buyers.models import Company
from microbag.catalog.models import Sku
from microbag.errors import DomainError, ErrorItem, Forbidden
from microbag.orders import policies
from microbag.orders.models import IdempotencyRecord, Order, OrderAllocation, OrderEvent, OrderLine
from microbag.orders.policies import OPEN_STATUSES, PLACED
from microbag.orders.schemas import OrderLineIn
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.pricing.policies import SkuTerms, Tier, quantity_errors
from microbag.stock.models import StockLevel
from microbag.stock.policies import Bin, allocate
from microbag.timeutil import utcnow

_orders = cast(Table, Order.__table__)
_lines = cast(Table, OrderLine.__table__)
_allocations = cast(Table, OrderAllocation.__table__)
_events = cast(Table, OrderEvent.__table__)
_keys = cast(Table, IdempotencyRecord.__table__)
_stock = cast(Table, StockLevel.__table__)


_reserve_stmt = (
    update(_stock)
    .where(
        _stock.c.sku_id == bindparam("s"),
        _stock.c.warehouse_id == bindparam("w"),
        _stock.c.on_hand - _stock.c.reserved >= bindparam("q"),
    )
    .values(reserved=_stock.c.reserved + bindparam("q"))
)


# ---- what placing returns ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlacedLine:
    line_no: int
    sku_id: int
    sku_code: str
    quantity: int
    unit_price_minor: int

    @property
    def line_total_minor(self) -> int:
        return self.unit_price_minor * self.quantity


@dataclass(frozen=True)
class PlacedEvent:
    from_status: str | None
    to_status: str
    actor_label: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class PlacedOrder:
    """A just-placed order, with the attributes of ``Order`` that its JSON needs."""

    id: int
    company_id: int
    currency: str
    total_minor: int
    quote_id: int | None
    created_at: datetime
    lines: list[PlacedLine]
    events: list[PlacedEvent]
    status: str = PLACED
    tracking_ref: str | None = None
    paid_at: datetime | None = None

    @property
    def placed_at(self) -> datetime:
        return self.created_at


# ---- the request and what the database knows about it --------------------------------------------


@dataclass(frozen=True)
class Request:
    lines: list[OrderLineIn]
    quote_id: int | None = None
    unit_prices: dict[str, int] = field(default_factory=dict)
    enforce_terms: bool = True
    reserve_stock: bool = True


@dataclass(frozen=True)
class Buyer:
    """The company as placing needs it, with the price list that applies to it."""

    company_id: int
    currency: str
    payment_terms_days: int | None
    credit_limit_minor: int
    price_list_id: int | None
    min_order_value_minor: int


def _build_buyer_stmt() -> Select[*tuple[Any, ...]]:
    chosen = (
        select(PriceList.id)
        .where(
            PriceList.is_active.is_(True),
            PriceList.currency == Company.currency,
            (PriceList.company_id == Company.id)
            | (PriceList.company_id.is_(None) & (PriceList.segment == Company.segment))
            | (PriceList.company_id.is_(None) & PriceList.segment.is_(None)),
        )
        .order_by(
            case(
                (PriceList.company_id.is_not(None), 0),
                (PriceList.segment.is_not(None), 1),
                else_=2,
            ),
            PriceList.id,
        )
        .limit(1)
        .correlate(Company)
        .scalar_subquery()
    )
    return (
        select(
            Company.currency,
            Company.is_active,
            Company.payment_terms_days,
            Company.credit_limit_minor,
            PriceList.id,
            PriceList.min_order_value_minor,
        )
        .outerjoin(PriceList, PriceList.id == chosen)
        .where(Company.id == bindparam("company_id"))
    )


# Statements of the hot path are built once: building them costs more than running them.
_buyer_stmt = _build_buyer_stmt()


def buyer_context(session: Session, principal: Principal) -> Buyer:
    """The caller's active company and its price list (one statement).

    The list is the company's own in its currency, else its segment's, else the
    default (pricing.service.price_list_for_company, the same rule).
    """
    if principal.company_id is None:
        raise Forbidden("your company account is not active")
    session.flush()  # statements below run on the connection: no autoflush there
    row = session.connection().execute(_buyer_stmt, {"company_id": principal.company_id}).first()
    if row is None or not row.is_active:
        raise Forbidden("your company account is not active")
    return Buyer(
        principal.company_id,
        row.currency,
        row.payment_terms_days,
        int(row.credit_limit_minor),
        row.id,
        int(row.min_order_value_minor or 0),
    )


@dataclass
class _LineFacts:
    sku_id: int
    terms: SkuTerms | None


def _build_facts_stmt() -> Select[*tuple[Any, ...]]:
    item = cast(Table, PriceListItem.__table__).alias("item")
    tier = cast(Table, PriceTier.__table__).alias("tier")
    return (
        select(
            Sku.id,
            Sku.code,
            item.c.moq,
            item.c.case_pack,
            tier.c.min_quantity,
            tier.c.unit_price_minor,
        )
        .outerjoin(
            item,
            (item.c.sku_id == Sku.id) & (item.c.price_list_id == bindparam("price_list_id")),
        )
        .outerjoin(tier, tier.c.item_id == item.c.id)
        .where(Sku.code.in_(bindparam("codes", expanding=True)), Sku.lifecycle == "active")
        .order_by(Sku.id, tier.c.min_quantity)
    )


_facts_stmt = _build_facts_stmt()


def _line_facts(session: Session, buyer: Buyer, codes: set[str]) -> dict[str, _LineFacts]:
    """Active SKUs by code, with their terms on the buyer's list (None when not on it)."""
    if not codes:
        return {}
    rows = session.connection().execute(
        _facts_stmt, {"codes": list(codes), "price_list_id": buyer.price_list_id or -1}
    )
    grouped: dict[str, tuple[int, int | None, int | None, list[Tier]]] = {}
    for sku_id, code, moq, case_pack, min_q, price in rows:
        entry = grouped.setdefault(code, (sku_id, moq, case_pack, []))
        if min_q is not None:
            entry[3].append(Tier(min_q, price))
    facts: dict[str, _LineFacts] = {}
    for code, (sku_id, moq, case_pack, tiers) in grouped.items():
        terms = None
        if moq is not None and case_pack is not None and tiers:
            terms = SkuTerms(sku_id, code, buyer.currency, moq, case_pack, tuple(tiers))
        facts[code] = _LineFacts(sku_id, terms)
    return facts


# ---- checking ----------------------------------------------------------------------------------


def check(
    session: Session, buyer: Buyer, request: Request, *, lock: bool
) -> tuple[list[PlacedLine], int, dict[int, list[Bin]]]:
    """Every line's problems at once; else the priced lines, the total and the stock bins.

    With ``lock`` (placing), the credit check holds the company row and the stock rows
    stay locked (PostgreSQL) until the transaction ends.
    """
    lines = request.lines
    errors = policies.duplicate_sku_errors([line.sku for line in lines])
    skip = {e.line for e in errors}
    facts = _line_facts(session, buyer, {line.sku for line in lines})
    priced: list[PlacedLine] = []
    all_priced = not errors
    for line_no, line in enumerate(lines, start=1):
        if line_no in skip:
            continue
        fact = facts.get(line.sku)
        agreed = request.unit_prices.get(line.sku)
        if fact is None or (fact.terms is None and agreed is None):
            all_priced = False
            errors.append(
                ErrorItem(
                    "unknown_sku", f"{line.sku}: no such SKU is on sale on your price list", line_no
                )
            )
            continue
        if request.enforce_terms and fact.terms is not None:
            errors.extend(quantity_errors(fact.terms, line.quantity, line_no))
        if agreed is not None:
            if agreed < 0:
                errors.append(
                    ErrorItem(
                        "invalid_unit_price", f"{line.sku}: agreed price is negative", line_no
                    )
                )
            price = agreed
        else:
            assert fact.terms is not None
            price = fact.terms.unit_price(line.quantity)
        priced.append(PlacedLine(line_no, fact.sku_id, line.sku, line.quantity, price))

    total = sum(p.line_total_minor for p in priced)
    too_large = policies.amount_errors(
        [(p.line_no, p.line_total_minor) for p in priced], buyer.currency
    )
    errors.extend(too_large)
    # Order-level rules need every line priced; otherwise the total would mislead.
    if all_priced and not too_large:
        if request.enforce_terms and buyer.price_list_id is not None:
            errors.extend(
                policies.minimum_order_errors(total, buyer.min_order_value_minor, buyer.currency)
            )
        if buyer.payment_terms_days is not None:
            limit, open_unpaid = _credit(session, buyer, lock=lock)
            errors.extend(
                policies.credit_errors(
                    payment_terms_days=buyer.payment_terms_days,
                    credit_limit_minor=limit,
                    open_unpaid_minor=open_unpaid,
                    order_total_minor=total,
                    currency=buyer.currency,
                )
            )
    bins: dict[int, list[Bin]] = {}
    if request.reserve_stock and priced:
        bins = _stock_bins(session, sorted({p.sku_id for p in priced}), lock=lock)
        for p in priced:
            have = sum(b.available for b in bins.get(p.sku_id, ()))
            if have < p.quantity:
                errors.append(
                    ErrorItem(
                        "insufficient_stock",
                        f"{p.sku_code}: {p.quantity} requested, only {max(have, 0)} available",
                        p.line_no,
                    )
                )
    if errors:
        errors.sort(key=lambda e: (e.line is None, e.line or 0))
        raise DomainError(errors, policies.error_status(errors))
    return priced, total, bins


_lock_company = (
    select(Company.credit_limit_minor)
    .where(Company.id == bindparam("company_id"))
    .with_for_update()
)
_open_unpaid = select(func.coalesce(func.sum(Order.total_minor), 0)).where(
    Order.company_id == bindparam("company_id"),
    Order.status.in_(OPEN_STATUSES),
    Order.paid_at.is_(None),
)


def _credit(session: Session, buyer: Buyer, *, lock: bool) -> tuple[int, int]:
    """(credit limit, open unpaid total), read under the company's row lock.

    The lock serializes one company's placements on PostgreSQL, so two concurrent
    orders cannot both spend the same credit. SQLite's write transactions are
    serialized already (BEGIN IMMEDIATE).
    """
    limit = buyer.credit_limit_minor
    params = {"company_id": buyer.company_id}
    if lock and session.get_bind().dialect.name != "sqlite":
        limit = session.connection().execute(_lock_company, params).scalar_one()
    open_unpaid = session.connection().execute(_open_unpaid, params).scalar_one()
    return int(limit), int(open_unpaid)


_bins_stmt = (
    select(_stock.c.sku_id, _stock.c.warehouse_id, _stock.c.on_hand - _stock.c.reserved)
    .where(_stock.c.sku_id.in_(bindparam("sku_ids", expanding=True)))
    .order_by(_stock.c.sku_id, _stock.c.warehouse_id)
)
_bins_locked_stmt = _bins_stmt.with_for_update()


def _stock_bins(session: Session, sku_ids: list[int], *, lock: bool) -> dict[int, list[Bin]]:
    """Available units per SKU and warehouse; with ``lock``, the rows stay locked.

    Rows are locked in (SKU, warehouse) order, the order every use case locks them in.
    """
    locking = lock and session.get_bind().dialect.name != "sqlite"
    query = _bins_locked_stmt if locking else _bins_stmt
    bins: dict[int, list[Bin]] = {}
    for sku_id, warehouse_id, available in session.connection().execute(
        query, {"sku_ids": sku_ids}
    ):
        bins.setdefault(sku_id, []).append(Bin(warehouse_id, int(available)))
    return bins


# ---- placing -----------------------------------------------------------------------------------


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
    # One statement, executed for every row (psycopg sends them in one pipeline).
    updated = (
        session.connection()
        .execute(_reserve_stmt, [{"s": s, "w": w, "q": q} for s, w, q, _ in plan])
        .rowcount
    )  # type: ignore[attr-defined]
    if updated != len(plan):
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
