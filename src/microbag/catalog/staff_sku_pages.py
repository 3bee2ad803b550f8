"""Staff pages for SKUs: add one to a style, edit it, its page with stock and documents.

Thin adapters over catalog.service, with errors next to their fields as on the style
pages (catalog/staff_pages.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from microbag.catalog import service
from microbag.catalog.schemas import SkuCreate, SkuPatch
from microbag.catalog.staff_pages import (
    DONE,
    SkuCode,
    StyleId,
    document_context,
    form_errors_of,
    style_page_view,
    vocab,
)
from microbag.compliance import service as compliance_service
from microbag.errors import DomainError
from microbag.money import is_currency
from microbag.rangeplan.margins import cost_panel
from microbag.rangeplan.policies import PLAN_ROLES
from microbag.rangeplan.service import CostView
from microbag.stock.service import list_stock
from microbag.timeutil import utcnow
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import (
    CatalogStaff,
    Form,
    FormErrors,
    major,
    parse_amount,
    staff_page,
    text,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


def sku_values(form: FormData) -> dict[str, str]:
    names = ("code", "color", "material", "hardware", "lifecycle", "retail_price", "currency")
    return {name: text(form, name, 64) for name in names}


def sku_input(values: dict[str, str], errors: FormErrors, *, patch: bool) -> dict[str, Any]:
    """The schema's input; a retail price in major units becomes minor units."""
    data: dict[str, Any] = {
        k: values[k] for k in ("code", "color", "material", "hardware") if values[k] or patch
    }
    if patch:
        data.pop("code", None)
    if values["lifecycle"]:
        data["lifecycle"] = values["lifecycle"]
    amount, currency = values["retail_price"], values["currency"].upper()
    if amount or currency:
        if not is_currency(currency):
            errors.add("currency", "Enter an ISO 4217 currency code, e.g. EUR.")
        else:
            try:
                minor = parse_amount(amount, currency)
                data["retail_price"] = {"amount_minor": minor, "currency": currency}
            except ValueError as exc:
                errors.add("retail_price", str(exc))
    elif patch:
        data["retail_price"] = None
    return data


@router.post("/staff/catalog/styles/{style_id}/skus")
def add_sku(
    request: Request, style_id: StyleId, user: CatalogStaff, db: PortalDb, form: Form
) -> Response:
    values = sku_values(form)
    errors = FormErrors()
    data = sku_input(values, errors, patch=False)
    try:
        if errors:
            raise ValueError
        sku = SkuCreate.model_validate(data)
        with db.session(write=True) as session:
            service.add_sku(session, style_id, sku, actor=user.principal)
    except ValueError as exc:  # ValidationError is a ValueError
        if isinstance(exc, ValidationError):
            errors = FormErrors.from_validation(exc)
        return style_page_view(
            request, user, db, style_id, sku_values=values, sku_errors=errors, status_code=422
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return style_page_view(
            request,
            user,
            db,
            style_id,
            sku_values=values,
            sku_errors=form_errors_of(exc),
            status_code=exc.status,
        )
    return RedirectResponse(f"/staff/catalog/styles/{style_id}?done=sku", status_code=303)


def sku_page_view(
    request: Request,
    user: PortalUser,
    db: Any,
    code: str,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    doc_values: dict[str, str] | None = None,
    doc_errors: FormErrors | None = None,
    cost_values: dict[str, str] | None = None,
    cost_errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        detail = service.get_sku_detail(session, user.principal, code)
        stock, _total = list_stock(session, sku=code, limit=50)
        documents = compliance_service.documents_for_sku(session, user.principal, code)
        retail = detail.retail_price
        # Landed cost and margins (rangeplan owns the costs).
        costs = cost_panel(
            session,
            code,
            retail.amount_minor if retail else None,
            retail.currency if retail else None,
        )
    current = {
        "color": detail.color,
        "material": detail.material,
        "hardware": detail.hardware,
        "lifecycle": detail.lifecycle,
        "retail_price": major(retail.amount_minor, retail.currency) if retail else "",
        "currency": retail.currency if retail else "",
    }
    return staff_page(
        request,
        user,
        "staff/sku.html",
        {
            "title": f"SKU {detail.code}",
            "sku": detail,
            "stock": stock,
            "values": values or current,
            "errors": errors,
            "notice": SKU_DONE.get(request.query_params.get("done", "")),
            "costs": costs,
            "cost_values": cost_values or cost_form_values(costs.current),
            "cost_errors": cost_errors,
            "may_set_cost": user.principal.role in PLAN_ROLES,
            **vocab(),
            **document_context(
                documents, f"/staff/catalog/skus/{code}/documents", None, doc_values, doc_errors
            ),
        },
        section="catalog",
        status_code=status_code,
    )


def cost_form_values(cost: CostView | None) -> dict[str, str]:
    """The landed cost form, filled with the current cost (a new one starts today)."""
    return {
        "unit_cost": major(cost.unit_cost_minor, cost.currency) if cost else "",
        "cost_currency": cost.currency if cost else "",
        "effective_from": utcnow().date().isoformat(),
        "supplier_moq": str(cost.supplier_moq) if cost else "1",
        "supplier_case_pack": str(cost.supplier_case_pack) if cost else "1",
    }


SKU_DONE = {
    "saved": "Changes saved.",
    "cost": "Landed cost saved.",
    "document": DONE["document"],
    "document_deleted": DONE["document_deleted"],
}


@router.get("/staff/catalog/skus/{code}")
def sku_page(request: Request, code: SkuCode, user: StaffUser, db: PortalDb) -> Response:
    return sku_page_view(request, user, db, code)


@router.post("/staff/catalog/skus/{code}")
def update_sku(
    request: Request, code: SkuCode, user: CatalogStaff, db: PortalDb, form: Form
) -> Response:
    values = sku_values(form)
    errors = FormErrors()
    data = sku_input(values, errors, patch=True)
    try:
        if errors:
            raise ValueError
        patch = SkuPatch.model_validate(data)
        with db.session(write=True) as session:
            service.update_sku(session, code, patch, actor=user.principal)
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            errors = FormErrors.from_validation(exc)
        return sku_page_view(request, user, db, code, values=values, errors=errors, status_code=422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return sku_page_view(
            request,
            user,
            db,
            code,
            values=values,
            errors=form_errors_of(exc),
            status_code=exc.status,
        )
    return RedirectResponse(f"/staff/catalog/skus/{code}?done=saved", status_code=303)
