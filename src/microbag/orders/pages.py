"""Buyer pages for ordering: the cart, placing, order history, the order page.

Thin adapters over orders.service: the cart is checked by a dry run of the real
placement (web.cart.check_cart), placing passes an idempotency key generated when
the cart page was rendered, so a double click gives one order.
"""

from __future__ import annotations

import io
import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.bundles import service as bundles_service
from microbag.buyers.service import get_company
from microbag.catalog.exporter import write_table
from microbag.catalog.policies import CODE_PATTERN
from microbag.errors import DomainError, ErrorItem
from microbag.money import to_major
from microbag.orders import policies, progress, service
from microbag.orders.exporter import COLUMNS, header_cells
from microbag.orders.header import MAX_NOTES_LENGTH, MAX_PO_NUMBER_LENGTH, HeaderIn
from microbag.orders.models import Order
from microbag.orders.schemas import MAX_IDEMPOTENCY_KEY_LENGTH, MAX_QUANTITY, OrderStatus
from microbag.pricing.policies import SkuTerms, round_to_case_pack
from microbag.pricing.service import price_list_for_company, sku_id_for_code, terms_for
from microbag.web import cart as carts
from microbag.web.csrf import verify_csrf
from microbag.web.deps import BuyerUser, PortalDb
from microbag.web.render import render
from microbag.web.sessions import PortalUser

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 20
OrderId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SkuCode = Annotated[str, Form(min_length=1, max_length=64, pattern=CODE_PATTERN)]
Quantity = Annotated[int, Form(ge=0, le=MAX_QUANTITY)]
# The statuses an order passes through when all goes well, for the timeline.
HAPPY_PATH = ("placed", "confirmed", "shipped", "delivered")
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _company_id(user: PortalUser) -> int:
    company_id = user.principal.company_id
    if company_id is None:  # BuyerUser guarantees a company; this keeps the types honest
        raise DomainError.single("not_a_buyer", "this page is for buyer companies", 403)
    return company_id


# ---- cart --------------------------------------------------------------------------------------


def _cart_page(
    request: Request,
    user: PortalUser,
    db: Any,
    lines: list[carts.CartLine],
    *,
    errors: list[ErrorItem] | None = None,
    status_code: int = 200,
    header_values: dict[str, str] | None = None,
) -> Response:
    check = carts.check_cart(db, user.principal, lines)
    if errors:
        by_line, general = carts.split_errors(errors)
        # The header's errors show next to their fields, not in the order's list.
        general = [e for e in general if e.field is None]
        check = carts.CartCheck(ok=False, line_errors=by_line, order_errors=general)
    view = carts.describe_cart(db, _company_id(user), lines, check)
    header = carts.header_form(db, _company_id(user), header_values, errors or ())
    return render(
        request,
        "orders/cart.html",
        {
            "title": "Cart",
            "cart": view,
            "header": header,
            # A fresh key per rendering: pressing Place twice sends the same key.
            "idempotency_key": secrets.token_urlsafe(24),
            "may_order": policies.may(user.principal, "place"),
        },
        status_code=status_code,
    )


@router.get("/cart")
def cart_page(request: Request, user: BuyerUser, db: PortalDb) -> Response:
    return _cart_page(request, user, db, carts.cart_of(user))


@router.post("/cart/add")
def add_to_cart(
    user: BuyerUser,
    db: PortalDb,
    sku: SkuCode,
    quantity: Annotated[int, Form(ge=1, le=MAX_QUANTITY)],
) -> Response:
    carts.update_cart(db, user, lambda lines: carts.with_added(lines, sku, quantity))
    return RedirectResponse("/cart", status_code=303)


@router.post("/cart/lines/{sku}")
def change_line(
    request: Request,
    user: BuyerUser,
    db: PortalDb,
    sku: Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN)],
    quantity: Annotated[int | None, Form(ge=0, le=MAX_QUANTITY)] = None,
    step: Annotated[str | None, Form(pattern="^(up|down|remove)$")] = None,
    fulfilment: Annotated[str | None, Form(pattern="^(stock|preorder|backorder)$")] = None,
) -> Response:
    """Set a quantity, step it by one case pack (up/down), remove the line, or choose how
    it is filled (from stock, preorder, backorder)."""
    terms = _sku_terms(db, user, sku) if step in ("up", "down") else None

    def change(lines: list[carts.CartLine]) -> list[carts.CartLine]:
        # Applied to the cart as it is now (another tab may have changed it).
        current = next((x for x in lines if x.sku == sku), None)
        if current is None:
            return lines
        if fulfilment is not None and quantity is None and step is None:
            return carts.with_fulfilment(lines, sku, fulfilment)
        if step == "remove":
            new_quantity = 0
        elif step in ("up", "down"):
            new_quantity = _stepped(terms, current.quantity, step)
        else:
            new_quantity = quantity if quantity is not None else current.quantity
        return carts.with_quantity(lines, sku, new_quantity)

    lines = carts.update_cart(db, user, change)
    if request.headers.get("hx-request") == "true":
        return _cart_page(request, user, db, lines)
    return RedirectResponse("/cart", status_code=303)


