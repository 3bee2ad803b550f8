"""Staff pages of purchasing: the purchase orders (filter by status and supplier), a new
draft (supplier, warehouse, lines), one order with its lines, events and actions (send,
confirm with a promised date per line, cancel, close, receive per line with "inspect
before stock" checked by default, PDF), and the lots received by status.

Every action is a POST calling purchasing.service / receiving; rule errors are shown on
the page they came from, next to the field they name or above the form. Reads: all
staff; actions: admin and merchandiser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.errors import DomainError, ErrorItem
from microbag.purchasing import pdf, policies, receiving, service
from microbag.purchasing.schemas import LotStatus, PoStatus
from microbag.stock.service import list_warehouses
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PageForbidden, PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, PageNo, pager, parse_amount, staff_page, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 25
NEW_LINES = 8
PoId = Annotated[int, Path(ge=1, le=2_147_483_647)]
DONE = {
    "created": "Draft purchase order created.",
    "sent": "Purchase order sent to the supplier.",
    "confirmed": "Confirmed: each line is now incoming stock buyers can see.",
    "cancelled": "Purchase order cancelled; its incoming stock is removed.",
    "closed": "Purchase order closed.",
    "received": "Delivery received.",
}


def may_buy(user: PortalUser) -> bool:
    return user.principal.role in policies.PURCHASE_ROLES


def _purchaser(user: StaffUser) -> PortalUser:
    if not may_buy(user):
        raise PageForbidden(
            f"Your role ({user.principal.role}) may not change purchase orders;"
            " that needs admin or merchandiser."
        )
    return user


Purchaser = Annotated[PortalUser, Depends(_purchaser)]


def _plain(item: ErrorItem) -> str:
    return item.message[:1].upper() + item.message[1:]


@router.get("/staff/purchase-orders")
def purchase_orders_page(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    page: PageNo = 1,
    status: Annotated[PoStatus | None, Query()] = None,
    supplier: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    with db.session() as session:
        pos, total = service.list_pos(
            session,
            status=status,
            supplier_id=supplier,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        rows = [(po, len(po.lines), service.total_minor(po)) for po in pos]
        names = service.supplier_names(session, (po.supplier_id for po in pos))
        suppliers = service.supplier_choices(session)
    return staff_page(
        request,
        user,
        "staff/purchase_orders.html",
        {
            "title": "Purchase orders",
            "rows": rows,
            "names": names,
            "status": status,
            "statuses": policies.PO_STATUSES,
            "supplier": supplier,
            "suppliers": suppliers,
            "may_buy": may_buy(user),
            "pager": pager(
                "/staff/purchase-orders",
                {"status": status, "supplier": supplier},
                page,
                total,
                PAGE_SIZE,
            ),
        },
        section="purchase-orders",
    )


def _new_page(
    request: Request,
    user: PortalUser,
    db: Any,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        suppliers = service.supplier_choices(session)
        warehouses, _count = list_warehouses(session, offset=0, limit=200)
        warehouse_options = [(w.code, f"{w.code} · {w.name}") for w in warehouses]
    return staff_page(
        request,
        user,
        "staff/purchase_order_new.html",
        {
            "title": "New purchase order",
            "suppliers": [(str(i), f"{code} · {name}") for i, code, name in suppliers],
            "warehouses": warehouse_options,
            "values": values or {},
            "errors": errors,
            "line_count": NEW_LINES,
        },
        section="purchase-orders",
        status_code=status_code,
    )


@router.get("/staff/purchase-orders/new")
def new_purchase_order_page(
    request: Request,
    user: Purchaser,
    db: PortalDb,
    supplier: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    return _new_page(request, user, db, {"supplier": str(supplier or "")})


@router.post("/staff/purchase-orders/new")
def create_purchase_order(request: Request, user: Purchaser, db: PortalDb, form: Form) -> Response:
    values = {"supplier": text(form, "supplier", 12), "warehouse": text(form, "warehouse", 32)}
    values["notes"] = text(form, "notes", 2000)
    errors = FormErrors()
    rows: list[tuple[int, str, int, str]] = []  # (row, SKU code, units, typed unit cost)
    for n in range(1, NEW_LINES + 1):
        sku, qty = text(form, f"sku_{n}", 64), text(form, f"qty_{n}", 12)
        cost = text(form, f"cost_{n}", 20)
        values.update({f"sku_{n}": sku, f"qty_{n}": qty, f"cost_{n}": cost})
        if not sku and not qty:
            continue
        if not qty.isdigit() or int(qty) < 1:
            errors.add(f"qty_{n}", "Enter a number of units.")
        else:
            rows.append((n, sku, int(qty), cost))
    if not values["supplier"].isdigit():
        errors.add("supplier", "Choose a supplier.")
    if not rows and not errors:
        errors.add(None, "Add at least one line (SKU and quantity).")
    if errors:
        return _new_page(request, user, db, values, errors, 422)
    try:
        with db.session(write=True) as session:
            supplier = service.get_supplier(session, int(values["supplier"]))
            lines = service.lines_from_codes(session, _priced(rows, supplier.currency))
            po = service.create_draft(
                session,
                supplier_id=supplier.id,
                lines=lines,
                actor=user.principal.email,
                warehouse_id=service.warehouse_id_for_code(session, values["warehouse"] or None),
                notes=values["notes"],
            )
            po_id = po.id
    except DomainError as exc:
        errors = FormErrors()
        for item in exc.items:
            # The core numbers the lines it was given; map them back to the form's rows.
            row = rows[item.line - 1][0] if item.line and item.line <= len(rows) else None
            name = None
            if row is not None and item.field and item.field.startswith("lines["):
                kind = item.field.rsplit(".", 1)[-1]
                name = {"quantity": "qty", "unit_cost_minor": "cost"}.get(kind, "sku") + f"_{row}"
            errors.add(name, _plain(item))
        return _new_page(request, user, db, values, errors, 422)
    return RedirectResponse(f"/staff/purchase-orders/{po_id}?done=created", status_code=303)


def _priced(rows: list[tuple[int, str, int, str]], currency: str) -> list[service.CodedLine]:
    """Lines with typed unit costs (major units of the supplier's currency) in minor units;
    a blank cost takes the supplier's price."""
    out: list[service.CodedLine] = []
    errors: list[ErrorItem] = []
    for k, (_row, sku, qty, raw) in enumerate(rows, start=1):
        cost = None
        if raw:
            try:
                cost = parse_amount(raw, currency)
            except ValueError as exc:
                errors.append(
                    ErrorItem("invalid_unit_cost", str(exc), k, f"lines[{k - 1}].unit_cost_minor")
                )
        out.append(service.CodedLine(sku, qty, cost))
    if errors:
        raise DomainError(errors)
    return out


@dataclass(frozen=True)
class _LineRow:
    id: int
    line_no: int
    sku: str
    quantity: int
    unit_cost_minor: int
    total_minor: int
    warehouse: str
    requested_date: date | None
    promised_date: date | None
    received_quantity: int
    delivery: str
    outstanding: int


def _po_page(
    request: Request,
    user: PortalUser,
    db: Any,
    po_id: int,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        po = service.get_po(session, po_id)
        code, name = service.supplier_names(session, [po.supplier_id])[po.supplier_id]
        warehouses = service.warehouse_codes(
            session, [po.warehouse_id, *(ln.warehouse_id for ln in po.lines)]
        )
        lines = [
            _LineRow(
                ln.id,
                ln.line_no,
                ln.sku_code,
                ln.quantity,
                ln.unit_cost_minor,
                policies.line_total(ln.quantity, ln.unit_cost_minor),
                warehouses[ln.warehouse_id],
                ln.requested_date,
                ln.promised_date,
                ln.received_quantity,
                policies.classify_delivery(ln.quantity, ln.received_quantity),
                max(ln.quantity - ln.received_quantity, 0),
            )
            for ln in po.lines
        ]
        events = list(po.events)
        lots, _total = receiving.list_lots(session, po_id=po.id, limit=200)
        total = service.total_minor(po)
    received = sum(ln.received_quantity for ln in lines)
    return staff_page(
        request,
        user,
        "staff/purchase_order.html",
        {
            "title": f"Purchase order {po.number}",
            "po": po,
            "supplier_code": code,
            "supplier_name": name,
            "warehouse": warehouses[po.warehouse_id],
            "lines": lines,
            "events": events,
            "lots": lots,
            "total": total,
            "errors": errors,
            "values": values or {},
            "notice": DONE.get(request.query_params.get("done", "")),
            "may_buy": may_buy(user),
            "can_edit": po.status == "draft",
            "can_send": policies.may_transition(po.status, "sent"),
            "can_confirm": policies.may_transition(po.status, "confirmed"),
            "can_cancel": policies.may_cancel(po.status, received),
            "can_close": policies.may_transition(po.status, "closed"),
            "can_receive": po.status in policies.RECEIVABLE_STATUSES,
        },
        section="purchase-orders",
        status_code=status_code,
    )


@router.get("/staff/purchase-orders/{po_id}")
def purchase_order_page(request: Request, po_id: PoId, user: StaffUser, db: PortalDb) -> Response:
    return _po_page(request, user, db, po_id)


@router.get("/staff/purchase-orders/{po_id}/pdf")
def purchase_order_pdf(po_id: PoId, _user: StaffUser, db: PortalDb) -> Response:
    with db.session() as session:
        number = service.get_po(session, po_id).number
        data = pdf.render_pdf(session, po_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )


def _dates(form: Any, line_ids: list[int], values: dict[str, str]) -> dict[int, date]:
    """promised_<line id> fields, falling back to promised_all."""
    errors: list[ErrorItem] = []
    out: dict[int, date] = {}
    fallback = values["promised_all"] = text(form, "promised_all", 10)
    for line_id in line_ids:
        raw = values[f"promised_{line_id}"] = text(form, f"promised_{line_id}", 10) or fallback
        if not raw:
            continue
        try:
            out[line_id] = date.fromisoformat(raw)
        except ValueError:
            errors.append(
                ErrorItem("invalid_date", "enter a date as YYYY-MM-DD", None, f"promised_{line_id}")
            )
    if errors:
        raise DomainError(errors)
    return out


def _received(form: Any, line_ids: list[int], values: dict[str, str]) -> list[tuple[int, int]]:
    errors: list[ErrorItem] = []
    out: list[tuple[int, int]] = []
    for line_id in line_ids:
        raw = values[f"receive_{line_id}"] = text(form, f"receive_{line_id}", 12)
        if not raw or raw == "0":
            continue
        if not raw.isdigit():
            errors.append(
                ErrorItem("invalid_quantity", "enter a number of units", None, f"receive_{line_id}")
            )
            continue
        out.append((line_id, int(raw)))
    if errors:
        raise DomainError(errors)
    if not out:
        raise DomainError(ErrorItem("no_lines", "enter the units delivered for at least one line"))
    return out


@router.post("/staff/purchase-orders/{po_id}/{action}")
def purchase_order_action(
    request: Request,
    po_id: PoId,
    action: Annotated[str, Path(pattern=r"^(send|confirm|cancel|close|receive)$")],
    user: Purchaser,
    db: PortalDb,
    form: Form,
) -> Response:
    """Send, confirm, cancel, close or receive; errors are shown on the order's page."""
    actor = user.principal.email
    values: dict[str, str] = {}
    done = {"send": "sent", "confirm": "confirmed", "cancel": "cancelled", "close": "closed"}
    try:
        with db.session(write=True) as session:
            po = service.get_po(session, po_id)
            line_ids = [ln.id for ln in po.lines]
            if action == "send":
                service.send(session, po_id, actor=actor)
            elif action == "confirm":
                service.confirm(
                    session, po_id, promised=_dates(form, line_ids, values), actor=actor
                )
            elif action == "cancel":
                values["reason"] = text(form, "reason", 2000)
                service.cancel(session, po_id, actor=actor, reason=values["reason"])
            elif action == "close":
                values["note"] = text(form, "note", 2000)
                service.close(session, po_id, actor=actor, note=values["note"])
            else:
                values["reference"] = text(form, "reference", 64)
                values["inspect"] = "1" if text(form, "inspect", 2) else ""
                receiving.receive(
                    session,
                    po_id,
                    lines=_received(form, line_ids, values),
                    actor=actor,
                    reference=values["reference"] or None,
                    inspect=bool(values["inspect"]),
                    note=text(form, "receipt_note", 2000),
                )
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = FormErrors()
        for item in exc.items:
            errors.add(item.field if item.field in values else None, _plain(item))
        return _po_page(
            request, user, db, po_id, errors=errors, values=values, status_code=exc.status
        )
    key = done.get(action, "received")
    return RedirectResponse(f"/staff/purchase-orders/{po_id}?done={key}", status_code=303)


@router.get("/staff/receipts")
def receipts_page(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    page: PageNo = 1,
    status: Annotated[LotStatus | None, Query()] = None,
) -> Response:
    """Lots received, by status (pending inspection first in the filter)."""
    with db.session() as session:
        lots, total = receiving.list_lots(
            session, status=status, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        counts = receiving.lot_counts(session)
        names = service.supplier_names(session, (lot.supplier_id for lot in lots))
    return staff_page(
        request,
        user,
        "staff/receipts.html",
        {
            "title": "Receipts and lots",
            "lots": lots,
            "counts": counts,
            "names": names,
            "status": status,
            "statuses": policies.LOT_STATUSES,
            "pager": pager("/staff/receipts", {"status": status}, page, total, PAGE_SIZE),
        },
        section="receipts",
    )
