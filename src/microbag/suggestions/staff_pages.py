"""Staff: a company's suggested order (/staff/companies/{id}/suggestions), sending it to the
buyer, and linking imported customers (sales history) whose history it pools."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.buyers.service import get_company
from microbag.errors import DomainError, ErrorItem
from microbag.suggestions import delivery
from microbag.suggestions.company import CompanySuggestion, suggest_for_company
from microbag.suggestions.pages import HORIZONS, params_from, sent_view
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import CompanyStaff, Form, staff_page, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

CompanyId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SENT_SHOWN = 10
DONE = {
    "sent": "Sent: the buyer sees it on their Suggested order page.",
    "linked": "Customer linked: its history now counts in this company's suggestions.",
    "unlinked": "Customer unlinked.",
}


def _page(
    request: Request,
    user: PortalUser,
    db: Any,
    company_id: int,
    values: dict[str, str],
    *,
    errors: list[ErrorItem] | None = None,
    link_errors: list[ErrorItem] | None = None,
    link_value: str = "",
    status_code: int = 200,
) -> Response:
    problems = list(errors or [])
    suggestion: CompanySuggestion | None = None
    with db.session() as session:
        company = get_company(session, company_id)
        name, currency = company.name, company.currency
        params, form_errors = params_from(values, currency)
        problems.extend(form_errors)
        try:
            suggestion = suggest_for_company(session, company_id, params)
        except DomainError as exc:
            problems.extend(exc.items)
        rows, _total = delivery.list_sent(session, user.principal, company_id, limit=SENT_SHOWN)
        sent = [sent_view(x) for x in rows]
        linked = delivery.linked_customers(session, company_id)
    return staff_page(
        request,
        user,
        "staff/suggestions.html",
        {
            "title": f"Suggested order: {name}",
            "company_id": company_id,
            "company_name": name,
            "suggestion": suggestion,
            "sent": sent,
            "linked": linked,
            "values": {"weeks": str(params.horizon_weeks), "budget": values.get("budget", "")},
            "horizons": HORIZONS,
            "problems": problems,
            "link_errors": link_errors or [],
            "link_value": link_value,
            "notice": DONE.get(request.query_params.get("done", "")),
        },
        section="companies",
        status_code=status_code,
    )


@router.get("/staff/companies/{company_id}/suggestions")
def company_suggestions(
    request: Request,
    company_id: CompanyId,
    user: StaffUser,
    db: PortalDb,
    weeks: Annotated[str, Query(max_length=4)] = "8",
    budget: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _page(request, user, db, company_id, {"weeks": weeks, "budget": budget})


@router.post("/staff/companies/{company_id}/suggestions/send")
def send(
    request: Request, company_id: CompanyId, user: CompanyStaff, db: PortalDb, form: Form
) -> Response:
    values = {"weeks": text(form, "weeks", 4), "budget": text(form, "budget", 40)}
    try:
        with db.session(write=True) as session:
            currency = get_company(session, company_id).currency
            params, errors = params_from(values, currency)
            if errors:
                raise DomainError(errors)
            live = suggest_for_company(session, company_id, params)
            delivery.send_suggestion(session, user.principal, live, text(form, "note", 2000))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _page(
            request, user, db, company_id, values, errors=exc.items, status_code=exc.status
        )
    return RedirectResponse(f"/staff/companies/{company_id}/suggestions?done=sent", status_code=303)


@router.post("/staff/companies/{company_id}/customer-links")
def link(
    request: Request, company_id: CompanyId, user: CompanyStaff, db: PortalDb, form: Form
) -> Response:
    ref = text(form, "customer_ref", 64)
    try:
        with db.session(write=True) as session:
            delivery.link_customer(session, user.principal, company_id, ref)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _page(
            request,
            user,
            db,
            company_id,
            {},
            link_errors=exc.items,
            link_value=ref,
            status_code=exc.status,
        )
    return RedirectResponse(
        f"/staff/companies/{company_id}/suggestions?done=linked", status_code=303
    )


@router.post("/staff/companies/{company_id}/customer-links/remove")
def unlink(company_id: CompanyId, user: CompanyStaff, db: PortalDb, form: Form) -> Response:
    with db.session(write=True) as session:
        delivery.unlink_customer(
            session, user.principal, company_id, text(form, "customer_ref", 64)
        )
    return RedirectResponse(
        f"/staff/companies/{company_id}/suggestions?done=unlinked", status_code=303
    )
