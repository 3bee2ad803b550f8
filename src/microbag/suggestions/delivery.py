"""What happens to a suggested order: staff link an imported customer to a company and send
a suggestion to the buyer; the buyer turns it into a cart or a quote in one step.

Functions take a Session and never commit. A buyer only ever reaches their own
company's suggestions: every lookup is scoped by the caller's company (404 otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.accounts.policies import BUYER_WRITE_ROLES, STAFF_COMPANY_ROLES
from microbag.accounts.principal import Principal
from microbag.buyers.service import get_company
from microbag.errors import Conflict, DomainError, ErrorItem, Forbidden, NotFound
from microbag.history.service import customer_summaries
from microbag.orders.schemas import MAX_LINES, MAX_QUANTITY, OrderLineIn
from microbag.orders.service import check_order
from microbag.quotes.service import request_quote
from microbag.suggestions.company import CompanySuggestion
from microbag.suggestions.models import CustomerLink, SentSuggestion

MAX_CUSTOMER_REF = 64
MAX_NOTE = 2000


def _require_sales(principal: Principal) -> None:
    if not principal.is_staff or principal.role not in STAFF_COMPANY_ROLES:
        raise Forbidden("only admin and sales staff may do this")


def _require_buyer_write(principal: Principal) -> int:
    if principal.company_id is None or principal.role not in BUYER_WRITE_ROLES:
        raise Forbidden("only a buyer company's owner or buyer may order")
    return principal.company_id


# ---- imported customers linked to a company ------------------------------------------------


@dataclass(frozen=True)
class LinkedCustomer:
    customer_ref: str
    sales_lines: int
    last_day: date | None
    country: str | None
    linked_by: str


def _valid_ref(customer_ref: str) -> str | None:
    """The reference stripped, or None when it cannot be one (empty, too long, not text)."""
    ref = customer_ref.strip()
    if not ref or len(ref) > MAX_CUSTOMER_REF or "\x00" in ref:
        return None
    try:
        ref.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return ref


def linked_customers(session: Session, company_id: int) -> list[LinkedCustomer]:
    links = list(
        session.scalars(
            select(CustomerLink)
            .where(CustomerLink.company_id == company_id)
            .order_by(CustomerLink.customer_ref)
        )
    )
    facts = customer_summaries(session, [x.customer_ref for x in links])
    return [
        LinkedCustomer(x.customer_ref, *facts.get(x.customer_ref, (0, None, None)), x.linked_by)
        for x in links
    ]


def link_customer(
    session: Session, principal: Principal, company_id: int, customer_ref: str
) -> CustomerLink:
    """Staff: this imported customer is the company (its history seeds the suggestions)."""
    _require_sales(principal)
    get_company(session, company_id)
    ref = _valid_ref(customer_ref)
    if ref is None:
        raise DomainError(
            ErrorItem(
                "invalid_customer_ref",
                "a customer reference is 1 to 64 characters of text",
                field="customer_ref",
            )
        )
    if ref not in customer_summaries(session, [ref]):
        raise DomainError(
            ErrorItem(
                "unknown_customer_ref",
                f"no imported sales line has the customer reference {ref!r}",
                field="customer_ref",
            )
        )
    other = session.scalar(select(CustomerLink).where(CustomerLink.customer_ref == ref))
    if other is not None:
        if other.company_id == company_id:
            return other
        raise Conflict(
            "customer_ref_linked", f"customer {ref} is already linked to another company"
        )
    link = CustomerLink(company_id=company_id, customer_ref=ref, linked_by=principal.email)
    session.add(link)
    session.flush()
    return link


def unlink_customer(
    session: Session, principal: Principal, company_id: int, customer_ref: str
) -> None:
    _require_sales(principal)
    ref = _valid_ref(customer_ref)
    link = None
    if ref is not None:
        link = session.scalar(
            select(CustomerLink).where(
                CustomerLink.company_id == company_id, CustomerLink.customer_ref == ref
            )
        )
    if link is None:
        raise NotFound(f"customer {customer_ref!r} linked to this company", "unknown_link")
    session.delete(link)
    session.flush()


# ---- sent suggestions ------------------------------------------------------------------------


def _line_json(line: Any) -> dict[str, Any]:
    return {
        "rank": line.rank,
        "sku": line.sku,
        "name": line.name,
        "color": line.color,
        "material": line.material,
        "units": line.units,
        "unit_price_minor": line.unit_price_minor,
        "basis": line.basis,
        "reasons": list(line.reasons),
        "rules": list(line.rules),
    }


def send_suggestion(
    session: Session, principal: Principal, suggestion: CompanySuggestion, note: str = ""
) -> SentSuggestion:
    """Staff: record the suggestion as sent; the company's buyers see it in the portal."""
    _require_sales(principal)
    note = note.strip()
    try:
        note.encode("utf-8")
        text_ok = "\x00" not in note
    except UnicodeEncodeError:
        text_ok = False
    if len(note) > MAX_NOTE or not text_ok:
        raise DomainError(
            ErrorItem(
                "invalid_note", f"a note is at most {MAX_NOTE} characters of text", field="note"
            )
        )
    if not suggestion.lines:
        raise DomainError.single("empty_suggestion", "there is nothing to send: no line")
    sent = SentSuggestion(
        company_id=suggestion.company_id,
        sent_by=principal.email,
        note=note,
        horizon_weeks=suggestion.horizon_weeks,
        currency=suggestion.currency,
        total_minor=suggestion.total_minor,
        lines=[_line_json(x) for x in suggestion.lines],
        notes=list(suggestion.notes),
    )
    session.add(sent)
    session.flush()
    return sent


