"""Staff pages for prices: price lists, their SKUs' terms (MOQ, case pack, volume tiers).

Thin adapters over pricing.service; the invariants (prices never rise with quantity,
MOQ and breaks are case-pack multiples...) are checked by pricing.policies on write
and shown on the form in plain words.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from microbag.buyers.policies import SEGMENTS
from microbag.buyers.service import company_names, list_companies
from microbag.catalog.policies import CODE_PATTERN
from microbag.errors import DomainError
from microbag.pricing import service
from microbag.pricing.policies import Tier
from microbag.pricing.schemas import PriceListCreate
from microbag.rangeplan.margins import tier_margins
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.render import label_filter
from microbag.web.sessions import PortalUser
from microbag.web.staff import (
    Form,
    FormErrors,
    PageNo,
    PricingStaff,
    major,
    pager,
    parse_amount,
    staff_page,
    text,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 50
TIER_ROWS = 6  # tier rows on the terms form (filled ones plus blanks)
ListId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SkuCode = Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN)]
SkuQuery = Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9._-]*$")]
# The core's error codes and the field of the terms form each concerns.
FIELD_OF_CODE = {
    "invalid_moq": "moq",
    "moq_not_case_pack_multiple": "moq",
    "invalid_case_pack": "case_pack",
    "negative_minimum": "min_order_value",
    "unknown_sku": "sku",
    "unknown_currency": "currency",
    "currency_mismatch": "currency",
    "unknown_segment": "segment",
    "unknown_company": "company_id",
    "ambiguous_assignment": "assign",
    "price_list_name_taken": "name",
    "duplicate_assignment": "assign",
}
# Companies offered in the new list's company choice (more: type the id on the API).
MAX_COMPANY_CHOICES = 500
NEW_LIST_FIELDS = ("name", "currency", "assign", "segment", "company_id", "min_order_value")


def _sentence(message: str) -> str:
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."


@router.get("/staff/prices")
def price_lists(
    request: Request, user: StaffUser, db: PortalDb, page: PageNo = 1, sku: SkuQuery = ""
) -> Response:
    with db.session() as session:
        lists, total = service.list_price_lists(
            session, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        counts = service.item_counts(session, [pl.id for pl in lists])
        names = company_names(session, [pl.company_id for pl in lists if pl.company_id])
    return staff_page(
        request,
        user,
        "staff/prices.html",
        {
            "title": "Price lists",
            "lists": [(pl, service.assignment_of(pl), counts.get(pl.id, 0)) for pl in lists],
            "names": names,
            "sku": sku,
            "pager": pager("/staff/prices", {"sku": sku}, page, total, PAGE_SIZE),
        },
        section="prices",
    )


# ---- a new price list --------------------------------------------------------------------------


def _new_list_page(
    request: Request,
    user: PortalUser,
    db: Any,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        companies, total = list_companies(session, active=True, limit=MAX_COMPANY_CHOICES)
    return staff_page(
        request,
        user,
        "staff/price_list_new.html",
        {
            "title": "New price list",
            "values": values,
            "errors": errors,
            "segments": [(s, label_filter(s)) for s in SEGMENTS],
            "companies": [(c.id, f"{c.name} · {c.currency}") for c in companies],
            "more_companies": total > len(companies),
        },
        section="prices",
        status_code=status_code,
    )


@router.get("/staff/prices/new")
def new_price_list(request: Request, user: PricingStaff, db: PortalDb) -> Response:
    return _new_list_page(request, user, db, {"assign": "default", "is_active": "1"})


@router.post("/staff/prices/new")
def create_price_list(request: Request, user: PricingStaff, db: PortalDb, form: Form) -> Response:
    """A default list for a currency, or a list for a segment or for one company."""
    values = {name: text(form, name, 200) for name in NEW_LIST_FIELDS}
    values["currency"] = values["currency"].upper()
    values["is_active"] = "1" if text(form, "is_active") else ""
    errors = FormErrors()
    data: dict[str, Any] = {
        "name": values["name"],
        "currency": values["currency"],
        "is_active": bool(values["is_active"]),
    }
    if not re.fullmatch(r"[A-Z]{3}", values["currency"]):
        errors.add("currency", "Enter a 3-letter ISO 4217 currency code, e.g. EUR.")
    assign = values["assign"] if values["assign"] in ("default", "segment", "company") else ""
    if not assign:
        errors.add("assign", "Choose who buys from this list.")
    elif assign == "segment":
        if not values["segment"]:
            errors.add("segment", "Choose a segment.")
        data["segment"] = values["segment"] or None
    elif assign == "company":
        if not values["company_id"].isdigit():
            errors.add("company_id", "Choose a company.")
        else:
            data["company_id"] = int(values["company_id"])
    try:
        data["min_order_value_minor"] = parse_amount(
            values["min_order_value"] or "0",
            values["currency"] if len(values["currency"]) == 3 else "EUR",
        )
    except ValueError as exc:
        errors.add("min_order_value", str(exc))
    try:
        checked = PriceListCreate.model_validate(data)
    except ValidationError as exc:
        for name, messages in FormErrors.from_validation(exc).fields.items():
            field = {"min_order_value_minor": "min_order_value"}.get(name, name)
            for message in messages:
                if field not in errors.fields:
                    errors.add(field, message)
    if errors:
        return _new_list_page(request, user, db, values, errors, 422)
    try:
        with db.session(write=True) as session:
            list_id = service.create_price_list(
                session, **checked.model_dump(), actor=user.principal
            ).id
    except DomainError as exc:
        errors = FormErrors()
        for item in exc.items:
            errors.add(FIELD_OF_CODE.get(item.code), _sentence(item.message))
        return _new_list_page(request, user, db, values, errors, exc.status)
    return RedirectResponse(f"/staff/prices/{list_id}?done=created", status_code=303)


def _list_page(
    request: Request,
    user: PortalUser,
    db: Any,
    list_id: int,
    *,
    page: int = 1,
    sku: str = "",
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        price_list = service.get_price_list(session, list_id)
        items, total = service.list_items(
            session, list_id, sku=sku or None, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        company = (
            company_names(session, [price_list.company_id]).get(price_list.company_id)
            if price_list.company_id
            else None
        )
        # Margin at each tier against the landed cost (rangeplan owns the costs).
        margins = tier_margins(
            session,
            price_list.currency,
            [(code, [t.unit_price_minor for t in item.tiers]) for code, item in items],
        )
    current = {
        "min_order_value": major(price_list.min_order_value_minor, price_list.currency),
        "is_active": "1" if price_list.is_active else "",
    }
    return staff_page(
        request,
        user,
        "staff/price_list.html",
        {
            "title": price_list.name,
            "pl": price_list,
            "assignment": service.assignment_of(price_list),
            "company": company,
            "items": items,
            "margins": margins,
            "sku": sku,
            "errors": errors,
            "values": values or current,
            "notice": {
                "saved": "Saved.",
                "removed": "SKU taken off the list.",
                "created": "Price list created: add its SKUs' terms.",
            }.get(request.query_params.get("done", "")),
            "pager": pager(f"/staff/prices/{list_id}", {"sku": sku}, page, total, PAGE_SIZE),
        },
        section="prices",
        status_code=status_code,
    )


@router.get("/staff/prices/{list_id}")
def price_list(
    request: Request,
    list_id: ListId,
    user: StaffUser,
    db: PortalDb,
    page: PageNo = 1,
    sku: SkuQuery = "",
) -> Response:
    return _list_page(request, user, db, list_id, page=page, sku=sku)


@router.post("/staff/prices/{list_id}")
def update_list(
    request: Request, list_id: ListId, user: PricingStaff, db: PortalDb, form: Form
) -> Response:
    """The list's minimum order value and whether it is active."""
    values = {"min_order_value": text(form, "min_order_value", 40)}
    values["is_active"] = "1" if text(form, "is_active") else ""
    errors = FormErrors()
    with db.session() as session:
        currency = service.get_price_list(session, list_id).currency
    try:
        minimum = parse_amount(values["min_order_value"] or "0", currency)
    except ValueError as exc:
        errors.add("min_order_value", str(exc))
    if errors:
        return _list_page(request, user, db, list_id, errors=errors, values=values, status_code=422)
    try:
        with db.session(write=True) as session:
            service.update_price_list(
                session,
                list_id,
                {"min_order_value_minor": minimum, "is_active": bool(values["is_active"])},
                actor=user.principal,
            )
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = FormErrors()
        for item in exc.items:
            errors.add(FIELD_OF_CODE.get(item.code), _sentence(item.message))
        return _list_page(
            request, user, db, list_id, errors=errors, values=values, status_code=exc.status
        )
    return RedirectResponse(f"/staff/prices/{list_id}?done=saved", status_code=303)


