"""Staff pages for orders: the queue (filter by status) and the order page with its actions.

Confirm, ship (with a tracking reference), deliver and cancel (with a reason) are
POSTs that call orders.service; its errors are shown on the order page, next to the
field they concern (tracking reference, reason) or above the actions. The page also
shows each line's fulfilment and promise and the order's shipments; shipping in parts,
delivering a shipment and the pick list and packing slip PDFs are in shipment_pages.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.bundles import service as bundles_service
from microbag.buyers.service import company_names, get_company, terms_label
from microbag.errors import DomainError, ErrorItem
from microbag.orders import policies, progress, service
from microbag.orders.pages import timeline
from microbag.orders.schemas import OrderStatus
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import FormErrors, OrderStaff, PageNo, pager, staff_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 25
OrderId = Annotated[int, Path(ge=1, le=2_147_483_647)]
# The core's error codes that belong to one field of the action forms.
FIELD_OF_CODE = {"tracking_ref_required": "tracking_ref", "reason_required": "reason"}
DONE = {
    "confirmed": "Order confirmed.",
    "shipped": "Order shipped.",
    "delivered": "Order marked delivered.",
    "cancelled": "Order cancelled; its stock is released.",
    "partly_shipped": "Shipment recorded; the rest of the order ships later.",
    "shipment_delivered": "Shipment marked delivered.",
}


@router.get("/staff/orders")
def order_queue(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    page: PageNo = 1,
    status: Annotated[OrderStatus | None, Query()] = None,
    company: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    with db.session() as session:
        orders, total = service.list_orders(
            session,
            user.principal,
            status=status,
            company_id=company,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        names = company_names(session, [o.company_id for o in orders])
        company_name = get_company(session, company).name if company else None
    return staff_page(
        request,
        user,
        "staff/orders.html",
        {
            "title": "Orders",
            "orders": orders,
            "names": names,
            "status": status,
            "statuses": policies.STATUSES,
            "company": company,
            "company_name": company_name,
            "pager": pager(
                "/staff/orders", {"status": status, "company": company}, page, total, PAGE_SIZE
            ),
        },
        section="orders",
    )


def order_page_view(
    request: Request,
    user: PortalUser,
    db: Any,
    order_id: int,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        order = service.get_order(session, user.principal, order_id)
        company = get_company(session, order.company_id)
        terms = terms_label(company)
        bundle_discounts = bundles_service.order_discounts(session, order.id)
        shipments = progress.shipment_views(session, user.principal, order)
        warehouses = [(c, c) for c in sorted(progress.warehouse_codes(session).values())]
    return staff_page(
        request,
        user,
        "staff/order.html",
        {
            "title": f"Order {order.id}",
            "order": order,
            "company": company,
            "terms": terms,
            "timeline": timeline(order),
            "bundle_discounts": bundle_discounts,
            "errors": errors,
            "values": values or {},
            "notice": DONE.get(request.query_params.get("done", "")),
            "can_confirm": order.status in policies.TRANSITIONS["confirm"][0],
            "can_ship": order.status in policies.TRANSITIONS["ship"][0],
            "can_deliver": order.status in policies.TRANSITIONS["deliver"][0],
            "can_cancel": order.status in policies.TRANSITIONS["cancel"][0],
            "max_reason": policies.MAX_REASON_LENGTH,
            "max_tracking": policies.MAX_TRACKING_REF_LENGTH,
            # Preorders, backorders and shipments (issue 11; orders/shipment_pages.py).
            "progress": progress.line_progress(order),
            "shipments": shipments,
            "carriers": progress.carrier_choices(),
            "warehouses": warehouses,
            "can_ship_part": order.status in policies.TRANSITIONS["ship"][0],
            "can_pick": any(ln.reserved_quantity for ln in order.lines),
        },
        section="orders",
        status_code=status_code,
    )


@router.get("/staff/orders/{order_id}")
def order_page(request: Request, order_id: OrderId, user: StaffUser, db: PortalDb) -> Response:
    return order_page_view(request, user, db, order_id)


def _act(
    request: Request,
    user: PortalUser,
    db: Any,
    order_id: int,
    action: str,
    values: dict[str, str] | None = None,
) -> Response:
    """Run one transition; on a rule error show the order page with the error where it belongs."""
    values = values or {}
    try:
        with db.session(write=True) as session:
            if action == "confirm":
                order = service.confirm_order(session, user.principal, order_id)
            elif action == "ship":
                order = service.ship_order(
                    session, user.principal, order_id, values.get("tracking_ref", "")
                )
            elif action == "deliver":
                order = service.deliver_order(session, user.principal, order_id)
            else:
                order = service.cancel_order(
                    session, user.principal, order_id, values.get("reason", "")
                )
            status = order.status
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = FormErrors()
        for item in exc.items:
            errors.add(FIELD_OF_CODE.get(item.code), _plain(item))
        return order_page_view(
            request,
            user,
            db,
            order_id,
            errors=errors,
            values={**values, "action": action},
            status_code=exc.status,
        )
    return RedirectResponse(f"/staff/orders/{order_id}?done={status}", status_code=303)


def _plain(item: ErrorItem) -> str:
    message = item.message[:1].upper() + item.message[1:]
    return message if message.endswith(".") else message + "."


@router.post("/staff/orders/{order_id}/confirm")
def confirm(request: Request, order_id: OrderId, user: OrderStaff, db: PortalDb) -> Response:
    return _act(request, user, db, order_id, "confirm")


@router.post("/staff/orders/{order_id}/ship")
def ship(
    request: Request,
    order_id: OrderId,
    user: OrderStaff,
    db: PortalDb,
    tracking_ref: Annotated[str, Form(max_length=policies.MAX_TRACKING_REF_LENGTH * 2)] = "",
) -> Response:
    return _act(request, user, db, order_id, "ship", {"tracking_ref": tracking_ref})


@router.post("/staff/orders/{order_id}/deliver")
def deliver(request: Request, order_id: OrderId, user: OrderStaff, db: PortalDb) -> Response:
    return _act(request, user, db, order_id, "deliver")


@router.post("/staff/orders/{order_id}/cancel")
def cancel(
    request: Request,
    order_id: OrderId,
    user: OrderStaff,
    db: PortalDb,
    reason: Annotated[str, Form(max_length=policies.MAX_REASON_LENGTH)] = "",
) -> Response:
    return _act(request, user, db, order_id, "cancel", {"reason": reason})
