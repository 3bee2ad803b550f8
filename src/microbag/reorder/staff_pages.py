"""Staff pages of reorder: the suggestions at a chosen service level, and draft purchase
orders made from them (or from a saved range plan) in one step (admin, merchandiser)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.config import get_settings
from microbag.errors import DomainError
from microbag.purchasing import service as purchasing
from microbag.purchasing.policies import PURCHASE_ROLES
from microbag.reorder import drafts, service
from microbag.stock.service import list_warehouses
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PageForbidden, PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, staff_page, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

MAX_LINKS = 50
Text = Annotated[str, Query(max_length=64)]


def may_buy(user: PortalUser) -> bool:
    return user.principal.role in PURCHASE_ROLES


def _buyer(user: StaffUser) -> PortalUser:
    if not may_buy(user):
        raise PageForbidden(
            f"Your role ({user.principal.role}) may not draft purchase orders;"
            " that needs admin or merchandiser."
        )
    return user


Buyer = Annotated[PortalUser, Depends(_buyer)]


def _level(raw: str, errors: FormErrors) -> float | None:
    """The service level typed as 0.95 or 95 (%); None: the setting."""
    if not raw:
        return None
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        errors.add("service_level", "Enter a service level such as 0.95 or 95%.")
        return None
    if value > 1:
        value /= 100
    if not 0.5 < value < 1:
        errors.add("service_level", "The service level must lie between 50% and 100%.")
        return None
    return value


def _ids(raw: str) -> list[int]:
    out: list[int] = []
    for part in raw.split(",")[:MAX_LINKS]:
        if part.isdigit() and 0 < int(part) < 2**31:
            out.append(int(part))
    return out


@router.get("/staff/reorder")
def reorder_page(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    service_level: Text = "",
    warehouse: Text = "",
    supplier: Text = "",
    show_all: Annotated[str, Query(alias="all", max_length=8)] = "",
    made: Annotated[str, Query(max_length=600)] = "",
    existing: Text = "",
    skipped: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    errors = FormErrors()
    level = _level(service_level, errors)
    values = {
        "service_level": service_level,
        "warehouse": warehouse,
        "supplier": supplier,
        "all": "1" if show_all else "",
    }
    return _render(request, user, db, values, errors, level, made, bool(existing), skipped)


def _render(
    request: Request,
    user: PortalUser,
    db: Any,
    values: dict[str, str],
    errors: FormErrors,
    level: float | None,
    made: str = "",
    existing: bool = False,
    skipped: int = 0,
    plan_errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    settings = get_settings()
    result = None
    with db.session() as session:
        warehouses, _total = list_warehouses(session, limit=200)
        suppliers = purchasing.supplier_choices(session)
        if not errors:
            try:
                result = service.suggest(
                    session,
                    service_level=level,
                    warehouse=values["warehouse"] or None,
                    supplier=values["supplier"] or None,
                    include_all=bool(values["all"]),
                )
            except DomainError as exc:
                if exc.status != 404:
                    raise
                errors = FormErrors.of(exc.items)
        links = []
        for po_id in _ids(made):
            try:
                po = purchasing.get_po(session, po_id)
            except DomainError:
                continue
            links.append((po.id, po.number, len(po.lines)))
    lines = result.lines if result else []
    return staff_page(
        request,
        user,
        "staff/reorder.html",
        {
            "title": "Reorder",
            "result": result,
            "lines": lines,
            "to_order": sum(1 for ln in lines if ln.quantity > 0 and ln.supplier),
            "spend": sum(
                ln.quantity * (ln.landed_unit_cost_minor or 0) for ln in lines if ln.supplier
            ),
            "base_currency": settings.base_currency,
            "default_level": settings.reorder_service_level,
            "values": values,
            "errors": errors,
            "plan_errors": plan_errors,
            "warehouses": [(w.code, f"{w.code} · {w.name}") for w in warehouses],
            "suppliers": [(code, f"{code} · {name}") for _i, code, name in suppliers],
            "may_buy": may_buy(user),
            "made": links,
            "made_requested": bool(made) or existing,
            "existing": existing,
            "skipped": skipped,
        },
        section="reorder",
        status_code=status_code,
    )


def _back(values: dict[str, str], result: drafts.DraftResult) -> Response:
    params = {k: v for k, v in values.items() if v}
    params["made"] = ",".join(str(po.id) for po in result.purchase_orders[:MAX_LINKS]) or "0"
    if not result.created:
        params["existing"] = "1"
    if result.skipped:
        params["skipped"] = str(len(result.skipped))
    return RedirectResponse(f"/staff/reorder?{urlencode(params)}", status_code=303)


@router.post("/staff/reorder/drafts")
def make_drafts(request: Request, user: Buyer, db: PortalDb, form: Form) -> Response:
    values = {
        "service_level": text(form, "service_level", 16),
        "warehouse": text(form, "warehouse", 32),
        "supplier": text(form, "supplier", 32),
        "all": "",
    }
    errors = FormErrors()
    level = _level(values["service_level"], errors)
    if errors:
        return _render(request, user, db, values, errors, None, status_code=422)
    try:
        with db.session(write=True) as session:
            result = drafts.drafts_from_suggestions(
                session,
                actor=user.principal.email,
                service_level=level,
                warehouse=values["warehouse"] or None,
                supplier=values["supplier"] or None,
            )
    except DomainError as exc:
        errors = FormErrors.of(exc.items)
        return _render(request, user, db, values, errors, None, status_code=exc.status)
    return _back(values, result)


@router.post("/staff/reorder/range-plan-drafts")
def make_plan_drafts(request: Request, user: Buyer, db: PortalDb, form: Form) -> Response:
    raw = text(form, "plan_id", 12)
    warehouse = text(form, "plan_warehouse", 32)
    values = {"service_level": "", "warehouse": "", "supplier": "", "all": ""}
    plan_errors = FormErrors()
    plan_id = int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None
    if plan_id is None:
        plan_errors.add("plan_id", "Enter the number of a saved range plan.")
    else:
        try:
            with db.session(write=True) as session:
                result = drafts.plan_drafts(
                    session, plan_id, actor=user.principal.email, warehouse=warehouse or None
                )
        except DomainError as exc:
            plan_errors = FormErrors.of(exc.items, ("plan_id", "plan_warehouse"))
            if not plan_errors.fields and not plan_errors.general:
                plan_errors.add("plan_id", str(exc))
    if plan_errors:
        return _render(
            request, user, db, values, FormErrors(), None, plan_errors=plan_errors, status_code=422
        )
    return _back(values, result)
