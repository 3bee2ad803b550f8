"""HTTP API for orders (public contract: POST /orders, GET /orders/{id}, POST .../cancel)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from microbag.accounts.policies import BUYER_WRITE_ROLES, STAFF_ORDER_ROLES
from microbag.accounts.principal import Principal
from microbag.db import Database
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    CurrentPrincipal,
    Page,
    Paging,
    ReadSession,
    WriteSession,
    get_database,
    require_buyer,
    require_staff,
)
from microbag.orders import service
from microbag.orders.header import MAX_PO_NUMBER_LENGTH
from microbag.orders.models import Order
from microbag.orders.placement import PlacedOrder
from microbag.orders.schemas import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    CancelIn,
    OrderIn,
    OrderOut,
    OrderStatus,
    ShipIn,
    order_out,
)

router = APIRouter(tags=["orders"])


def _json(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


# The principal comes first in every signature: FastAPI resolves dependencies in order,
# so the token lookup's connection is back in the pool before the request's own session
# takes one.
#
# Routes return a ready JSON Response, serialized inside the endpoint: FastAPI would
# otherwise validate a returned model in another worker thread while the transaction
# (and SQLite's write lock or PostgreSQL's row locks) is still open, and under load,
# with every worker thread waiting for that lock, no thread would be left to finish
# it. The session's commit itself runs outside the worker limit.
BuyerWriter = Annotated[Principal, Depends(require_buyer(*BUYER_WRITE_ROLES))]
OrderStaff = Annotated[Principal, Depends(require_staff(*STAFF_ORDER_ROLES))]
OrderId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Order id")]

IDEMPOTENCY_DOC = (
    "Optional but recommended: a client-chosen key (up to 255 characters) unique per "
    "order. Sending the same key with the same lines again returns the same order "
    "(201, same body, header `Idempotent-Replayed: true`), also when both requests "
    "arrive at once; the same key with other lines is rejected with 422 "
    "`idempotency_key_reused`."
)


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderOut,
    responses=WRITE_RESPONSES,
    summary="Place an order",
    description="Checks every line and reports every failing one at once: 422 "
    "(`unknown_sku`, `duplicate_sku`, `below_moq`, `not_case_pack_multiple`, "
    "`below_minimum_order_value`, `credit_limit_exceeded`, `idempotency_key_reused`) or "
    "409 when stock is the only problem (`insufficient_stock`). The optional header "
    "(`po_number`, `requested_delivery_date`, `ship_to_address_id`, `notes`, `incoterm`) "
    "is checked with the lines: 422 `po_number_required`, `invalid_po_number`, "
    "`requested_date_in_past`, `requested_date_too_far`, `unknown_address`, "
    "`invalid_notes`, `invalid_incoterm`; a PO number the company used before is 409 "
    "`duplicate_po_number` (also when two orders with it arrive at once: one is placed). "
    "Without a ship-to the company's default ship-to applies, without an incoterm the "
    "company's incoterm. Nothing is reserved "
    "unless the whole order is placed. A transient database failure (a deadlock, a lost "
    "connection) is retried on the server; if it persists, 503 (`try_again` or "
    "`database_unavailable`) with `Retry-After`: send the same request again, with the "
    "same Idempotency-Key.",
)
def place_order(
    principal: BuyerWriter,
    db: Annotated[Database, Depends(get_database)],
    body: OrderIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
            description=IDEMPOTENCY_DOC,
        ),
    ] = None,
) -> Response:
    # The endpoint owns its unit of work (one trip through the thread pool instead of
    # three with a WriteSession dependency): placing is the API's hot path. ``db.run``
    # re-runs the whole placement after a deadlock or a cut connection; nothing has
    # been sent by then, and the idempotency key claimed by a failed try was rolled
    # back with it, so a keyed order is still placed at most once.
    header = body.header()

    def place(session: Session) -> tuple[PlacedOrder | Order, bool]:
        return service.place_order(
            session, principal, body.lines, idempotency_key=idempotency_key, header=header
        )

    order, created = db.run(place, write=True)
    # Serialized after the commit (in this thread), so that one company's orders, which
    # queue on its row lock until the commit, wait less. A replayed ``Order`` has its
    # lines and events loaded already (selectin, and no expiry at the commit).
    response = _json(order_out(order), 201)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@router.get(
    "/orders",
    response_model=Page[OrderOut],
    responses=READ_RESPONSES,
    summary="List orders, newest first",
)
def list_orders(
    principal: CurrentPrincipal,
    session: ReadSession,
    paging: Paging,
    status: Annotated[OrderStatus | None, Query(description="Only orders in this status")] = None,
    company_id: Annotated[
        int | None,
        Query(ge=1, le=2_147_483_647, description="Staff only: one buyer company's orders"),
    ] = None,
    po_number: Annotated[
        str | None,
        Query(min_length=1, max_length=MAX_PO_NUMBER_LENGTH, description="The buyer's PO number"),
    ] = None,
) -> Response:
    items, total = service.list_orders(
        session,
        principal,
        status=status,
        company_id=company_id,
        po_number=po_number,
        offset=paging.offset,
        limit=paging.page_size,
    )
    page = Page[OrderOut](
        items=[order_out(o) for o in items],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )
    return _json(page)


@router.get(
    "/orders/{order_id}",
    response_model=OrderOut,
    responses=READ_RESPONSES,
    summary="One order with its lines and events",
)
def get_order(principal: CurrentPrincipal, session: ReadSession, order_id: OrderId) -> Response:
    return _json(order_out(service.get_order(session, principal, order_id)))


@router.post(
    "/orders/{order_id}/cancel",
    response_model=OrderOut,
    responses=WRITE_RESPONSES,
    summary="Cancel an order and release its stock",
    description="Buyers (owner, buyer) cancel their own draft or placed orders; the "
    "seller's admin or sales staff also confirmed ones, giving a reason. Shipped or "
    "delivered orders cannot be cancelled (409 `invalid_transition`).",
)
def cancel_order(
    principal: CurrentPrincipal,
    session: WriteSession,
    order_id: OrderId,
    body: Annotated[CancelIn | None, Body()] = None,
) -> Response:
    reason = body.reason if body is not None else ""
    return _json(order_out(service.cancel_order(session, principal, order_id, reason)))


@router.post(
    "/orders/{order_id}/confirm",
    response_model=OrderOut,
    responses=WRITE_RESPONSES,
    summary="Staff: confirm a placed order",
)
def confirm_order(principal: OrderStaff, session: WriteSession, order_id: OrderId) -> Response:
    return _json(order_out(service.confirm_order(session, principal, order_id)))


@router.post(
    "/orders/{order_id}/ship",
    response_model=OrderOut,
    responses=WRITE_RESPONSES,
    summary="Staff: ship a confirmed order (tracking reference required)",
)
def ship_order(
    principal: OrderStaff, session: WriteSession, order_id: OrderId, body: ShipIn
) -> Response:
    return _json(order_out(service.ship_order(session, principal, order_id, body.tracking_ref)))


@router.post(
    "/orders/{order_id}/deliver",
    response_model=OrderOut,
    responses=WRITE_RESPONSES,
    summary="Staff: mark a shipped order delivered",
)
def deliver_order(principal: OrderStaff, session: WriteSession, order_id: OrderId) -> Response:
    return _json(order_out(service.deliver_order(session, principal, order_id)))


@router.post(
    "/orders/{order_id}/mark-paid",
    response_model=OrderOut,
    responses=WRITE_RESPONSES,
    summary="Staff: record the payment of an order",
)
def mark_paid(principal: OrderStaff, session: WriteSession, order_id: OrderId) -> Response:
    return _json(order_out(service.mark_paid(session, principal, order_id)))
