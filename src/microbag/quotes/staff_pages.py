"""Staff quote pages: the inbox and the answer (prices per line, lead time, validity).

Thin adapters over quotes.service; the answer form starts from the company's list
prices at each line's quantity, and the core's errors come back on the line or field
they concern.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from microbag.buyers.service import company_names, get_company
from microbag.errors import DomainError
from microbag.pricing.service import price_list_for_company, terms_for
from microbag.quotes import policies, service
from microbag.quotes.models import Quote
from microbag.quotes.pages import PAGE_SIZE, QuoteId, quote_total, sentence, status_of
from microbag.quotes.schemas import MAX_NOTE_CHARS, QuoteKind
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import (
    Form,
    FormErrors,
    PageNo,
    QuoteStaff,
    major,
    pager,
    parse_amount,
    staff_page,
    text,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
# The core's error codes that belong to one field of the answer form.
ANSWER_FIELDS = {"invalid_lead_time": "lead_time_days", "invalid_valid_until": "valid_until"}

STAFF_DONE = {"answered": "Answer sent: the buyer can accept it until the validity date."}
INBOX_STATUSES = ("all", *policies.STATUSES)


@router.get("/staff/quotes")
def inbox(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    page: PageNo = 1,
    status: Annotated[str, Query(pattern="^(all|" + "|".join(policies.STATUSES) + ")$")] = (
        policies.REQUESTED
    ),
    kind: Annotated[QuoteKind | None, Query()] = None,
) -> Response:
    """Quotes waiting for an answer first (oldest requests are the most urgent)."""
    with db.session() as session:
        quotes, total = service.list_quotes(
            session,
            user.principal,
            status=None if status == "all" else status,
            kind=kind,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        names = company_names(session, [q.company_id for q in quotes])
        rows = [(q, status_of(q), quote_total(q)) for q in quotes]
    return staff_page(
        request,
        user,
        "staff/quotes.html",
        {
            "title": "Quote inbox",
            "rows": rows,
            "names": names,
            "status": status,
            "kind": kind,
            "statuses": INBOX_STATUSES,
            "pager": pager(
                "/staff/quotes", {"status": status, "kind": kind}, page, total, PAGE_SIZE
            ),
        },
        section="quotes",
    )


def _list_prices(session: Any, quote: Quote) -> dict[int, int]:
    """The company's list unit price per quote line at its quantity (a starting point)."""
    price_list = price_list_for_company(session, get_company(session, quote.company_id))
    if price_list is None or price_list.currency != quote.currency:
        return {}
    terms = terms_for(session, price_list, [ln.sku_id for ln in quote.lines])
    return {
        ln.line_no: terms[ln.sku_id].unit_price(ln.quantity)
        for ln in quote.lines
        if ln.sku_id in terms
    }


def _staff_quote(
    request: Request,
    user: PortalUser,
    db: Any,
    quote_id: int,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    today = service.today_utc()
    with db.session() as session:
        quote = service.get_quote(session, user.principal, quote_id)
        company = get_company(session, quote.company_id)
        list_prices = _list_prices(session, quote)
        status = status_of(quote)
    answered = {
        f"price-{ln.line_no}": major(ln.unit_price_minor, quote.currency) for ln in quote.lines
    }
    suggested = {
        f"price-{n}": major(p, quote.currency) for n, p in list_prices.items() if p is not None
    }
    defaults = {
        **suggested,
        **{k: v for k, v in answered.items() if v},
        "lead_time_days": str(quote.lead_time_days or 30),
        "valid_until": (quote.valid_until or today + timedelta(days=30)).isoformat(),
        "note": quote.answer_note,
    }
    return staff_page(
        request,
        user,
        "staff/quote.html",
        {
            "title": f"Quote {quote.id}",
            "quote": quote,
            "company": company,
            "status": status,
            "list_prices": list_prices,
            "total": quote_total(quote),
            "errors": errors,
            "values": values if values is not None else defaults,
            "may_answer": policies.check_answer(status) is None,
            "notice": STAFF_DONE.get(request.query_params.get("done", "")),
            "today": today,
            "max_day": policies.add_years(today, 1),
        },
        section="quotes",
        status_code=status_code,
    )


@router.get("/staff/quotes/{quote_id}")
def staff_quote(request: Request, quote_id: QuoteId, user: StaffUser, db: PortalDb) -> Response:
    return _staff_quote(request, user, db, quote_id)


def _answer_values(form: FormData, line_nos: list[int]) -> dict[str, str]:
    values = {f"price-{n}": text(form, f"price-{n}", 40) for n in line_nos}
    for name in ("lead_time_days", "valid_until"):
        values[name] = text(form, name, 40)
    values["note"] = text(form, "note", MAX_NOTE_CHARS + 1)
    return values


@router.post("/staff/quotes/{quote_id}/answer")
def answer(
    request: Request, quote_id: QuoteId, user: QuoteStaff, db: PortalDb, form: Form
) -> Response:
    with db.session() as session:
        quote = service.get_quote(session, user.principal, quote_id)
        currency, line_nos = quote.currency, [ln.line_no for ln in quote.lines]
    values = _answer_values(form, line_nos)
    errors = FormErrors()
    prices: list[dict[str, int]] = []
    for n in line_nos:
        raw = values[f"price-{n}"]
        try:
            prices.append({"line_no": n, "unit_price_minor": parse_amount(raw, currency)})
        except ValueError as exc:
            errors.add(f"price-{n}", str(exc) if raw else "A unit price is needed.")
    lead = values["lead_time_days"]
    if not lead.isdigit():
        errors.add("lead_time_days", "Enter the lead time in whole days.")
    try:
        valid_until = date.fromisoformat(values["valid_until"])
    except ValueError:
        errors.add("valid_until", "Enter a date as YYYY-MM-DD.")
    if errors:
        return _staff_quote(
            request, user, db, quote_id, errors=errors, values=values, status_code=422
        )
    try:
        with db.session(write=True) as session:
            service.answer_quote(
                session,
                user.principal,
                quote_id,
                prices,
                lead_time_days=int(lead),
                valid_until=valid_until,
                note=values["note"],
            )
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = FormErrors()
        for item in exc.items:
            name = f"price-{item.line}" if item.line else ANSWER_FIELDS.get(item.code)
            errors.add(name, sentence(item))
        return _staff_quote(
            request, user, db, quote_id, errors=errors, values=values, status_code=exc.status
        )
    return RedirectResponse(f"/staff/quotes/{quote_id}?done=answered", status_code=303)