def list_sent(
    session: Session, principal: Principal, company_id: int, *, offset: int = 0, limit: int = 20
) -> tuple[list[SentSuggestion], int]:
    """A company's sent suggestions, newest first (a buyer: only their own company's)."""
    if not principal.is_staff and principal.company_id != company_id:
        raise NotFound("company")
    where = SentSuggestion.company_id == company_id
    total = session.scalar(select(func.count()).select_from(SentSuggestion).where(where)) or 0
    rows = session.scalars(
        select(SentSuggestion)
        .where(where)
        .order_by(SentSuggestion.created_at.desc(), SentSuggestion.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total)


def get_sent(session: Session, principal: Principal, sent_id: int) -> SentSuggestion:
    sent = session.get(SentSuggestion, sent_id)
    if sent is None or (not principal.is_staff and sent.company_id != principal.company_id):
        raise NotFound("suggested order", "unknown_suggestion")
    return sent


# ---- into a cart or a quote ------------------------------------------------------------------


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int


def chosen_lines(
    lines: Sequence[tuple[str, int]], skus: Sequence[str] | None = None
) -> list[CartLine]:
    """The suggestion's lines (all, or those of ``skus``), one per SKU, as order lines."""
    wanted = None if skus is None else set(skus)
    out: list[CartLine] = []
    seen: set[str] = set()
    for sku, units in lines:
        if sku in seen or (wanted is not None and sku not in wanted):
            continue
        seen.add(sku)
        out.append(CartLine(sku, max(1, min(int(units), MAX_QUANTITY))))
    if not out:
        raise DomainError.single("empty_suggestion", "the suggestion has no line to take")
    return out[:MAX_LINES]


def sent_lines(sent: SentSuggestion) -> list[tuple[str, int]]:
    return [(str(x["sku"]), int(x["units"])) for x in sent.lines]


@dataclass(frozen=True)
class CartCheck:
    """What placing these lines right now would say (nothing is written)."""

    lines: list[CartLine]
    ok: bool
    total_minor: int | None
    errors: list[ErrorItem]


def check_as_cart(session: Session, principal: Principal, lines: list[CartLine]) -> CartCheck:
    """The order core's dry run over the lines: exactly what the cart would show."""
    _require_buyer_write(principal)
    order_lines = [OrderLineIn(sku=x.sku, quantity=x.quantity) for x in lines]
    try:
        total = check_order(session, principal, order_lines)
    except DomainError as exc:
        return CartCheck(lines, False, None, list(exc.items))
    return CartCheck(lines, True, total, [])


def to_quote(session: Session, principal: Principal, lines: list[CartLine], *, origin: str) -> int:
    """A quote request with the suggestion's lines (prices come with the seller's answer);
    its id."""
    _require_buyer_write(principal)
    quote = request_quote(
        session,
        principal,
        [{"sku": x.sku, "quantity": x.quantity} for x in lines],
        notes=f"From {origin}.",
    )
    return quote.id
