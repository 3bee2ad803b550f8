"""Shipments: an order ships in one or several consignments, each with its lines and
quantities, carrier and tracking number (a tracking link for the known carriers,
``shipping.policies``), then is delivered. The order's status follows its shipments:
partly shipped while units remain, shipped when every unit has left, delivered when
every shipment has arrived.

A shipment takes reserved units only (a line's allocations, warehouse by warehouse):
units still waiting for stock (backorders, preorders) ship in a later shipment once
arriving stock reserved them. Lock order as every transition: the order row, then the
stock rows by SKU. Services never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.errors import DomainError, ErrorItem, Forbidden, NotFound
from microbag.notifications import service as notifications
from microbag.orders import policies
from microbag.orders.models import (
    Order,
    OrderAllocation,
    OrderEvent,
    OrderLine,
    Shipment,
    ShipmentLine,
)
from microbag.shipping import policies as carriers
from microbag.stock import service as stock
from microbag.timeutil import utcnow

# The carrier of shipments recorded by the older "ship the order" call: a free-text
# tracking reference, no carrier and no link.
LEGACY_CARRIER = ""


@dataclass(frozen=True)
class ShipmentLineIn:
    line_no: int
    quantity: int


def require(principal: Principal, action: str) -> None:
    """403 unless the principal's role may take ``action`` on orders at all."""
    if not policies.may(principal, action):
        verb = action.replace("_", " ")
        raise Forbidden(f"role {principal.role!r} may not {verb} orders")


def locked_order(session: Session, principal: Principal, order_id: int) -> Order:
    """The order under a row lock (a buyer's own only), fresh from the database."""
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
    # Allocations change behind the ORM's back (Core statements): read them fresh.
    for line in order.lines:
        session.refresh(line, attribute_names=["allocations"])
    return order


def _plan(
    order: Order, wanted: Sequence[ShipmentLineIn] | None, warehouse_id: int | None
) -> list[tuple[OrderLine, list[tuple[OrderAllocation, int]]]]:
    """Which allocation rows give how many units to each shipped line (errors at once)."""
    by_no = {line.line_no: line for line in order.lines}
    if wanted is None:  # everything reserved (at the warehouse, when one is named)
        wanted = [
            ShipmentLineIn(line.line_no, _reserved(line, warehouse_id))
            for line in order.lines
            if _reserved(line, warehouse_id) > 0
        ]
        if not wanted:
            raise DomainError.single(
                "nothing_to_ship",
                "no units of this order are reserved"
                + (" at that warehouse" if warehouse_id is not None else "")
                + ": waiting lines ship once stock arrives",
                409,
            )
    errors: list[ErrorItem] = []
    seen: set[int] = set()
    plan: list[tuple[OrderLine, list[tuple[OrderAllocation, int]]]] = []
    for item in wanted:
        line = by_no.get(item.line_no)
        if line is None:
            errors.append(
                ErrorItem("unknown_line", f"the order has no line {item.line_no}", item.line_no)
            )
            continue
        if item.line_no in seen:
            errors.append(
                ErrorItem("duplicate_line", f"line {item.line_no} is listed twice", item.line_no)
            )
            continue
        seen.add(item.line_no)
        have = _reserved(line, warehouse_id)
        if item.quantity <= 0 or item.quantity > have:
            errors.append(
                ErrorItem(
                    "quantity_not_reserved",
                    f"{line.sku_code}: {item.quantity} to ship, {have} reserved and not shipped"
                    + (" at that warehouse" if warehouse_id is not None else ""),
                    item.line_no,
                )
            )
            continue
        remaining = item.quantity
        takes: list[tuple[OrderAllocation, int]] = []
        for allocation in sorted(line.allocations, key=lambda a: (a.warehouse_id, a.id)):
            if warehouse_id is not None and allocation.warehouse_id != warehouse_id:
                continue
            take = min(allocation.quantity, remaining)
            if take > 0:
                takes.append((allocation, take))
                remaining -= take
        plan.append((line, takes))
    if errors:
        raise DomainError(
            errors, 409 if all(e.code == "quantity_not_reserved" for e in errors) else 422
        )
    return plan


