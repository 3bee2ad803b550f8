"""Order use cases: place (idempotently), read, list, and move through the statuses.

Services never commit; the caller's unit of work does (``db.session(write=True)`` or
the API's ``WriteSession``). A DomainError leaves nothing behind: the unit of work
rolls back, so a failed placement reserves nothing and stores no idempotency key.

Lock order (PostgreSQL), the same in every use case so transactions never deadlock:
the order row (transitions) or the company row (credit check), then stock rows by SKU
id, then the idempotency key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microbag.accounts.service import Principal
from microbag.buyers.models import Company
from microbag.catalog.models import Sku
from microbag.errors import DomainError, ErrorItem, Forbidden, NotFound
from microbag.orders import policies
from microbag.orders.models import IdempotencyRecord, Order, OrderAllocation, OrderEvent, OrderLine
from microbag.orders.policies import OPEN_STATUSES, PLACED, RESERVED_STATUSES
from microbag.orders.schemas import OrderLineIn
from microbag.pricing.models import PriceList
from microbag.pricing.policies import SkuTerms, quantity_errors
from microbag.pricing.service import price_list_for_company, terms_for
from microbag.stock import service as stock
from microbag.timeutil import utcnow


@dataclass(frozen=True)
class _PricedLine:
    line_no: int
    sku_id: int
    sku_code: str
    quantity: int
    unit_price_minor: int

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity


# ---- placing ---------------------------------------------------------------------------------


def place_order(
    session: Session,
    principal: Principal,
    lines: Sequence[OrderLineIn],
    *,
    idempotency_key: str | None = None,
    quote_id: int | None = None,
    unit_prices: Mapping[str, int] | None = None,
    enforce_terms: bool = True,
    reserve_stock: bool = True,
) -> tuple[Order, bool]:
    """Check every line, then place the order and reserve its stock; (order, created now).

    All failing lines are reported at once (DomainError: 422, or 409 when stock is the
    only problem). A SKU may appear on one line only (``duplicate_sku``).

    With ``idempotency_key``, a request repeated with the same lines returns the first
    order (created False), also when both arrive at the same time; the same key with
    other lines is ``idempotency_key_reused`` (422).

    The quote path passes ``quote_id``, agreed ``unit_prices`` per SKU code (such a SKU
    need not be on the price list, but must exist and be active) and
    ``enforce_terms=False`` (no MOQ, case pack or minimum order value).
    """
    if not policies.may(principal, "place"):
        raise Forbidden("only a buyer company's owner or buyer may place orders")
    company = _active_company(session, principal)
    request = _Request(list(lines), quote_id, dict(unit_prices or {}), enforce_terms, reserve_stock)
    if idempotency_key is None:
        return _place(session, principal, company, request, claim=None), True

    digest = policies.request_hash((line.sku, line.quantity) for line in request.lines)
    try:
        # The savepoint undoes this attempt alone (order, key, reservations) when a
        # concurrent twin won the key, so its order can be answered instead.
        with session.begin_nested():
            order = _place(session, principal, company, request, claim=(idempotency_key, digest))
    except (IntegrityError, DomainError):
        # Either the key is taken (PostgreSQL: the INSERT waited for the other
        # transaction to commit) or this attempt failed after the first one had
        # already taken the stock or credit. A fresh read shows the committed key.
        earlier = _order_for_key(session, company.id, idempotency_key, digest)
        if earlier is None:
            raise
        return earlier, False
    return order, True


def check_order(session: Session, principal: Principal, lines: Sequence[OrderLineIn]) -> int:
    """The checks of ``place_order`` without placing or reserving: the total, or DomainError.

    The portal's cart shows every problem on its line before the buyer places.
    """
    company = _active_company(session, principal)
    request = _Request(list(lines), None, {}, True, True)
    _priced, total = _check(
        session, company, price_list_for_company(session, company), request, lock=False
    )
    return total


@dataclass(frozen=True)
class _Request:
    lines: list[OrderLineIn]
    quote_id: int | None
    unit_prices: dict[str, int]
    enforce_terms: bool
    reserve_stock: bool


def _active_company(session: Session, principal: Principal) -> Company:
    company = session.get(Company, principal.company_id) if principal.company_id else None
    if company is None or not company.is_active:
        raise Forbidden("your company account is not active")
    return company


def _place(
    session: Session,
    principal: Principal,
    company: Company,
    request: _Request,
    *,
    claim: tuple[str, str] | None,
) -> Order:
    price_list = price_list_for_company(session, company)
    priced, total = _check(session, company, price_list, request)
    allocations: dict[int, list[stock.Allocation]] = {}
    if request.reserve_stock:
        # One lock order (by SKU id) for every transaction: no deadlocks between orders.
        for p in sorted(priced, key=lambda p: p.sku_id):
            allocations[p.line_no] = stock.reserve(
                session, p.sku_id, p.quantity, sku_code=p.sku_code, line=p.line_no
            )
    now = utcnow()
    order = Order(
        company_id=company.id,
        placed_by_id=principal.user_id,
        status=PLACED,
        currency=company.currency,
        total_minor=total,
        price_list_id=price_list.id if price_list is not None else None,
        quote_id=request.quote_id,
        created_at=now,
        placed_at=now,
        lines=[
            OrderLine(
                line_no=p.line_no,
                sku_id=p.sku_id,
                sku_code=p.sku_code,
                quantity=p.quantity,
                unit_price_minor=p.unit_price_minor,
                line_total_minor=p.total_minor,
                allocations=[
                    OrderAllocation(warehouse_id=wh, quantity=qty)
                    for wh, qty in allocations.get(p.line_no, ())
                ],
            )
            for p in priced
        ],
        events=[
            OrderEvent(
                from_status=None,
                to_status=PLACED,
                actor_id=principal.user_id,
                actor_label=principal.email,
                reason=f"from quote {request.quote_id}" if request.quote_id else "",
                at=now,
            )
        ],
    )
    session.add(order)
    if claim is not None:
        key, digest = claim
        # The unique (company, key) row: a concurrent twin's INSERT waits for this
        # transaction on PostgreSQL, then fails and answers this order.
        session.add(
            IdempotencyRecord(
                company_id=company.id, key=key, request_hash=digest, order=order, created_at=now
            )
        )
    session.flush()  # one flush: order, lines, allocations, event, key
    return order


def _check(
    session: Session,
    company: Company,
    price_list: PriceList | None,
    request: _Request,
    *,
    lock: bool = True,
) -> tuple[list[_PricedLine], int]:
    """Every line's problems at once; the priced lines and the total when there are none."""
    lines = request.lines
    errors = policies.duplicate_sku_errors([line.sku for line in lines])
    skip = {e.line for e in errors}
    sku_ids = _active_sku_ids(session, {line.sku for line in lines})
    terms: dict[int, SkuTerms] = {}
    if price_list is not None and sku_ids:
        terms = terms_for(session, price_list, sku_ids.values())
    available: dict[int, int] = {}
    if request.reserve_stock and sku_ids:
        available = stock.available_by_sku(session, sku_ids.values())

    priced: list[_PricedLine] = []
    all_priced = not errors
    for line_no, line in enumerate(lines, start=1):
        if line_no in skip:
            continue
        sku_id = sku_ids.get(line.sku)
        sku_terms = terms.get(sku_id) if sku_id is not None else None
        agreed = request.unit_prices.get(line.sku)
        if sku_id is None or (sku_terms is None and agreed is None):
            all_priced = False
            errors.append(
                ErrorItem(
                    "unknown_sku",
                    f"{line.sku}: no such SKU is on sale on your price list",
                    line_no,
                )
            )
            continue
        if request.enforce_terms and sku_terms is not None:
            errors.extend(quantity_errors(sku_terms, line.quantity, line_no))
        if request.reserve_stock and available.get(sku_id, 0) < line.quantity:
            errors.append(
                ErrorItem(
                    "insufficient_stock",
                    f"{line.sku}: {line.quantity} requested, only "
                    f"{available.get(sku_id, 0)} available",
                    line_no,
                )
            )
        if agreed is not None:
            if agreed < 0:
                errors.append(
                    ErrorItem(
                        "invalid_unit_price", f"{line.sku}: agreed price is negative", line_no
                    )
                )
            price = agreed
        else:
            assert sku_terms is not None
            price = sku_terms.unit_price(line.quantity)
        priced.append(_PricedLine(line_no, sku_id, line.sku, line.quantity, price))

    total = sum(p.total_minor for p in priced)
    too_large = policies.amount_errors(
        [(p.line_no, p.total_minor) for p in priced], company.currency
    )
    errors.extend(too_large)
    # Order-level rules need every line priced; otherwise the total would mislead.
    if all_priced and not too_large:
        if request.enforce_terms and price_list is not None:
            errors.extend(
                policies.minimum_order_errors(
                    total, price_list.min_order_value_minor, company.currency
                )
            )
        if company.payment_terms_days is not None:
            limit, open_unpaid = _lock_credit(session, company, lock=lock)
            errors.extend(
                policies.credit_errors(
                    payment_terms_days=company.payment_terms_days,
                    credit_limit_minor=limit,
                    open_unpaid_minor=open_unpaid,
                    order_total_minor=total,
                    currency=company.currency,
                )
            )
    if errors:
        errors.sort(key=lambda e: (e.line is None, e.line or 0))
        raise DomainError(errors, policies.error_status(errors))
    return priced, total


