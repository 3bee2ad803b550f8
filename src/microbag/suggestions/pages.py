"""The buyer's suggested order (/suggestions): what to order for the coming weeks, why,
and in one step into the cart or a quote; suggestions the seller's staff sent, too.

Thin adapters over suggestions.company and suggestions.delivery; the cart is the
portal's (web.cart), filled the way "reorder" fills it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.accounts.policies import BUYER_WRITE_ROLES
from microbag.errors import DomainError, ErrorItem, Forbidden
from microbag.suggestions import delivery
from microbag.suggestions.company import (
    MAX_HORIZON_WEEKS,
    MAX_TOP,
    CompanySuggestion,
    SuggestionParams,
    suggest_for_company,
)
from microbag.web import cart as carts
from microbag.web.csrf import verify_csrf
from microbag.web.deps import BuyerUser, PortalDb
from microbag.web.render import render
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, parse_amount, text, texts

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

HORIZONS = (4, 6, 8, 12, 16)
SENT_SHOWN = 5


def company_of(user: PortalUser) -> int:
    company_id = user.principal.company_id
    if company_id is None:  # BuyerUser guarantees a company; this keeps mypy sure of it
        raise Forbidden("this page is for buyer companies")
    return company_id


def params_from(values: dict[str, str], currency: str) -> tuple[SuggestionParams, list[ErrorItem]]:
    """The form's period and budget (a budget in major units, as the buyer types it)."""
    errors: list[ErrorItem] = []
    try:
        weeks = int(values.get("weeks") or 8)
    except ValueError:
        weeks = 0
    if not 1 <= weeks <= MAX_HORIZON_WEEKS:
        errors.append(
            ErrorItem("invalid_horizon", "choose a period of 1 to 52 weeks", field="weeks")
        )
        weeks = 8
    budget: int | None = None
    raw = (values.get("budget") or "").strip()
    if raw:
        try:
            budget = parse_amount(raw, currency)
        except (DomainError, ValueError):
            errors.append(ErrorItem("invalid_budget", "the budget is an amount", field="budget"))
        else:
            if budget < 0:
                errors.append(
                    ErrorItem("invalid_budget", "the budget cannot be negative", field="budget")
                )
                budget = None
    try:
        top = int(values.get("top") or 20)
    except ValueError:
        top = 20
    return SuggestionParams(max(1, min(top, MAX_TOP)), weeks, budget), errors


def sent_view(sent: Any) -> dict[str, Any]:
    """A sent suggestion as plain values for a template (read while the session is open)."""
    return {
        "id": sent.id,
        "created_at": sent.created_at,
        "sent_by": sent.sent_by,
        "note": sent.note,
        "currency": sent.currency,
        "total_minor": sent.total_minor,
        "lines": list(sent.lines),
        "notes": list(sent.notes),
    }


def _currency(db: Any, company_id: int) -> str:
    from microbag.buyers.service import get_company

    with db.session() as session:
        return str(get_company(session, company_id).currency)


def _page(
    request: Request,
    user: PortalUser,
    db: Any,
    values: dict[str, str],
    *,
    errors: list[ErrorItem] | None = None,
    status_code: int = 200,
) -> Response:
    company_id = company_of(user)
    params, form_errors = params_from(values, _currency(db, company_id))
    suggestion: CompanySuggestion | None = None
    problems = [*(errors or []), *form_errors]
    with db.session() as session:
        try:
            suggestion = suggest_for_company(session, company_id, params)
        except DomainError as exc:
            problems.extend(exc.items)
        rows, _total = delivery.list_sent(session, user.principal, company_id, limit=SENT_SHOWN)
        sent = [sent_view(x) for x in rows]
    return render(
        request,
        "suggestions/index.html",
        {
            "title": "Suggested order",
            "suggestion": suggestion,
            "sent": sent,
            "values": {"weeks": str(params.horizon_weeks), "budget": values.get("budget", "")},
            "horizons": HORIZONS,
            "problems": problems,
            "may_order": user.principal.role in BUYER_WRITE_ROLES,
        },
        status_code=status_code,
    )


@router.get("/suggestions")
def suggestions_page(
    request: Request,
    user: BuyerUser,
    db: PortalDb,
    weeks: Annotated[str, Query(max_length=4)] = "8",
    budget: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _page(request, user, db, {"weeks": weeks, "budget": budget})


def _chosen(db: Any, user: PortalUser, form: Any) -> list[delivery.CartLine]:
    """The lines the buyer ticked: of a sent suggestion (``sent_id``), else the live one."""
    skus = texts(form, "sku")
    sent_id = text(form, "sent_id", 12)
    with db.session() as session:
        if sent_id:
            if not sent_id.isdigit():
                raise DomainError.single(
                    "unknown_suggestion", "no such suggested order", status=404
                )
            sent = delivery.get_sent(session, user.principal, int(sent_id))
            return delivery.chosen_lines(delivery.sent_lines(sent), skus or None)
        company_id = company_of(user)
        values = {"weeks": text(form, "weeks", 4), "budget": text(form, "budget", 40)}
        params, errors = params_from(values, _currency(db, company_id))
        if errors:
            raise DomainError(errors)
        live = suggest_for_company(session, company_id, params)
    if not skus:
        raise DomainError.single("empty_suggestion", "tick at least one line to take")
    return delivery.chosen_lines([(x.sku, x.units) for x in live.lines], skus)


def _form_values(form: Any) -> dict[str, str]:
    return {"weeks": text(form, "weeks", 4), "budget": text(form, "budget", 40)}


@router.post("/suggestions/to-cart")
def to_cart(request: Request, user: BuyerUser, db: PortalDb, form: Form) -> Response:
    if user.principal.role not in BUYER_WRITE_ROLES:
        raise Forbidden("your role cannot order")
    try:
        chosen = _chosen(db, user, form)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _page(
            request, user, db, _form_values(form), errors=exc.items, status_code=exc.status
        )

    def add_all(lines: list[carts.CartLine]) -> list[carts.CartLine]:
        for line in chosen:
            lines = carts.with_added(lines, line.sku, line.quantity)
        return lines

    try:
        carts.update_cart(db, user, add_all)
    except DomainError as exc:  # the cart is full
        return _page(
            request, user, db, _form_values(form), errors=exc.items, status_code=exc.status
        )
    return RedirectResponse("/cart", status_code=303)


@router.post("/suggestions/to-quote")
def to_quote(request: Request, user: BuyerUser, db: PortalDb, form: Form) -> Response:
    if user.principal.role not in BUYER_WRITE_ROLES:
        raise Forbidden("your role cannot request quotes")
    try:
        chosen = _chosen(db, user, form)
        origin = (
            "a suggested order sent to you" if text(form, "sent_id", 12) else "your suggested order"
        )
        with db.session(write=True) as session:
            quote_id = delivery.to_quote(session, user.principal, chosen, origin=origin)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _page(
            request, user, db, _form_values(form), errors=exc.items, status_code=exc.status
        )
    return RedirectResponse(f"/quotes/{quote_id}", status_code=303)
