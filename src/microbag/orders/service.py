"""Order use cases: place (idempotently), read, list, and move through the statuses.

Services never commit; the caller's unit of work does (``db.session(write=True)`` or
the API's ``WriteSession``). A DomainError leaves nothing behind: the unit of work
rolls back, so a failed placement reserves nothing and stores no idempotency key.
Placing itself, the hot path, is Core statements in ``orders.placement`` (reads and
checks) and ``orders.placement_writes``; the lock order every use case follows is
documented there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit import service as audit
from microbag.bundles import service as bundles
from microbag.bundles.policies import AppliedBundle
from microbag.errors import DomainError, ErrorItem, Forbidden, NotFound
from microbag.money import format_money
from microbag.notifications import service as notifications
from microbag.orders import (
    fulfilment,
    placement,
    placement_credit,
    placement_header,
    placement_writes,
    policies,
    shipments,
)
from microbag.orders.header import EMPTY_HEADER, HeaderIn, request_digest
from microbag.orders.models import IdempotencyRecord, Order
from microbag.orders.placement import PlacedLine, PlacedOrder
from microbag.orders.policies import RESERVED_STATUSES
from microbag.orders.schemas import OrderLineIn
from microbag.stock import service as stock
from microbag.stock.policies import Bin
from microbag.timeutil import utcnow

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
    header: HeaderIn = EMPTY_HEADER,
    drop_id: int | None = None,
) -> tuple[PlacedOrder | Order, bool]:
    """Check every line, then place the order and reserve its stock; (order, created now).

    All failing lines are reported at once (DomainError: 422, or 409 when stock is the
    only problem). A SKU may appear on one line only (``duplicate_sku``).

    With ``idempotency_key``, a request repeated with the same lines returns the first
    order (created False, the stored ``Order``), also when both arrive at the same
    time; the same key with other lines is ``idempotency_key_reused`` (422).

    The quote path passes ``quote_id``, agreed ``unit_prices`` per SKU code (such a SKU
    need not be on the price list, but must exist and be active) and
    ``enforce_terms=False`` (no MOQ, case pack or minimum order value).

    ``header``: the PO number, requested delivery date, ship-to, notes and incoterm
    (orders.header; all optional: the company's default ship-to and incoterm apply),
    checked with the lines. ``drop_id``: a drop's allocation places the order (its SKUs
    pass the drop's embargo, orders.gates).
    """
    if not policies.may(principal, "place"):
        raise Forbidden("only a buyer company's owner or buyer may place orders")
    buyer = placement.buyer_context(session, principal)
    request = placement.Request(
        list(lines),
        quote_id,
        dict(unit_prices or {}),
        enforce_terms,
        reserve_stock,
        header=header,
        drop_id=drop_id,
    )
    key_id = None
    if idempotency_key is not None:
        digest = request_digest(
            ((line.digest_sku, line.quantity) for line in request.lines), header
        )
        key_id = placement_writes.claim_key(session, buyer.company_id, idempotency_key, digest)
        if key_id is None:  # a replay: the first order (or 422 for other lines)
            earlier = _order_for_key(session, buyer.company_id, idempotency_key, digest)
            if earlier is None:  # unreachable: the key's row is committed
                raise policies.key_reused()
            return earlier, False
    written, request, header_errors = placement_header.resolve_header(
        session, buyer, request, utcnow().date()
    )
    priced, total, bins, applied = _check_with_header(
        session, buyer, request, header_errors, lock=True
    )
    order = placement_writes.write_order(
        session, principal, buyer, request, priced, total, bins, key_id, header=written
    )
    fulfilment.write_promises(session, order.id, priced)  # preorder and backorder lines
    bundles.record_discounts(session, order.id, applied)  # the order's discount lines
    placement_credit.hold_credit(session, buyer, total)  # the company's lock, last (lock order)
    return order, True


def _check_with_header(
    session: Session,
    buyer: placement.Buyer,
    request: placement.Request,
    header_errors: list[ErrorItem],
    *,
    lock: bool,
) -> tuple[list[PlacedLine], int, dict[int, list[Bin]], list[AppliedBundle]]:
    """``placement.check`` reporting the header's errors with the lines' (all at once)."""
    try:
        result = placement.check(session, buyer, request, lock=lock)
    except DomainError as exc:
        if not header_errors:
            raise
        items = [*exc.items, *header_errors]
        raise DomainError(items, policies.error_status(items)) from exc
    if header_errors:
        raise DomainError(header_errors, policies.error_status(header_errors))
    return result


def check_order(
    session: Session,
    principal: Principal,
    lines: Sequence[OrderLineIn],
    header: HeaderIn | None = None,
) -> int:
    """The checks of ``place_order`` without placing or reserving: the total, or DomainError.

    The portal's cart shows every problem on its line before the buyer places.
    """
    return checked_order(session, principal, lines, header)[0]


def checked_order(
    session: Session,
    principal: Principal,
    lines: Sequence[OrderLineIn],
    header: HeaderIn | None = None,
) -> tuple[int, list[AppliedBundle]]:
    """``check_order`` with the bundle discounts placing would apply (the cart shows them).

    ``header`` None checks the lines alone (the cart before the buyer filled the header
    in); with a header, a PO number used before is reported here already (placing lets
    the index decide)."""
    buyer = placement.buyer_context(session, principal)
    request = placement.Request(list(lines))
    header_errors: list[ErrorItem] = []
    if header is not None:
        _written, request, header_errors = placement_header.resolve_header(
            session, buyer, replace(request, header=header), utcnow().date()
        )
        header_errors += placement_header.po_number_taken(session, buyer.company_id, header)
    _priced, total, _bins, applied = _check_with_header(
        session, buyer, request, header_errors, lock=False
    )
    return total, applied


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
    po_number: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Order], int]:
    """(page of orders, newest first; number matching). Buyers see their company's only;
    ``company_id`` filters for staff and is ignored for buyers; ``po_number`` finds the
    order of a buyer's PO number (exact match)."""
    conditions = []
    if principal.company_id is not None:
        conditions.append(Order.company_id == principal.company_id)
    elif company_id is not None:
        conditions.append(Order.company_id == company_id)
    if status is not None:
        conditions.append(Order.status == status)
    if po_number is not None:
        conditions.append(Order.po_number == po_number.strip())
    total = session.scalar(select(func.count()).select_from(Order).where(*conditions)) or 0
    items = session.scalars(
        select(Order).where(*conditions).order_by(Order.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(items), int(total)


# ---- transitions -----------------------------------------------------------------------------


# One definition each, shared with shipments (orders.shipments): the role check, the
# order under its row lock (allocations read fresh) and the event of a transition.
_require = shipments.require
_locked_order = shipments.locked_order
_record = shipments.record_event


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
        # Released: the lines hold nothing any more (allocations are reserved units).
        for line in order.lines:
            line.allocations.clear()
    before_status = order.status
    _record(order, principal, target, reason.strip())
    session.flush()
    if principal.is_staff:  # staff cancelling a buyer's order is an override: audited
        audit.record(
            session,
            principal,
            entity="order",
            entity_id=str(order.id),
            action="cancelled",
            before={"status": before_status},
            after={"status": target, "reason": reason.strip()},
            company_id=order.company_id,
        )
    return order


def confirm_order(session: Session, principal: Principal, order_id: int) -> Order:
    _require(principal, "confirm")
    order = _locked_order(session, principal, order_id)
    _record(order, principal, policies.next_status("confirm", order.status))
    session.flush()
    _notify_confirmed(session, order)
    return order


def _notify_confirmed(session: Session, order: Order) -> None:
    """The buyer's users hear of the confirmation (queued in this unit of work)."""
    notifications.notify_company(
        session,
        company_id=order.company_id,
        kind="order_confirmed",
        context={
            "order_id": order.id,
            "order_number": str(order.id),
            "po_number": getattr(order, "po_number", None) or "",
            "total": format_money(order.total_minor, order.currency),
            "lines": [{"sku": ln.sku_code, "quantity": ln.quantity} for ln in order.lines],
        },
    )


def ship_order(session: Session, principal: Principal, order_id: int, tracking_ref: str) -> Order:
    """Every reserved unit leaves in one shipment with a free-text tracking reference
    (``orders.shipments`` records partial shipments with carriers and tracking links)."""
    return shipments.ship_remaining(session, principal, order_id, tracking_ref)


def deliver_order(session: Session, principal: Principal, order_id: int) -> Order:
    """A shipped order arrived: its every shipment is delivered."""
    return shipments.deliver_all(session, principal, order_id)


def mark_paid(session: Session, principal: Principal, order_id: int) -> Order:
    """Payment received: the order no longer counts against the credit limit."""
    _require(principal, "mark_paid")
    order = _locked_order(session, principal, order_id)
    policies.check_mark_paid(order.status, order.paid_at is not None)
    order.paid_at = utcnow()
    _record(order, principal, order.status, "paid")
    session.flush()
    audit.record(
        session,
        principal,
        entity="order",
        entity_id=str(order.id),
        action="marked_paid",
        before={"paid_at": None},
        after={"paid_at": order.paid_at},
        company_id=order.company_id,
    )
    return order