# ---- one SKU's terms ---------------------------------------------------------------------------


def _terms_page(
    request: Request,
    user: PortalUser,
    db: Any,
    list_id: int,
    code: str,
    *,
    errors: FormErrors | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        price_list = service.get_price_list(session, list_id)
        service.sku_id_for_code(session, code)  # 404 for an unknown SKU
        items, _total = service.list_items(session, list_id, sku=code, limit=1)
    item = items[0][1] if items else None
    if values is None:
        tiers = [
            {
                "min_quantity": str(t.min_quantity),
                "price": major(t.unit_price_minor, price_list.currency),
            }
            for t in (item.tiers if item else [])
        ]
        values = {
            "moq": str(item.moq) if item else "",
            "case_pack": str(item.case_pack) if item else "",
            "tiers": tiers,
        }
    tiers = list(values["tiers"])
    tiers += [{"min_quantity": "", "price": ""}] * max(TIER_ROWS - len(tiers), 1)
    return staff_page(
        request,
        user,
        "staff/price_terms.html",
        {
            "title": f"{code} on {price_list.name}",
            "pl": price_list,
            "code": code,
            "on_list": item is not None,
            "values": {**values, "tiers": tiers},
            "errors": errors,
        },
        section="prices",
        status_code=status_code,
    )


@router.get("/staff/prices/{list_id}/items")
def find_item(list_id: ListId, user: StaffUser, sku: SkuQuery = "") -> Response:
    """The "SKU code" box of the list page: go to that SKU's terms."""
    target = f"/staff/prices/{list_id}/items/{sku}" if sku else f"/staff/prices/{list_id}"
    return RedirectResponse(target, status_code=303)


@router.get("/staff/prices/{list_id}/items/{code}")
def terms_page(
    request: Request, list_id: ListId, code: SkuCode, user: StaffUser, db: PortalDb
) -> Response:
    return _terms_page(request, user, db, list_id, code)


@router.post("/staff/prices/{list_id}/items/{code}")
def set_terms(
    request: Request, list_id: ListId, code: SkuCode, user: PricingStaff, db: PortalDb, form: Form
) -> Response:
    quantities = [v.strip() for v in form.getlist("min_quantity") if isinstance(v, str)]
    prices = [v.strip() for v in form.getlist("price") if isinstance(v, str)]
    rows = [
        {"min_quantity": q[:12], "price": p[:40]}
        for q, p in zip(quantities[:50], prices[:50], strict=False)
    ]
    values: dict[str, Any] = {
        "moq": text(form, "moq", 12),
        "case_pack": text(form, "case_pack", 12),
        "tiers": [r for r in rows if r["min_quantity"] or r["price"]],
    }
    errors = FormErrors()
    with db.session() as session:
        currency = service.get_price_list(session, list_id).currency
    numbers: dict[str, int] = {}
    for name in ("moq", "case_pack"):
        if not values[name].isdigit():
            errors.add(name, "Enter a whole number of 1 or more.")
        else:
            numbers[name] = int(values[name])
    tiers: list[Tier] = []
    for i, row in enumerate(values["tiers"], start=1):
        try:
            if not row["min_quantity"].isdigit():
                raise ValueError("Enter the quantity the price starts at, as a whole number.")
            tiers.append(Tier(int(row["min_quantity"]), parse_amount(row["price"], currency)))
        except ValueError as exc:
            errors.add(f"tier-{i}", str(exc))
    if errors:
        return _terms_page(
            request, user, db, list_id, code, errors=errors, values=values, status_code=422
        )
    try:
        with db.session(write=True) as session:
            service.set_item_terms(
                session,
                list_id,
                code,
                moq=numbers["moq"],
                case_pack=numbers["case_pack"],
                tiers=tiers,
                actor=user.principal,
            )
    except DomainError as exc:
        if exc.status == 404 and not any(i.code == "unknown_sku" for i in exc.items):
            raise
        errors = FormErrors()
        for item in exc.items:
            errors.add(FIELD_OF_CODE.get(item.code), _sentence(item.message))
        return _terms_page(
            request, user, db, list_id, code, errors=errors, values=values, status_code=exc.status
        )
    return RedirectResponse(f"/staff/prices/{list_id}?sku={code}&done=saved", status_code=303)


@router.post("/staff/prices/{list_id}/items/{code}/remove")
def remove(list_id: ListId, code: SkuCode, user: PricingStaff, db: PortalDb) -> Response:
    with db.session(write=True) as session:
        service.remove_item(session, list_id, code, actor=user.principal)
    return RedirectResponse(f"/staff/prices/{list_id}?done=removed", status_code=303)
