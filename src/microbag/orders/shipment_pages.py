"""Staff pages for shipping an order in parts: the "Create shipment" form of the order
page (per line the units to ship, a carrier, a tracking number, optionally one
warehouse), marking one shipment delivered, and the pick list and packing slip PDFs.

Thin adapters over ``orders.shipments`` and ``orders.documents``: their errors are shown
on the order page (``staff_pages.order_page_view``) next to the field they concern
(a line's quantity, the carrier, the tracking number) or above the forms.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.errors import DomainError, ErrorItem
from microbag.orders import documents, service, shipments
from microbag.orders.shipments import ShipmentLineIn
from microbag.orders.staff_pages import order_page_view
from microbag.stock.schemas import WAREHOUSE_CODE_PATTERN
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, OrderStaff, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

OrderId = Annotated[int, Path(ge=1, le=2_147_483_647)]
ShipmentNo = Annotated[int, Path(ge=1, le=100_000)]
MAX_UNITS = 1_000_000
# The core's error codes that belong to one field of the shipment form.
FIELD_OF_CODE = {
    "unknown_carrier": "carrier",
    "tracking_number_required": "tracking_number",
    "invalid_tracking_number": "tracking_number",
    "unknown_warehouse": "warehouse",
}


def _plain(message: str) -> str:
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."


def _errors(items: list[ErrorItem]) -> FormErrors:
    errors = FormErrors()
    for item in items:
        if item.line is not None and item.code in ("quantity_not_reserved", "duplicate_line"):
            errors.add(f"qty_{item.line}", _plain(item.message))
        else:
            errors.add(FIELD_OF_CODE.get(item.code, item.field), _plain(item.message))
    return errors


def shipment_lines(form: Any, line_nos: list[int]) -> tuple[list[ShipmentLineIn], FormErrors]:
    """The units to ship per line from the form's ``qty_<line>`` fields (blank or 0:
    the line is left out); a field that is not a whole number is an error on it."""
    lines: list[ShipmentLineIn] = []
    errors = FormErrors()
    for line_no in line_nos:
        raw = text(form, f"qty_{line_no}", 20)
        if not raw:
            continue
        if not raw.isdigit() or int(raw) > MAX_UNITS:
            errors.add(f"qty_{line_no}", "Enter a whole number of units (0 to leave it out).")
            continue
        if int(raw) > 0:
            lines.append(ShipmentLineIn(line_no, int(raw)))
    if not lines and not errors:
        errors.add(None, "Enter the units to ship on at least one line.")
    return lines, errors


@router.post("/staff/orders/{order_id}/shipments")
def create_shipment(
    request: Request, order_id: OrderId, user: OrderStaff, db: PortalDb, form: Form
) -> Response:
    """Ship the units entered per line, with a carrier and a tracking number."""
    values = {k: text(form, k, 200) for k in form if isinstance(form.get(k), str)}
    values.pop("csrf_token", None)
    line_nos = sorted(
        int(k.removeprefix("qty_"))
        for k in values
        if k.startswith("qty_") and k.removeprefix("qty_").isdigit() and len(k) < 12
    )
    lines, errors = shipment_lines(form, line_nos)
    if errors:
        return _again(request, user, db, order_id, errors, values, 422)
    try:
        with db.session(write=True) as session:
            shipments.create_shipment(
                session,
                user.principal,
                order_id,
                carrier=values.get("carrier", ""),
                tracking_number=values.get("tracking_number", ""),
                lines=lines,
                warehouse_code=values.get("warehouse") or None,
            )
            status = service.get_order(session, user.principal, order_id).status
    except DomainError as exc:
        unknown_warehouse = any(i.code == "unknown_warehouse" for i in exc.items)
        if exc.status == 404 and not unknown_warehouse:
            raise
        status_code = 422 if unknown_warehouse else exc.status  # a field of the form
        return _again(request, user, db, order_id, _errors(exc.items), values, status_code)
    return RedirectResponse(f"/staff/orders/{order_id}?done={status}", status_code=303)


def _again(
    request: Request,
    user: PortalUser,
    db: Any,
    order_id: int,
    errors: FormErrors,
    values: dict[str, str],
    status_code: int,
) -> Response:
    return order_page_view(
        request,
        user,
        db,
        order_id,
        errors=errors,
        values={**values, "action": "shipment"},
        status_code=status_code,
    )


@router.post("/staff/orders/{order_id}/shipments/{number}/deliver")
def deliver_shipment(
    request: Request, order_id: OrderId, number: ShipmentNo, user: OrderStaff, db: PortalDb
) -> Response:
    try:
        with db.session(write=True) as session:
            shipments.deliver_shipment(session, user.principal, order_id, number)
            status = service.get_order(session, user.principal, order_id).status
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = FormErrors()
        for item in exc.items:
            errors.add(None, _plain(item.message))
        return order_page_view(request, user, db, order_id, errors=errors, status_code=exc.status)
    done = "delivered" if status == "delivered" else "shipment_delivered"
    return RedirectResponse(f"/staff/orders/{order_id}?done={done}", status_code=303)


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get("/staff/orders/{order_id}/pick-list.pdf")
def pick_list(
    order_id: OrderId,
    user: StaffUser,
    db: PortalDb,
    warehouse: Annotated[str | None, Query(max_length=32, pattern=WAREHOUSE_CODE_PATTERN)] = None,
) -> Response:
    with db.session() as session:
        pdf = documents.pick_list_pdf(session, user.principal, order_id, warehouse or None)
    suffix = f"-{warehouse}" if warehouse else ""
    return _pdf(pdf, f"pick-list-{order_id}{suffix}.pdf")


@router.get("/staff/orders/{order_id}/shipments/{number}/packing-slip.pdf")
def packing_slip(order_id: OrderId, number: ShipmentNo, user: StaffUser, db: PortalDb) -> Response:
    with db.session() as session:
        pdf = documents.packing_slip_pdf(session, user.principal, order_id, number)
    return _pdf(pdf, f"packing-slip-{order_id}-{number}.pdf")
