"""HTTP API of suggested orders: the buyer's own, staff per company, sending, cart and quote."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.orm import Session

from microbag.accounts.policies import BUYER_WRITE_ROLES, STAFF_COMPANY_ROLES
from microbag.accounts.principal import Principal
from microbag.buyers.service import get_company
from microbag.errors import Forbidden
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    IdPath,
    Page,
    Paging,
    ReadSession,
    WriteSession,
    require_buyer,
    require_staff,
)
from microbag.paging import PageParams
from microbag.quotes.schemas import QuoteOut
from microbag.quotes.service import get_quote, today_utc
from microbag.suggestions import delivery
from microbag.suggestions.company import (
    MAX_HORIZON_WEEKS,
    MAX_TOP,
    CompanySuggestion,
    SuggestionParams,
    suggest_for_company,
)
from microbag.suggestions.schemas import (
    CartLineOut,
    CartOut,
    CustomerLinkIn,
    ErrorItemOut,
    LinkedCustomerOut,
    SendIn,
    SentSuggestionOut,
    SuggestedOrderOut,
    TakeIn,
    money,
)

router = APIRouter(tags=["suggestions"])

BuyerReader = Annotated[Principal, Depends(require_buyer())]
BuyerWriter = Annotated[Principal, Depends(require_buyer(*sorted(BUYER_WRITE_ROLES)))]
StaffReader = Annotated[Principal, Depends(require_staff())]
SalesStaff = Annotated[Principal, Depends(require_staff(*sorted(STAFF_COMPANY_ROLES)))]
SuggestionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Sent suggestion id")]
CustomerRef = Annotated[str, Path(min_length=1, max_length=64, description="customer_ref")]

Top = Annotated[int, Query(ge=1, le=MAX_TOP, description="How many SKUs to rank")]
Horizon = Annotated[
    int, Query(ge=1, le=MAX_HORIZON_WEEKS, description="The period, in weeks from today")
]
Budget = Annotated[
    int | None,
    Query(ge=0, le=2**53 - 1, description="Spend at most this, in the company's minor units"),
]


def _company_of(principal: Principal) -> int:
    if principal.company_id is None:
        raise Forbidden("this action is for buyer companies' users")
    return principal.company_id


def _live(
    session: Session, company_id: int, top: int, horizon_weeks: int, budget: int | None
) -> CompanySuggestion:
    return suggest_for_company(session, company_id, SuggestionParams(top, horizon_weeks, budget))


@router.get(
    "/suggestions",
    response_model=SuggestedOrderOut,
    responses=READ_RESPONSES,
    summary="Your company's suggested order for the period: orderable SKUs, quantities, why",
)
def my_suggestions(
    session: ReadSession,
    principal: BuyerReader,
    top: Top = 20,
    horizon_weeks: Horizon = 8,
    budget_minor: Budget = None,
) -> SuggestedOrderOut:
    suggestion = _live(session, _company_of(principal), top, horizon_weeks, budget_minor)
    return SuggestedOrderOut.of(suggestion)


@router.get(
    "/suggestions/sent",
    response_model=Page[SentSuggestionOut],
    responses=READ_RESPONSES,
    summary="Suggested orders the seller's sales staff sent to your company, newest first",
)
def my_sent(
    session: ReadSession, principal: BuyerReader, paging: Paging
) -> Page[SentSuggestionOut]:
    return _sent_page(session, principal, _company_of(principal), paging)


@router.get(
    "/suggestions/sent/{suggestion_id}",
    response_model=SentSuggestionOut,
    responses=READ_RESPONSES,
    summary="One sent suggestion (another company's does not exist for you: 404)",
)
def my_sent_one(
    suggestion_id: SuggestionId, session: ReadSession, principal: BuyerReader
) -> SentSuggestionOut:
    return SentSuggestionOut.of(delivery.get_sent(session, principal, suggestion_id))


def _taken(session: Session, principal: Principal, body: TakeIn) -> list[delivery.CartLine]:
    if body.sent_id is not None:
        sent = delivery.get_sent(session, principal, body.sent_id)
        return delivery.chosen_lines(delivery.sent_lines(sent), body.skus)
    live = _live(session, _company_of(principal), body.top, body.horizon_weeks, body.budget_minor)
    return delivery.chosen_lines([(x.sku, x.units) for x in live.lines], body.skus)


@router.post(
    "/suggestions/to-cart",
    response_model=CartOut,
    responses=WRITE_RESPONSES,
    summary="A suggestion as order lines, checked by the order core as the cart would be",
)
def to_cart(body: TakeIn, session: ReadSession, principal: BuyerWriter) -> CartOut:
    checked = delivery.check_as_cart(session, principal, _taken(session, principal, body))
    currency = get_company(session, _company_of(principal)).currency
    return CartOut(
        lines=[CartLineOut(sku=x.sku, quantity=x.quantity) for x in checked.lines],
        ok=checked.ok,
        total=None if checked.total_minor is None else money(checked.total_minor, currency),
        errors=[
            ErrorItemOut(code=e.code, message=e.message, line=e.line, field=e.field)
            for e in checked.errors
        ],
    )


@router.post(
    "/suggestions/to-quote",
    status_code=201,
    response_model=QuoteOut,
    responses=WRITE_RESPONSES,
    summary="Ask for a quote on a suggestion's lines in one step",
)
def to_quote(body: TakeIn, session: WriteSession, principal: BuyerWriter) -> QuoteOut:
    lines = _taken(session, principal, body)
    origin = "a sent suggested order" if body.sent_id else "your suggested order"
    quote_id = delivery.to_quote(session, principal, lines, origin=origin)
    return QuoteOut.of(get_quote(session, principal, quote_id), today_utc())


# ---- staff --------------------------------------------------------------------------------------


@router.get(
    "/companies/{company_id}/suggestions",
    response_model=SuggestedOrderOut,
    responses=READ_RESPONSES,
    summary="Staff: a company's suggested order for the period",
)
def company_suggestions(
    company_id: IdPath,
    session: ReadSession,
    _staff: StaffReader,
    top: Top = 20,
    horizon_weeks: Horizon = 8,
    budget_minor: Budget = None,
) -> SuggestedOrderOut:
    return SuggestedOrderOut.of(_live(session, company_id, top, horizon_weeks, budget_minor))


@router.post(
    "/companies/{company_id}/suggestions/send",
    status_code=201,
    response_model=SentSuggestionOut,
    responses=WRITE_RESPONSES,
    summary="Sales staff: send the company's suggested order to its buyers (seen in the portal)",
)
def send(
    company_id: IdPath, body: SendIn, session: WriteSession, staff: SalesStaff
) -> SentSuggestionOut:
    live = _live(session, company_id, body.top, body.horizon_weeks, body.budget_minor)
    return SentSuggestionOut.of(delivery.send_suggestion(session, staff, live, body.note))


@router.get(
    "/companies/{company_id}/suggestions/sent",
    response_model=Page[SentSuggestionOut],
    responses=READ_RESPONSES,
    summary="Staff: suggested orders sent to a company, newest first",
)
def company_sent(
    company_id: IdPath, session: ReadSession, staff: StaffReader, paging: Paging
) -> Page[SentSuggestionOut]:
    get_company(session, company_id)
    return _sent_page(session, staff, company_id, paging)


@router.get(
    "/companies/{company_id}/customer-links",
    response_model=list[LinkedCustomerOut],
    responses=READ_RESPONSES,
    summary="Staff: imported customers (sales history) linked to a company",
)
def customer_links(
    company_id: IdPath, session: ReadSession, _staff: StaffReader
) -> list[LinkedCustomerOut]:
    get_company(session, company_id)
    return [LinkedCustomerOut.of(x) for x in delivery.linked_customers(session, company_id)]


@router.post(
    "/companies/{company_id}/customer-links",
    status_code=201,
    response_model=list[LinkedCustomerOut],
    responses=WRITE_RESPONSES,
    summary="Sales staff: link an imported customer reference; its history then seeds the "
    "company's suggestions",
)
def link_customer(
    company_id: IdPath, body: CustomerLinkIn, session: WriteSession, staff: SalesStaff
) -> list[LinkedCustomerOut]:
    delivery.link_customer(session, staff, company_id, body.customer_ref)
    return [LinkedCustomerOut.of(x) for x in delivery.linked_customers(session, company_id)]


@router.delete(
    "/companies/{company_id}/customer-links/{customer_ref}",
    status_code=204,
    responses=WRITE_RESPONSES,
    summary="Sales staff: unlink an imported customer reference",
)
def unlink_customer(
    company_id: IdPath, customer_ref: CustomerRef, session: WriteSession, staff: SalesStaff
) -> Response:
    delivery.unlink_customer(session, staff, company_id, customer_ref)
    return Response(status_code=204)


def _sent_page(
    session: Session, principal: Principal, company_id: int, paging: PageParams
) -> Page[SentSuggestionOut]:
    """One page of the suggestions sent to a company (the delivery service scopes it)."""
    rows, total = delivery.list_sent(
        session,
        principal,
        company_id,
        offset=(paging.page - 1) * paging.page_size,
        limit=paging.page_size,
    )
    return Page(
        items=[SentSuggestionOut.of(x) for x in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )
