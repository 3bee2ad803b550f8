"""Staff pages for buyer companies and their users.

Thin adapters over buyers.service: create and edit a company (segment, country and
region, currency, payment terms, credit limit, locale) and its tax identity (VAT number,
US resale certificate), add its users, deactivate a user (their sessions and tokens stop at
once); the buyer's /account. Errors appear next to their field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.accounts.policies import BUYER_ROLES
from microbag.accounts.service import MIN_PASSWORD_LENGTH
from microbag.buyers import service
from microbag.buyers.policies import MAX_NET_DAYS, REGIONS, SEGMENTS, payment_terms_label
from microbag.buyers.tax_identity import TAX_FIELDS
from microbag.errors import DomainError
from microbag.web.csrf import verify_csrf
from microbag.web.deps import BuyerUser, PageForbidden, PortalDb, StaffUser
from microbag.web.render import render
from microbag.web.sessions import PortalUser
from microbag.web.staff import (
    CompanyStaff,
    Form,
    FormErrors,
    PageNo,
    major,
    pager,
    parse_amount,
    staff_page,
    text,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 30
CompanyId = Annotated[int, Path(ge=1, le=2_147_483_647)]
UserId = Annotated[int, Path(ge=1, le=2_147_483_647)]
COMPANY_FIELDS = (
    "name",
    "segment",
    "country",
    "region",
    "currency",
    "payment_terms_days",
    "credit_limit",
    "locale",
)
# The core's codes without a field, and the form field each concerns.
FIELD_OF_CODE = {
    "company_name_taken": "name",
    "currency_locked": "currency",
    "invalid_email": "email",
    "email_taken": "email",
    "invalid_role": "role",
    "weak_password": "password",
}
# A VAT number the company's new country does not match is the country field's problem.
FIELD_WORDS = {"credit_limit_minor": "credit_limit", "vat_number": "country"}
DONE = {
    "created": "Company created. Add its users below.",
    "saved": "Changes saved.",
    "tax": "Tax identity saved.",
    "user": "User added.",
    "deactivated": "User deactivated: signed out everywhere.",
    "activated": "User can sign in again.",
}


def _errors(exc: DomainError) -> FormErrors:
    errors = FormErrors()
    for item in exc.items:
        name = FIELD_WORDS.get(item.field or "", item.field) or FIELD_OF_CODE.get(item.code)
        message = item.message[:1].upper() + item.message[1:]
        errors.add(name, message if message.endswith(".") else message + ".")
    return errors


def _choices() -> dict[str, Any]:
    return {
        "segments": [(s, s) for s in SEGMENTS],
        "regions": [(r, r) for r in REGIONS],
        "buyer_roles": [(r, r.capitalize()) for r in BUYER_ROLES],
        "max_net_days": MAX_NET_DAYS,
        "min_password": MIN_PASSWORD_LENGTH,
    }


@router.get("/staff/companies")
def companies(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    page: PageNo = 1,
    q: Annotated[str, Query(max_length=100, pattern=r"^[^\x00]*$")] = "",
    segment: Annotated[str, Query(max_length=32)] = "",
    region: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    with db.session() as session:
        rows, total = service.list_companies(
            session,
            segment=segment or None,
            region=region or None,
            text=q.strip() or None,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        credit = {c.id: service.available_credit_for(session, c) for c in rows}
    params = {"q": q, "segment": segment, "region": region}
    return staff_page(
        request,
        user,
        "staff/companies.html",
        {
            "title": "Companies",
            "companies": rows,
            "credit": credit,
            "terms": payment_terms_label,
            "filters": params,
            "pager": pager("/staff/companies", params, page, total, PAGE_SIZE),
            **_choices(),
        },
        section="companies",
    )


def company_input(values: dict[str, str], currency: str, errors: FormErrors) -> dict[str, Any]:
    """The service's fields from the form: terms blank = prepaid, credit in major units."""
    data: dict[str, Any] = {
        "name": values["name"],
        "segment": values["segment"],
        "country": values["country"].upper(),
        "region": values["region"] or None,
        "currency": values["currency"].upper(),
        "locale": values["locale"] or "en_US",
    }
    terms = values["payment_terms_days"]
    if terms and not terms.isdigit():
        errors.add("payment_terms_days", "Enter the net days as a whole number, or leave empty.")
    data["payment_terms_days"] = int(terms) if terms.isdigit() else None
    try:
        data["credit_limit_minor"] = parse_amount(values["credit_limit"] or "0", currency)
    except ValueError as exc:
        errors.add("credit_limit", str(exc))
    return data


def company_values(form: Any) -> dict[str, str]:
    values = {name: text(form, name, 200) for name in COMPANY_FIELDS}
    values["is_active"] = "1" if text(form, "is_active") else ""
    return values


NEW_COMPANY = dict.fromkeys(COMPANY_FIELDS, "") | {"locale": "en_US", "is_active": "1"}


def _new_page(
    request: Request, user: PortalUser, values: dict[str, str], errors: FormErrors | None, code: int
) -> Response:
    return staff_page(
        request,
        user,
        "staff/company_new.html",
        {"title": "New company", "values": values, "errors": errors, **_choices()},
        section="companies",
        status_code=code,
    )


@router.get("/staff/companies/new")
def new_company(request: Request, user: CompanyStaff) -> Response:
    return _new_page(request, user, dict(NEW_COMPANY), None, 200)


@router.post("/staff/companies/new")
def create_company(request: Request, user: CompanyStaff, db: PortalDb, form: Form) -> Response:
    values = company_values(form)
    errors = FormErrors()
    currency = values["currency"].upper()
    data = company_input(values, currency if len(currency) == 3 else "USD", errors)
    if errors:
        return _new_page(request, user, values, errors, 422)
    try:
        with db.session(write=True) as session:
            company_id = service.create_company(session, **data, actor=user.principal).id
    except DomainError as exc:
        return _new_page(request, user, values, _errors(exc), exc.status)
    return RedirectResponse(f"/staff/companies/{company_id}?done=created", status_code=303)