def _reserved(line: OrderLine, warehouse_id: int | None) -> int:
    return sum(
        a.quantity
        for a in line.allocations
        if warehouse_id is None or a.warehouse_id == warehouse_id
    )


def create_shipment(
    session: Session,
    principal: Principal,
    order_id: int,
    *,
    carrier: str,
    tracking_number: str,
    lines: Sequence[ShipmentLineIn] | None = None,
    warehouse_code: str | None = None,
) -> Shipment:
    """Ship some (or, without ``lines``, all) reserved units of a confirmed order."""
    require(principal, "ship")
    if carrier == LEGACY_CARRIER:
        number = policies.check_tracking_ref(tracking_number)
    else:
        errors = carriers.tracking_number_errors(carrier, tracking_number)
        if errors:
            raise DomainError(errors)
        number = carriers.normalise_tracking_number(tracking_number)
    warehouse_id = stock.warehouse_by_code(session, warehouse_code).id if warehouse_code else None
    order = locked_order(session, principal, order_id)
    policies.next_status("ship", order.status)  # confirmed or partly shipped, else 409
    plan = _plan(order, lines, warehouse_id)
    shipment = Shipment(
        order_id=order.id,
        number=_next_number(session, order.id),
        status="shipped",
        carrier=carrier,
        tracking_number=number,
        shipped_at=utcnow(),
        created_by=principal.email,
    )
    for line, takes in sorted(plan, key=lambda item: item[0].sku_id):  # stock lock order
        stock.ship(session, line.sku_id, [(a.warehouse_id, q) for a, q in takes])
        for allocation, quantity in takes:
            shipment.lines.append(
                ShipmentLine(
                    order_line_id=line.id,
                    warehouse_id=allocation.warehouse_id,
                    sku_code=line.sku_code,
                    quantity=quantity,
                )
            )
            if quantity == allocation.quantity:
                session.execute(delete(OrderAllocation).where(OrderAllocation.id == allocation.id))
            else:
                session.execute(
                    update(OrderAllocation)
                    .where(OrderAllocation.id == allocation.id)
                    .values(quantity=OrderAllocation.quantity - quantity)
                    .execution_options(synchronize_session=False)
                )
        line.shipped_quantity += sum(q for _, q in takes)
    session.add(shipment)
    target = policies.shipped_status((ln.quantity, ln.shipped_quantity) for ln in order.lines)
    order.tracking_ref = number or order.tracking_ref
    record_event(order, principal, target, f"shipment {shipment.number}: {_label(shipment)}")
    session.flush()
    for line in order.lines:
        session.refresh(line, attribute_names=["allocations"])
    _notify_shipped(session, order, shipment)
    return shipment


def ship_remaining(
    session: Session, principal: Principal, order_id: int, tracking_ref: str
) -> Order:
    """Everything reserved and not shipped, in one shipment with a free-text reference
    (the older "ship the order" call)."""
    create_shipment(
        session, principal, order_id, carrier=LEGACY_CARRIER, tracking_number=tracking_ref
    )
    return session.get_one(Order, order_id)


def _next_number(session: Session, order_id: int) -> int:
    return (
        int(
            session.scalar(
                select(func.coalesce(func.max(Shipment.number), 0)).where(
                    Shipment.order_id == order_id
                )
            )
            or 0
        )
        + 1
    )


def _label(shipment: Shipment) -> str:
    known = carriers.CARRIERS.get(shipment.carrier)
    name = known.name if known else "tracking"
    return f"{name} {shipment.tracking_number}"


def record_event(order: Order, principal: Principal, to_status: str, reason: str = "") -> None:
    """A status transition (or a note at the same status) on the order's history."""
    order.events.append(
        OrderEvent(
            from_status=order.status,
            to_status=to_status,
            # The command line's "cli" actor (user id 0) is no user row: no link.
            actor_id=principal.user_id or None,
            actor_label=principal.email,
            reason=reason,
            at=utcnow(),
        )
    )
    order.status = to_status


