"""HTTP API for fulfilment (issue 11): an order's shipments (list, ship, deliver), the
queue of lines waiting for stock (list, reorder, fill) and the carriers.

Registered after ``orders.api`` in ``microbag.app``; the same conventions: the principal
first in every signature, one unit of work per write (``WriteSession``), the response
serialized inside the endpoint.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy.orm import Session

from microbag.accounts.policies import STAFF_ORDER_ROLES
from microbag.accounts.principal import Principal
from microbag.http import (
    AUTH_RESPONSES,
    READ_RESPONSES,
    WRITE_RESPONSES,
    CurrentPrincipal,
    ReadSession,
    WriteSession,
    require_staff,
)
from microbag.orders import backorders, shipments
from microbag.orders.models import Shipment
from microbag.orders.schemas import MAX_LINES, SkuCode
from microbag.orders.shipment_schemas import (
    CarrierOut,
    FilledOut,
    FillOut,
    QueuePriorityIn,
    ShipmentIn,
    ShipmentOut,
    WaitingLineOut,
    carriers_out,
    shipment_out,
    waiting_line_out,
)

router = APIRouter(tags=["fulfilment"])

OrderStaff = Annotated[Principal, Depends(require_staff(*STAFF_ORDER_ROLES))]
AnyStaff = Annotated[Principal, Depends(require_staff())]
OrderId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Order id")]
ShipmentNumber = Annotated[int, Path(ge=1, le=2_147_483_647, description="1, 2, ... in the order")]
LineNo = Annotated[int, Path(ge=1, le=MAX_LINES, description="The order's line number")]

_shipments_json = TypeAdapter(list[ShipmentOut])
_waiting_json = TypeAdapter(list[WaitingLineOut])
_carriers_json = TypeAdapter(list[CarrierOut])


def _json(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


def _list_json(data: bytes) -> Response:
    return Response(data, media_type="application/json")


def _out(session: Session, items: list[Shipment]) -> list[ShipmentOut]:
    lines = shipments.shipped_lines(session, items)
    return [shipment_out(sh, lines[sh.id], shipments.tracking_link(sh)) for sh in items]


SHIPMENT_ERRORS = (
    "409 `invalid_transition` (the order is not confirmed or partly shipped), "
    "`nothing_to_ship` (no unit reserved: waiting lines ship once stock arrives), "
    "`quantity_not_reserved` (more units than reserved and not shipped); 422 "
    "`unknown_carrier`, `tracking_number_required`, `invalid_tracking_number`, "
    "`unknown_line`, `duplicate_line`; 404 `unknown_warehouse`, `not_found`."
)


@router.get(
    "/orders/{order_id}/shipments",
    response_model=list[ShipmentOut],
    responses=READ_RESPONSES,
    summary="An order's shipments",
    description="Every shipment of the order in order (1, 2, ...): carrier, tracking "
    "number and link, shipped and delivered times, and the lines with units and the "
    "warehouse they left from. Buyers see their own company's orders only (404 else).",
)
def list_shipments(
    principal: CurrentPrincipal, session: ReadSession, order_id: OrderId
) -> Response:
    items = shipments.list_shipments(session, principal, order_id)
    return _list_json(_shipments_json.dump_json(_out(session, items)))


@router.post(
    "/orders/{order_id}/shipments",
    status_code=201,
    response_model=ShipmentOut,
    responses=WRITE_RESPONSES,
    summary="Staff: ship some or all reserved units of an order",
    description="Admin or sales staff. Ships the listed lines and units, or without "
    "`lines` every unit reserved and not shipped yet (from `warehouse` only, when "
    "named). Units still waiting for stock (preorders, backorders) cannot ship until "
    "arriving stock reserved them. The order becomes `partly_shipped` while units "
    "remain, `shipped` when every unit has left; the buyer is notified. Errors: " + SHIPMENT_ERRORS,
)
def create_shipment(
    principal: OrderStaff, session: WriteSession, order_id: OrderId, body: ShipmentIn
) -> Response:
    wanted = (
        [shipments.ShipmentLineIn(ln.line, ln.quantity) for ln in body.lines]
        if body.lines is not None
        else None
    )
    shipment = shipments.create_shipment(
        session,
        principal,
        order_id,
        carrier=body.carrier,
        tracking_number=body.tracking_number,
        lines=wanted,
        warehouse_code=body.warehouse,
    )
    return _json(_out(session, [shipment])[0], 201)


@router.post(
    "/orders/{order_id}/shipments/{number}/deliver",
    response_model=ShipmentOut,
    responses=WRITE_RESPONSES,
    summary="Staff: a shipment was delivered",
    description="Admin or sales staff. The order becomes `delivered` once every unit "
    "has shipped and every shipment arrived. 404 `unknown_shipment`; 409 "
    "`already_delivered`.",
)
def deliver_shipment(
    principal: OrderStaff,
    session: WriteSession,
    order_id: OrderId,
    number: ShipmentNumber,
) -> Response:
    shipment = shipments.deliver_shipment(session, principal, order_id, number)
    return _json(_out(session, [shipment])[0])


@router.get(
    "/backorders",
    response_model=list[WaitingLineOut],
    responses=READ_RESPONSES,
    summary="Staff: lines waiting for stock, in serving order",
    description="Preorder and backorder lines of placed, confirmed or partly shipped "
    "orders with units not reserved yet, per SKU in the order arriving stock serves "
    "them: queue priority (highest first), preorders before backorders, the order's "
    "placing time.",
)
def waiting_queue(
    principal: AnyStaff,
    session: ReadSession,
    sku: Annotated[SkuCode | None, Query(description="Only this SKU's waiting lines")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many lines")] = 500,
) -> Response:
    queue = backorders.waiting_queue(session, sku_code=sku, limit=limit)
    return _list_json(_waiting_json.dump_json([waiting_line_out(w) for w in queue]))


@router.put(
    "/orders/{order_id}/lines/{line_no}/queue-priority",
    response_model=WaitingLineOut,
    responses=WRITE_RESPONSES,
    summary="Staff: move a waiting line up or down the queue",
    description="Admin or sales staff override first come, first served: a higher "
    "priority is served first by arriving stock; 0 is the default. Audited. 404 "
    "`unknown_line`; 409 `not_waiting` (the line waits for nothing).",
)
def set_queue_priority(
    principal: OrderStaff,
    session: WriteSession,
    order_id: OrderId,
    line_no: LineNo,
    body: QueuePriorityIn,
) -> Response:
    line = backorders.set_queue_priority(session, principal, order_id, line_no, body.priority)
    return _json(waiting_line_out(line))


@router.post(
    "/backorders/fill",
    response_model=FillOut,
    responses=WRITE_RESPONSES,
    summary="Staff: give available stock to the waiting lines now",
    description="Admin or sales staff. For every SKU with waiting lines and stock "
    "available, reserves units for the lines first come, first served (as arriving "
    "stock and the worker do); what each line received.",
)
def fill_waiting(principal: OrderStaff, session: WriteSession) -> Response:
    filled = backorders.fill_waiting(session)
    out = FillOut(
        filled=[
            FilledOut(
                order_id=f.order_id,
                line=f.line_no,
                sku=f.sku_code,
                units=f.units,
                still_waiting=f.still_waiting,
            )
            for f in filled
        ],
        units=sum(f.units for f in filled),
    )
    return _json(out)


@router.get(
    "/carriers",
    response_model=list[CarrierOut],
    responses=AUTH_RESPONSES,
    summary="Carriers a shipment may name",
    description="The carriers with tracking links, then `other` (any other carrier: "
    "a free-text tracking number, no link).",
)
def list_carriers(principal: CurrentPrincipal) -> Response:
    return _list_json(_carriers_json.dump_json(carriers_out()))