def _company_page(
    request: Request,
    user: PortalUser,
    db: Any,
    company_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    user_values: dict[str, str] | None = None,
    user_errors: FormErrors | None = None,
    tax_values: dict[str, str] | None = None,
    tax_errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        company = service.get_company(session, company_id)
        tax_status = service.tax_status_of(company)
        users, _total = service.list_company_users(session, company_id, limit=200)
        open_unpaid = service.open_unpaid_total(session, company_id)
        available = service.available_credit_for(session, company)
        addresses = service.list_addresses(session, company_id, include_inactive=True)
    current = {
        "name": company.name,
        "segment": company.segment,
        "country": company.country,
        "region": company.region,
        "currency": company.currency,
        "payment_terms_days": ""
        if company.payment_terms_days is None
        else str(company.payment_terms_days),
        "credit_limit": major(company.credit_limit_minor, company.currency),
        "locale": company.locale,
        "is_active": "1" if company.is_active else "",
    }
    return staff_page(
        request,
        user,
        "staff/company.html",
        {
            "title": company.name,
            "company": company,
            "terms": payment_terms_label(company.payment_terms_days),
            "users": users,
            "open_unpaid": open_unpaid,
            "available": available,
            "addresses": addresses,
            "values": values or current,
            "errors": errors,
            "user_values": user_values or {"role": "buyer"},
            "user_errors": user_errors,
            "tax_status": tax_status,
            "tax_values": tax_values or _tax_values(company),
            "tax_errors": tax_errors,
            "notice": DONE.get(request.query_params.get("done", "")),
            **_choices(),
        },
        section="companies",
        status_code=status_code,
    )


@router.get("/staff/companies/{company_id}")
def company_page(
    request: Request, company_id: CompanyId, user: StaffUser, db: PortalDb
) -> Response:
    return _company_page(request, user, db, company_id)


@router.post("/staff/companies/{company_id}")
def update_company(
    request: Request, company_id: CompanyId, user: CompanyStaff, db: PortalDb, form: Form
) -> Response:
    values = company_values(form)
    errors = FormErrors()
    with db.session() as session:
        old_currency = service.get_company(session, company_id).currency
    currency = values["currency"].upper()
    data = company_input(values, currency if len(currency) == 3 else old_currency, errors)
    data["is_active"] = bool(values["is_active"])
    if errors:
        return _company_page(
            request, user, db, company_id, values=values, errors=errors, status_code=422
        )
    try:
        with db.session(write=True) as session:
            service.update_company(session, company_id, data, actor=user.principal)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _company_page(
            request,
            user,
            db,
            company_id,
            values=values,
            errors=_errors(exc),
            status_code=exc.status,
        )
    return RedirectResponse(f"/staff/companies/{company_id}?done=saved", status_code=303)


def _tax_values(company: Any) -> dict[str, str]:
    return {
        name: "" if getattr(company, name) is None else str(getattr(company, name))
        for name in TAX_FIELDS
    }


@router.post("/staff/companies/{company_id}/tax-identity")
def update_tax_identity(
    request: Request, company_id: CompanyId, user: CompanyStaff, db: PortalDb, form: Form
) -> Response:
    """The company's VAT number and US resale certificate (empty fields clear them)."""
    values = {name: text(form, name, 64) for name in TAX_FIELDS}
    raw = values["resale_certificate_expires"]
    try:
        expires = date.fromisoformat(raw) if raw else None
    except ValueError:
        errors = FormErrors()
        errors.add("resale_certificate_expires", "Enter the expiry date as YYYY-MM-DD.")
        return _company_page(
            request, user, db, company_id, tax_values=values, tax_errors=errors, status_code=422
        )
    try:
        with db.session(write=True) as session:
            service.set_tax_identity(
                session,
                company_id,
                vat_number=values["vat_number"] or None,
                resale_certificate_number=values["resale_certificate_number"] or None,
                resale_certificate_state=values["resale_certificate_state"] or None,
                resale_certificate_expires=expires,
                actor=user.principal,
            )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _company_page(
            request,
            user,
            db,
            company_id,
            tax_values=values,
            tax_errors=FormErrors.of(exc.items, TAX_FIELDS),
            status_code=exc.status,
        )
    return RedirectResponse(f"/staff/companies/{company_id}?done=tax#tax-identity", status_code=303)


@router.post("/staff/companies/{company_id}/users")
def add_user(
    request: Request, company_id: CompanyId, user: CompanyStaff, db: PortalDb, form: Form
) -> Response:
    values = {name: text(form, name, 254) for name in ("email", "name", "role")}
    password = text(form, "password", 1024) or None
    try:
        with db.session(write=True) as session:
            service.add_company_user(
                session,
                company_id,
                email=values["email"],
                role=values["role"],
                name=values["name"],
                password=password,
                actor=user.principal,
            )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _company_page(
            request,
            user,
            db,
            company_id,
            user_values=values,
            user_errors=_errors(exc),
            status_code=exc.status,
        )
    return RedirectResponse(f"/staff/companies/{company_id}?done=user", status_code=303)


@router.post("/staff/companies/{company_id}/users/{user_id}/active")
def set_user_active(
    company_id: CompanyId, user_id: UserId, user: CompanyStaff, db: PortalDb, form: Form
) -> Response:
    active = text(form, "active") == "1"
    with db.session(write=True) as session:
        service.set_company_user_active(
            session, company_id, user_id, is_active=active, actor=user.principal
        )
    done = "activated" if active else "deactivated"
    return RedirectResponse(f"/staff/companies/{company_id}?done={done}", status_code=303)


# ---- the buyer's own account (issue 11): company terms, addresses, e-mail settings --------------

ADDRESS_FORM_FIELDS = (
    "kind",
    "label",
    "name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
)


def _account_page(
    request: Request,
    user: PortalUser,
    db: PortalDb,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    company_id = user.principal.company_id
    if company_id is None:
        raise PageForbidden("the account page is for buyer companies' users")
    with db.session() as session:
        company = service.get_company(session, company_id)
        addresses = service.list_addresses(session, company_id)
        terms = service.terms_label(company)
        tax_status = service.tax_status_of(company)
    return render(
        request,
        "account/index.html",
        {
            "title": "Account",
            "company": company,
            "terms": terms,
            "tax_status": tax_status,
            "addresses": addresses,
            "may_edit": user.principal.role == "owner",
            "form": form or {"kind": "shipping", "country": company.country},
            "errors": errors or FormErrors(),
        },
        status_code=status_code,
    )


@router.get("/account")
def account_page(request: Request, user: BuyerUser, db: PortalDb) -> Response:
    return _account_page(request, user, db)


@router.post("/account/addresses")
async def add_address(request: Request, user: BuyerUser, db: PortalDb) -> Response:
    if user.principal.role != "owner" or user.principal.company_id is None:
        raise PageForbidden("only your company's owner adds addresses")
    data = await request.form()
    form = {name: text(data, name, 200) for name in ADDRESS_FORM_FIELDS}
    try:
        with db.session(write=True) as session:
            service.add_address(
                session,
                user.principal.company_id,
                form,
                make_default=data.get("make_default") == "on",
                actor=user.principal,
            )
    except DomainError as exc:
        return _account_page(
            request, user, db, form=form, errors=FormErrors.of(exc.items), status_code=422
        )
    return RedirectResponse("/account#addresses", status_code=303)


@router.post("/account/addresses/{address_id}/retire")
def retire_address(address_id: CompanyId, user: BuyerUser, db: PortalDb) -> Response:
    if user.principal.role != "owner" or user.principal.company_id is None:
        raise PageForbidden("only your company's owner retires addresses")
    with db.session(write=True) as session:
        service.deactivate_address(
            session, user.principal.company_id, address_id, actor=user.principal
        )
    return RedirectResponse("/account#addresses", status_code=303)