def tracking_link(shipment: Shipment) -> str | None:
    if shipment.carrier == LEGACY_CARRIER:
        return None
    return carriers.tracking_url(shipment.carrier, shipment.tracking_number)


def _notify_shipped(session: Session, order: Order, shipment: Shipment) -> None:
    known = carriers.CARRIERS.get(shipment.carrier)
    notifications.notify_company(
        session,
        company_id=order.company_id,
        kind="order_shipped",
        context={
            "order_id": order.id,
            "order_number": str(order.id),
            "shipment_id": shipment.number,
            "carrier": known.name if known else "",
            "tracking_number": shipment.tracking_number,
            "tracking_url": tracking_link(shipment) or "",
            "lines": [{"sku": sl.sku_code, "quantity": sl.quantity} for sl in shipment.lines],
        },
    )


def deliver_shipment(
    session: Session, principal: Principal, order_id: int, number: int
) -> Shipment:
    """A shipment arrived; the order is delivered once every unit shipped and arrived."""
    require(principal, "deliver")
    order = locked_order(session, principal, order_id)
    shipment = session.scalars(
        select(Shipment).where(Shipment.order_id == order.id, Shipment.number == number)
    ).first()
    if shipment is None:
        raise NotFound("shipment", "unknown_shipment")
    if shipment.status == "delivered":
        raise DomainError.single(
            "already_delivered", f"shipment {number} was delivered already", 409
        )
    shipment.status = "delivered"
    shipment.delivered_at = utcnow()
    session.flush()
    _deliver_order_if_done(session, principal, order)
    return shipment


def deliver_all(session: Session, principal: Principal, order_id: int) -> Order:
    """Every shipment of a shipped order arrived (the older "deliver the order" call)."""
    require(principal, "deliver")
    order = locked_order(session, principal, order_id)
    target = policies.next_status("deliver", order.status)
    now = utcnow()
    session.execute(
        update(Shipment)
        .where(Shipment.order_id == order.id, Shipment.status == "shipped")
        .values(status="delivered", delivered_at=now)
        .execution_options(synchronize_session=False)
    )
    record_event(order, principal, target, "")
    session.flush()
    return order


def _deliver_order_if_done(session: Session, principal: Principal, order: Order) -> None:
    if order.status != policies.SHIPPED:
        return
    open_shipments = session.scalar(
        select(func.count()).where(Shipment.order_id == order.id, Shipment.status != "delivered")
    )
    if open_shipments:
        return
    record_event(order, principal, policies.DELIVERED, "every shipment delivered")
    session.flush()


def list_shipments(session: Session, principal: Principal, order_id: int) -> list[Shipment]:
    """An order's shipments (a buyer's own orders only), in order."""
    query = select(Order.id).where(Order.id == order_id)
    if principal.company_id is not None:
        query = query.where(Order.company_id == principal.company_id)
    if session.scalar(query) is None:
        raise NotFound("order")
    return list(
        session.scalars(
            select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.number)
        )
    )


@dataclass(frozen=True)
class ShippedLine:
    """A shipment's line as people read it: the order's line number, the warehouse's code."""

    line_no: int
    sku_code: str
    quantity: int
    warehouse_code: str


def shipped_lines(session: Session, shipments: Sequence[Shipment]) -> dict[int, list[ShippedLine]]:
    """The lines of each shipment (by shipment id), with line numbers and warehouse codes
    (a read)."""
    order_ids = sorted({sh.order_id for sh in shipments})
    if not order_ids:
        return {}
    line_nos = {
        int(line_id): int(line_no)
        for line_id, line_no in session.execute(
            select(OrderLine.id, OrderLine.line_no).where(OrderLine.order_id.in_(order_ids))
        )
    }
    codes = {w.id: w.code for w in stock.list_warehouses(session, limit=10_000)[0]}
    return {
        sh.id: [
            ShippedLine(
                line_nos.get(sl.order_line_id, 0),
                sl.sku_code,
                sl.quantity,
                codes.get(sl.warehouse_id, ""),
            )
            for sl in sh.lines
        ]
        for sh in shipments
    }