def _sku_terms(db: Any, user: PortalUser, sku: str) -> SkuTerms | None:
    """The SKU's terms on the buyer's price list (None: unknown SKU or not on the list)."""
    with db.session() as session:
        company = get_company(session, _company_id(user))
        price_list = price_list_for_company(session, company)
        try:
            sku_id = sku_id_for_code(session, sku)
        except DomainError:
            return None
        return terms_for(session, price_list, [sku_id]).get(sku_id) if price_list else None


def _stepped(terms: SkuTerms | None, quantity: int, step: str) -> int:
    """The next quantity a stepper gives: one case pack up or down, never below the MOQ."""
    if terms is None:
        return quantity + (1 if step == "up" else -1)
    if step == "up":
        return round_to_case_pack(quantity + 1, terms.case_pack, terms.moq)
    lower = (quantity - 1) // terms.case_pack * terms.case_pack
    return max(lower, terms.moq)


@router.post("/cart/place")
def place_order(
    request: Request,
    user: BuyerUser,
    db: PortalDb,
    idempotency_key: Annotated[str, Form(max_length=MAX_IDEMPOTENCY_KEY_LENGTH)] = "",
    sku: Annotated[list[str] | None, Form()] = None,
    quantity: Annotated[list[str] | None, Form()] = None,
    fulfilment: Annotated[list[str] | None, Form()] = None,
    po_number: Annotated[str, Form(max_length=200)] = "",
    requested_delivery_date: Annotated[str, Form(max_length=32)] = "",
    ship_to_address_id: Annotated[str, Form(max_length=32)] = "",
    notes: Annotated[str, Form(max_length=MAX_NOTES_LENGTH * 2)] = "",
    incoterm: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Place the lines the buyer confirmed (carried by the form, not re-read from the cart)
    with the order header the buyer filled in."""
    values = {
        "po_number": po_number,
        "requested_delivery_date": requested_delivery_date,
        "ship_to_address_id": ship_to_address_id,
        "notes": notes,
        "incoterm": incoterm,
    }
    try:
        if not idempotency_key:
            raise DomainError.single("invalid_cart", "the order form is damaged; reload the cart")
        lines = carts.lines_from_form(sku or [], quantity or [], fulfilment or [])
        header = carts.header_from_form(values)
    except DomainError as exc:
        return _cart_page(
            request,
            user,
            db,
            carts.cart_of(user),
            errors=exc.items,
            status_code=exc.status,
            header_values=values,
        )
    return _place(request, user, db, lines, idempotency_key, header, values)


def _place(
    request: Request,
    user: PortalUser,
    db: Any,
    lines: list[carts.CartLine],
    key: str,
    header: HeaderIn,
    values: dict[str, str],
) -> Response:
    try:
        with db.session(write=True) as session:
            order, _created = service.place_order(
                session,
                user.principal,
                carts.as_order_lines(lines),
                idempotency_key=key,
                header=header,
            )
            order_id = order.id
    except DomainError as exc:
        return _cart_page(
            request,
            user,
            db,
            lines,
            errors=exc.items,
            status_code=exc.status,
            header_values=values,
        )
    carts.update_cart(db, user, lambda _lines: [])
    return RedirectResponse(f"/orders/{order_id}?placed=1", status_code=303)


# ---- orders ------------------------------------------------------------------------------------


@router.get("/orders")
def order_history(
    request: Request,
    user: BuyerUser,
    db: PortalDb,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    status: Annotated[OrderStatus | None, Query()] = None,
    po_number: Annotated[str, Query(max_length=MAX_PO_NUMBER_LENGTH)] = "",
) -> Response:
    with db.session() as session:
        orders, total = service.list_orders(
            session,
            user.principal,
            status=status,
            po_number=po_number.strip() or None,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "orders/history.html",
        {
            "title": "Orders",
            "orders": orders,
            "total": total,
            "page": page,
            "pages": pages,
            "status": status,
            "po_number": po_number.strip(),
            "statuses": policies.STATUSES,
        },
    )


def timeline(order: Order) -> list[dict[str, Any]]:
    """What happened (events), then the steps still ahead on the usual path."""
    steps: list[dict[str, Any]] = [
        {
            "status": e.to_status,
            "at": e.at,
            "actor": e.actor_label,
            "reason": e.reason,
            "done": True,
        }
        for e in order.events
    ]
    # Partly shipped sits between confirmed and shipped: shipped and delivered lie ahead.
    current = policies.CONFIRMED if order.status == policies.PARTLY_SHIPPED else order.status
    if current in HAPPY_PATH:
        reached = HAPPY_PATH.index(current)
        steps += [{"status": s, "done": False} for s in HAPPY_PATH[reached + 1 :]]
    return steps


@router.get("/orders/{order_id}")
def order_page(request: Request, order_id: OrderId, user: BuyerUser, db: PortalDb) -> Response:
    with db.session() as session:
        order = service.get_order(session, user.principal, order_id)
        bundle_discounts = bundles_service.order_discounts(session, order.id)
        shipped = progress.shipment_views(session, user.principal, order)
    may_cancel = policies.may(user.principal, "cancel") and (
        order.status in policies.BUYER_CANCELLABLE
    )
    return render(
        request,
        "orders/order.html",
        {
            "title": f"Order {order.id}",
            "order": order,
            "timeline": timeline(order),
            "placed_now": request.query_params.get("placed") == "1",
            "bundle_discounts": bundle_discounts,
            "may_cancel": may_cancel,
            "may_reorder": policies.may(user.principal, "place"),
            "progress": progress.line_progress(order),
            "shipments": shipped,
        },
    )


@router.post("/orders/{order_id}/reorder")
def reorder(order_id: OrderId, user: BuyerUser, db: PortalDb) -> Response:
    """Put the order's lines into the cart again (to check and place as a new order)."""
    with db.session() as session:
        order = service.get_order(session, user.principal, order_id)
        ordered = [(line.sku_code, line.quantity) for line in order.lines]

    def add_all(lines: list[carts.CartLine]) -> list[carts.CartLine]:
        for sku, quantity in ordered:
            lines = carts.with_added(lines, sku, quantity)
        return lines

    carts.update_cart(db, user, add_all)
    return RedirectResponse("/cart", status_code=303)


@router.post("/orders/{order_id}/cancel")
def cancel(
    request: Request,
    order_id: OrderId,
    user: BuyerUser,
    db: PortalDb,
    reason: Annotated[str, Form(max_length=policies.MAX_REASON_LENGTH)] = "",
) -> Response:
    try:
        with db.session(write=True) as session:
            service.cancel_order(session, user.principal, order_id, reason)
    except DomainError as exc:
        if exc.status == 404:
            raise
        with db.session() as session:
            order = service.get_order(session, user.principal, order_id)
            shipped = progress.shipment_views(session, user.principal, order)
        return render(
            request,
            "orders/order.html",
            {
                "title": f"Order {order.id}",
                "order": order,
                "timeline": timeline(order),
                "errors": exc.items,
                "may_cancel": False,
                "may_reorder": policies.may(user.principal, "place"),
                "progress": progress.line_progress(order),
                "shipments": shipped,
            },
            status_code=exc.status,
        )
    return RedirectResponse(f"/orders/{order_id}", status_code=303)


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def order_export_rows(order: Order, company_name: str, company_country: str) -> list[list[Any]]:
    """One order in the columns of orders.exporter (so one file layout for all exports)."""
    c = order.currency
    return [
        [
            order.id,
            company_name,
            company_country,
            order.status,
            _when(order.created_at),
            _when(order.placed_at),
            c,
            str(to_major(order.total_minor, c)),
            line.line_no,
            line.sku_code,
            line.quantity,
            str(to_major(line.unit_price_minor, c)),
            str(to_major(line.line_total_minor, c)),
            order.tracking_ref or "",
            *header_cells(
                order.po_number,
                order.requested_delivery_date,
                order.incoterm,
                order.ship_to,
                order.notes,
            ),
        ]
        for line in order.lines
    ]


@router.get("/orders/{order_id}/export.{fmt}")
def export_order(order_id: OrderId, fmt: str, user: BuyerUser, db: PortalDb) -> Response:
    if fmt not in EXPORT_TYPES:
        raise DomainError.single("not_found", "no such export format", 404)
    with db.session() as session:
        order = service.get_order(session, user.principal, order_id)
        company = get_company(session, order.company_id)
        rows = order_export_rows(order, company.name, company.country)
    out = io.BytesIO()
    write_table(fmt, out, COLUMNS, iter(rows), f"order {order_id}")
    return Response(
        out.getvalue(),
        media_type=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="order-{order_id}.{fmt}"'},
    )