def _active_sku_ids(session: Session, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = session.execute(
        select(Sku.code, Sku.id).where(Sku.code.in_(codes), Sku.lifecycle == "active")
    )
    return {code: sku_id for code, sku_id in rows}


def _lock_credit(session: Session, company: Company, *, lock: bool = True) -> tuple[int, int]:
    """(credit limit, open unpaid total), read under the company's row lock.

    The lock serializes one company's placements on PostgreSQL, so two concurrent
    orders cannot both spend the same credit. SQLite's write transactions are
    serialized already (BEGIN IMMEDIATE).
    """
    limit = company.credit_limit_minor
    if lock and session.get_bind().dialect.name != "sqlite":
        limit = session.execute(
            select(Company.credit_limit_minor).where(Company.id == company.id).with_for_update()
        ).scalar_one()
    open_unpaid = session.execute(
        select(func.coalesce(func.sum(Order.total_minor), 0)).where(
            Order.company_id == company.id,
            Order.status.in_(OPEN_STATUSES),
            Order.paid_at.is_(None),
        )
    ).scalar_one()
    return int(limit), int(open_unpaid)


def _order_for_key(session: Session, company_id: int, key: str, digest: str) -> Order | None:
    record = session.execute(
        select(IdempotencyRecord.order_id, IdempotencyRecord.request_hash).where(
            IdempotencyRecord.company_id == company_id, IdempotencyRecord.key == key
        )
    ).first()
    if record is None:
        return None
    if record.request_hash != digest:
        raise policies.key_reused()
    return session.scalars(
        select(Order).where(Order.id == record.order_id).execution_options(populate_existing=True)
    ).one()


# ---- reading ---------------------------------------------------------------------------------


def get_order(session: Session, principal: Principal, order_id: int) -> Order:
    """One order; a buyer sees only its own company's (another's is NotFound)."""
    query = select(Order).where(Order.id == order_id)
    if principal.company_id is not None:
        query = query.where(Order.company_id == principal.company_id)
    order = session.scalars(query).first()
    if order is None:
        raise NotFound("order")
    return order


def list_orders(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    company_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Order], int]:
    """(page of orders, newest first; number matching). Buyers see their company's only;
    ``company_id`` filters for staff and is ignored for buyers."""
    conditions = []
    if principal.company_id is not None:
        conditions.append(Order.company_id == principal.company_id)
    elif company_id is not None:
        conditions.append(Order.company_id == company_id)
    if status is not None:
        conditions.append(Order.status == status)
    total = session.scalar(select(func.count()).select_from(Order).where(*conditions)) or 0
    items = session.scalars(
        select(Order).where(*conditions).order_by(Order.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(items), int(total)


# ---- transitions -----------------------------------------------------------------------------


def _require(principal: Principal, action: str) -> None:
    if not policies.may(principal, action):
        verb = action.replace("_", " ")
        raise Forbidden(f"role {principal.role!r} may not {verb} orders")


def _locked_order(session: Session, principal: Principal, order_id: int) -> Order:
    """The order under a row lock, so concurrent transitions of it run one after another."""
    query = (
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if principal.company_id is not None:
        query = query.where(Order.company_id == principal.company_id)
    order = session.scalars(query).first()
    if order is None:
        raise NotFound("order")
    return order


def _record(order: Order, principal: Principal, to_status: str, reason: str = "") -> None:
    order.events.append(
        OrderEvent(
            from_status=order.status,
            to_status=to_status,
            actor_id=principal.user_id,
            actor_label=principal.email,
            reason=reason,
            at=utcnow(),
        )
    )
    order.status = to_status


def _allocations_by_sku(order: Order) -> list[tuple[int, list[tuple[int, int]]]]:
    """Each line's (warehouse, quantity) allocations, in SKU id order (the lock order)."""
    return [
        (line.sku_id, [(a.warehouse_id, a.quantity) for a in line.allocations])
        for line in sorted(order.lines, key=lambda line: line.sku_id)
    ]


def cancel_order(session: Session, principal: Principal, order_id: int, reason: str = "") -> Order:
    """Cancel and release the reserved stock. Buyers: their own draft or placed orders;
    staff (admin, sales): also confirmed ones, with a reason."""
    _require(principal, "cancel")
    order = _locked_order(session, principal, order_id)
    target = policies.check_cancel(principal, order.status, reason)
    if order.status in RESERVED_STATUSES:
        for sku_id, allocations in _allocations_by_sku(order):
            stock.release(session, sku_id, allocations)
    _record(order, principal, target, reason.strip())
    session.flush()
    return order


def confirm_order(session: Session, principal: Principal, order_id: int) -> Order:
    _require(principal, "confirm")
    order = _locked_order(session, principal, order_id)
    _record(order, principal, policies.next_status("confirm", order.status))
    session.flush()
    return order


def ship_order(session: Session, principal: Principal, order_id: int, tracking_ref: str) -> Order:
    """The reserved units leave the warehouse: on hand and reserved both drop."""
    _require(principal, "ship")
    ref = policies.check_tracking_ref(tracking_ref)
    order = _locked_order(session, principal, order_id)
    target = policies.next_status("ship", order.status)
    for sku_id, allocations in _allocations_by_sku(order):
        stock.ship(session, sku_id, allocations)
    order.tracking_ref = ref
    _record(order, principal, target, f"tracking {ref}")
    session.flush()
    return order


def deliver_order(session: Session, principal: Principal, order_id: int) -> Order:
    _require(principal, "deliver")
    order = _locked_order(session, principal, order_id)
    _record(order, principal, policies.next_status("deliver", order.status))
    session.flush()
    return order


def mark_paid(session: Session, principal: Principal, order_id: int) -> Order:
    """Payment received: the order no longer counts against the credit limit."""
    _require(principal, "mark_paid")
    order = _locked_order(session, principal, order_id)
    policies.check_mark_paid(order.status, order.paid_at is not None)
    order.paid_at = utcnow()
    _record(order, principal, order.status, "paid")
    session.flush()
    return order
