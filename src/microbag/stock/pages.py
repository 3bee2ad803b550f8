"""Staff pages for stock: on hand and reserved per warehouse, incoming batches.

Thin adapters over stock.service: set a counted quantity, record an incoming batch,
receive it (its units join on hand exactly once). Errors of the core (below what is
reserved, a date in the past, an unknown SKU code) are shown next to their field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.errors import DomainError
from microbag.orders import backorders
from microbag.stock import incoming as batches
from microbag.stock import regions, service
from microbag.stock.policies import format_region_ranks, parse_region_ranks
from microbag.timeutil import utcnow
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, PageNo, StockStaff, pager, staff_page, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 25
IncomingId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Code = Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9._-]*$")]
# The core's error codes and the form field each concerns.
FIELD_OF_CODE = {
    "unknown_sku": "sku",
    "unknown_warehouse": "warehouse",
    "negative_stock": "on_hand",
    "below_reserved": "on_hand",
    "invalid_quantity": "quantity",
    "expected_date_in_past": "expected_date",
    "expected_date_too_far": "expected_date",
    "invalid_warehouse_code": "code",
    "warehouse_code_taken": "code",
    "unknown_country": "country",
    "invalid_name": "name",
    "invalid_regions": "regions",
    "unknown_region": "regions",
    "duplicate_region": "regions",
    "invalid_rank": "regions",
}
DONE = {
    "set": "On hand saved.",
    "incoming": "Incoming batch recorded.",
    "received": "Batch received: its units are on hand.",
    "warehouse": "Warehouse added.",
    "regions": "Served regions saved.",
}


def _sentence(message: str) -> str:
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."


def _page(
    request: Request,
    user: PortalUser,
    db: Any,
    *,
    sku: str = "",
    warehouse: str = "",
    page: int = 1,
    form: str | None = None,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        rows, total = service.list_stock(
            session,
            sku=sku or None,
            warehouse=warehouse or None,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        incoming, incoming_total = batches.list_incoming(
            session, sku=sku or None, warehouse=warehouse or None, pending=True, limit=PAGE_SIZE
        )
        warehouses, _count = service.list_warehouses(session, limit=200)
        served = regions.regions_by_warehouse(session)
    params = {"sku": sku, "warehouse": warehouse}
    return staff_page(
        request,
        user,
        "staff/stock.html",
        {
            "title": "Stock",
            "rows": rows,
            "incoming": incoming,
            "incoming_total": incoming_total,
            "warehouses": warehouses,
            # Served regions per warehouse code, in the form's notation ("europe:1, ...").
            "served": {code: format_region_ranks(r.items()) for code, r in served.items()},
            "filters": params,
            "pager": pager("/staff/stock", params, page, total, PAGE_SIZE),
            "form": form,
            "errors": errors,
            "values": values or {"sku": sku, "warehouse": warehouse},
            "today": utcnow().date(),
            "notice": DONE.get(request.query_params.get("done", "")),
        },
        section="stock",
        status_code=status_code,
    )


@router.get("/staff/stock")
def stock_page(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    page: PageNo = 1,
    sku: Code = "",
    warehouse: Code = "",
) -> Response:
    return _page(request, user, db, sku=sku, warehouse=warehouse, page=page)


def _failed(
    request: Request,
    user: PortalUser,
    db: Any,
    form_name: str,
    values: dict[str, str],
    errors: FormErrors,
    status_code: int,
) -> Response:
    return _page(
        request,
        user,
        db,
        sku=values.get("sku", "") if not errors.fields.get("sku") else "",
        form=form_name,
        errors=errors,
        values=values,
        status_code=status_code,
    )


def _core_errors(exc: DomainError) -> FormErrors:
    errors = FormErrors()
    for item in exc.items:
        errors.add(FIELD_OF_CODE.get(item.code), _sentence(item.message))
    return errors


def _form_status(exc: DomainError) -> int:
    # An unknown SKU or warehouse typed in a form is a mistake in the form, not a missing page.
    return 422 if exc.status == 404 else exc.status


def _back(values: dict[str, str], done: str) -> RedirectResponse:
    return RedirectResponse(f"/staff/stock?sku={values['sku']}&done={done}", status_code=303)


@router.post("/staff/stock/set")
def set_on_hand(request: Request, user: StockStaff, db: PortalDb, form: Form) -> Response:
    values = {name: text(form, name, 64) for name in ("sku", "warehouse", "on_hand")}
    errors = FormErrors()
    if not values["sku"]:
        errors.add("sku", "Enter a SKU code.")
    if not values["on_hand"].lstrip("-").isdigit():
        errors.add("on_hand", "Enter the counted quantity as a whole number.")
    if errors:
        return _failed(request, user, db, "set", values, errors, 422)
    try:
        with db.session(write=True) as session:
            service.set_stock(
                session,
                values["sku"],
                values["warehouse"] or None,
                int(values["on_hand"]),
                actor=user.principal,
            )
            backorders.fill_waiting(session)  # a higher count serves waiting lines first
    except DomainError as exc:
        return _failed(request, user, db, "set", values, _core_errors(exc), _form_status(exc))
    return _back(values, "set")


@router.post("/staff/stock/incoming")
def add_incoming(request: Request, user: StockStaff, db: PortalDb, form: Form) -> Response:
    names = ("sku", "warehouse", "quantity", "expected_date", "note")
    values = {name: text(form, name, 200 if name == "note" else 64) for name in names}
    errors = FormErrors()
    if not values["sku"]:
        errors.add("sku", "Enter a SKU code.")
    if not values["quantity"].lstrip("-").isdigit():
        errors.add("quantity", "Enter the quantity as a whole number.")
    try:
        expected = date.fromisoformat(values["expected_date"])
    except ValueError:
        errors.add("expected_date", "Enter a date as YYYY-MM-DD.")
    if errors:
        return _failed(request, user, db, "incoming", values, errors, 422)
    try:
        with db.session(write=True) as session:
            batches.add_incoming(
                session,
                sku_code=values["sku"],
                warehouse_code=values["warehouse"] or None,
                quantity=int(values["quantity"]),
                expected_date=expected,
                note=values["note"],
            )
    except DomainError as exc:
        errors = _core_errors(exc)
        return _failed(request, user, db, "incoming", values, errors, _form_status(exc))
    return _back(values, "incoming")


@router.post("/staff/stock/warehouses")
def add_warehouse(request: Request, user: StockStaff, db: PortalDb, form: Form) -> Response:
    """A new warehouse: a code (upper-case), a name and its country."""
    values = {name: text(form, name, 200) for name in ("code", "name", "country")}
    values["code"] = values["code"].upper()
    values["country"] = (values["country"] or "US").upper()
    values["sku"] = ""
    errors = FormErrors()
    if not values["code"]:
        errors.add("code", "Enter a code, e.g. MAIN or EU-1.")
    if not values["name"]:
        errors.add("name", "Enter the warehouse's name.")
    if errors:
        return _failed(request, user, db, "warehouse", values, errors, 422)
    try:
        with db.session(write=True) as session:
            service.create_warehouse(
                session, code=values["code"], name=values["name"], country=values["country"]
            )
    except DomainError as exc:
        return _failed(request, user, db, "warehouse", values, _core_errors(exc), exc.status)
    return RedirectResponse("/staff/stock?done=warehouse#warehouses", status_code=303)


@router.post("/staff/stock/warehouses/{code}/regions")
def set_warehouse_regions(
    request: Request,
    code: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9_-]*$")],
    user: StockStaff,
    db: PortalDb,
    form: Form,
) -> Response:
    """The regions a warehouse serves first, as "europe:1, middle_east:2"."""
    values = {"regions": text(form, "regions", 400), "code": code, "sku": ""}
    try:
        with db.session(write=True) as session:
            regions.set_regions(session, code, parse_region_ranks(values["regions"]))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _failed(request, user, db, f"regions-{code}", values, _core_errors(exc), exc.status)
    return RedirectResponse("/staff/stock?done=regions#warehouses", status_code=303)


@router.post("/staff/stock/incoming/{incoming_id}/receive")
def receive(request: Request, incoming_id: IncomingId, user: StockStaff, db: PortalDb) -> Response:
    try:
        with db.session(write=True) as session:
            row = batches.receive_incoming(session, incoming_id)
            backorders.fill_waiting(session)  # the arrival serves waiting lines first
            sku = row.sku
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _page(request, user, db, errors=_core_errors(exc), status_code=exc.status)
    return _back({"sku": sku}, "received")
