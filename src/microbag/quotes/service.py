"""Quote and OEM request use cases. Functions take a Session and never commit."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from microbag.accounts.principal import Principal
from microbag.buyers.models import Company
from microbag.catalog.models import Sku
from microbag.config import get_settings
from microbag.errors import Conflict, DomainError, ErrorItem, Forbidden, NotFound
from microbag.notifications import service as notifications
from microbag.orders import service as orders_service
from microbag.orders.models import Order
from microbag.orders.schemas import OrderLineIn
from microbag.quotes import policies
from microbag.quotes.models import Quote, QuoteArtwork, QuoteLine
from microbag.quotes.schemas import (
    MAX_NOTE_CHARS,
    AnswerLineIn,
    Customization,
    QuoteLineIn,
    clean_text,
)
from microbag.timeutil import utcnow

# Ids arrive from URLs; anything beyond a 32-bit key cannot exist (and would overflow).
_MAX_ID = 2**31 - 1


def today_utc() -> date:
    return utcnow().date()


# ---- loading, scoped by company ----------------------------------------------------------------


def _scoped(principal: Principal, stmt: Select[Any]) -> Select[Any]:
    if policies.may_see_all(principal):
        return stmt
    return stmt.where(Quote.company_id == principal.company_id)


def _load(session: Session, principal: Principal, quote_id: int, *, lock: bool = False) -> Quote:
    """The quote if the caller may see it, else 404 (another company's quote does not exist).

    ``lock`` takes the row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite write
    transactions are already serialized by BEGIN IMMEDIATE) so state changes queue up.
    """
    if not 1 <= quote_id <= _MAX_ID:
        raise NotFound("quote")
    stmt = _scoped(principal, select(Quote).where(Quote.id == quote_id))
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    quote: Quote | None = session.scalars(stmt).first()
    if quote is None:
        raise NotFound("quote")
    return quote


def get_quote(session: Session, principal: Principal, quote_id: int) -> Quote:
    return _load(session, principal, quote_id)


def list_quotes(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    kind: str | None = None,
    company_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    today: date | None = None,
) -> tuple[list[Quote], int]:
    """Newest first. Staff see every company (optionally one); buyers their own.

    ``status`` filters on the status as read: ``expired`` and ``answered`` split the
    stored ``answered`` rows by their validity date.
    """
    today = today or today_utc()
    stmt = _scoped(principal, select(Quote))
    if company_id is not None and policies.may_see_all(principal):
        stmt = stmt.where(Quote.company_id == company_id)
    if kind is not None:
        stmt = stmt.where(Quote.kind == kind)
    if status == policies.EXPIRED:
        stmt = stmt.where(Quote.status == policies.ANSWERED, Quote.valid_until < today)
    elif status == policies.ANSWERED:
        stmt = stmt.where(
            Quote.status == policies.ANSWERED,
            or_(Quote.valid_until.is_(None), Quote.valid_until >= today),
        )
    elif status is not None:
        stmt = stmt.where(Quote.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Quote.created_at.desc(), Quote.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), int(total)


# ---- the buyer's request -----------------------------------------------------------------------


M = TypeVar("M", bound=BaseModel)


def _valid(model: type[M], value: M | Mapping[str, Any], line: int | None = None) -> M:
    """Schema-check input from callers other than the API (CLI, portal) as a DomainError."""
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise DomainError(
            [
                ErrorItem(
                    "invalid_input",
                    f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}",
                    line,
                )
                for e in exc.errors()
            ]
        ) from exc


def _text(value: str | None, field: str, max_length: int) -> str:
    try:
        text = clean_text(value or "")
    except ValueError as exc:
        raise DomainError(ErrorItem("invalid_input", f"{field}: {exc}")) from exc
    if len(text) > max_length:
        raise DomainError(ErrorItem("invalid_input", f"{field}: at most {max_length} characters"))
    return text


def request_quote(
    session: Session,
    principal: Principal,
    lines: Sequence[QuoteLineIn | Mapping[str, Any]],
    kind: str = "quote",
    customization: Customization | Mapping[str, Any] | None = None,
    notes: str = "",
) -> Quote:
    """A buyer asks for prices, below the MOQ if need be, or for a customized (OEM) run."""
    if not policies.may_request(principal):
        raise Forbidden("only a buyer company's owner or buyer may request quotes")
    wanted = [_valid(QuoteLineIn, ln, n) for n, ln in enumerate(lines, start=1)]
    custom = _valid(Customization, customization or {})
    notes = _text(notes, "notes", MAX_NOTE_CHARS)
    errors: list[ErrorItem] = []
    if kind not in policies.KINDS:
        errors.append(ErrorItem("invalid_kind", f"kind must be one of {', '.join(policies.KINDS)}"))
    if not 1 <= len(wanted) <= policies.MAX_LINES:
        errors.append(ErrorItem("invalid_lines", f"a quote has 1 to {policies.MAX_LINES} lines"))
    if kind == "oem" and custom.is_empty() and not notes:
        errors.append(
            ErrorItem(
                "customization_required",
                "an OEM request needs a customization (logo, packaging, color, material) or notes",
            )
        )
    skus = {
        s.code: s for s in session.scalars(select(Sku).where(Sku.code.in_({w.sku for w in wanted})))
    }
    seen: set[str] = set()
    for n, w in enumerate(wanted, start=1):
        sku = skus.get(w.sku)
        if sku is None or sku.lifecycle != "active":
            errors.append(ErrorItem("unknown_sku", f"no active SKU {w.sku!r}", n))
        elif w.sku in seen:
            errors.append(ErrorItem("duplicate_sku", f"SKU {w.sku} is on more than one line", n))
        seen.add(w.sku)
    if errors:
        raise DomainError(errors)
    company = session.get(Company, principal.company_id)
    if company is None:
        raise NotFound("company")
    quote = Quote(
        company_id=company.id,
        requested_by_id=principal.user_id,
        kind=kind,
        status=policies.REQUESTED,
        currency=company.currency,
        custom_logo=custom.logo,
        custom_packaging=custom.packaging,
        custom_color=custom.color,
        custom_material=custom.material,
        notes=notes,
        lines=[
            QuoteLine(line_no=n, sku_id=skus[w.sku].id, sku_code=w.sku, quantity=w.quantity)
            for n, w in enumerate(wanted, start=1)
        ],
    )
    session.add(quote)
    session.flush()
    return quote


def add_artwork(
    session: Session,
    principal: Principal,
    quote_id: int,
    filename: str | None,
    content_type: str | None,
    data: bytes,
) -> QuoteArtwork:
    """Attach a logo or print file (checked by size, declared type and content)."""
    if not policies.may_request(principal):
        raise Forbidden("only a buyer company's owner or buyer may upload artwork")
    quote = _load(session, principal, quote_id, lock=True)
    ctype = policies.normalize_content_type(content_type)
    problem = policies.validate_artwork(ctype, len(data), data, get_settings().artwork_max_bytes)
    if problem is not None:
        raise DomainError(problem[0], problem[1])
    status = policies.effective_status(quote.status, quote.valid_until, today_utc())
    if (err := policies.check_add_artwork(status)) is not None:
        raise DomainError(err, 409)
    if len(quote.artworks) >= policies.MAX_ARTWORKS_PER_QUOTE:
        raise Conflict(
            "too_many_artworks",
            f"a quote holds at most {policies.MAX_ARTWORKS_PER_QUOTE} artwork files",
        )
    artwork = QuoteArtwork(
        quote_id=quote.id,
        filename=policies.sanitize_filename(filename, ctype),
        content_type=ctype,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    quote.artworks.append(artwork)
    session.flush()
    return artwork


def get_artwork(
    session: Session, principal: Principal, quote_id: int, artwork_id: int
) -> QuoteArtwork:
    """An artwork with its bytes, if the caller may see the quote."""
    quote = _load(session, principal, quote_id)
    if not 1 <= artwork_id <= _MAX_ID:
        raise NotFound("artwork")
    artwork = session.scalars(
        select(QuoteArtwork)
        .where(QuoteArtwork.id == artwork_id, QuoteArtwork.quote_id == quote.id)
        .options(undefer(QuoteArtwork.data))
    ).first()
    if artwork is None:
        raise NotFound("artwork")
    return artwork


# ---- the seller's answer -----------------------------------------------------------------------


def answer_quote(
    session: Session,
    principal: Principal,
    quote_id: int,
    lines: Sequence[AnswerLineIn | policies.AnswerLine | Mapping[str, Any]],
    lead_time_days: int,
    valid_until: date,
    note: str = "",
    *,
    today: date | None = None,
) -> Quote:
    """Staff (admin, sales) price every line, with a lead time and a validity date."""
    if not policies.may_answer(principal):
        raise Forbidden("only the seller's admin or sales staff may answer quotes")
    today = today or today_utc()
    quote = _load(session, principal, quote_id, lock=True)
    status = policies.effective_status(quote.status, quote.valid_until, today)
    if (err := policies.check_answer(status)) is not None:
        raise DomainError(err, 409)
    prices = [
        ln
        if isinstance(ln, policies.AnswerLine)
        else policies.AnswerLine((v := _valid(AnswerLineIn, ln, n)).line_no, v.unit_price_minor)
        for n, ln in enumerate(lines, start=1)
    ]
    priced, errors = policies.validate_answer(
        {ln.line_no: ln.quantity for ln in quote.lines},
        prices,
        lead_time_days,
        valid_until,
        today,
    )
    if errors:
        raise DomainError(errors)
    for ln in quote.lines:
        ln.unit_price_minor = priced[ln.line_no]
    quote.status = policies.ANSWERED
    quote.lead_time_days = lead_time_days
    quote.valid_until = valid_until
    quote.answer_note = _text(note, "note", MAX_NOTE_CHARS)
    quote.answered_by_id = principal.user_id
    quote.answered_at = utcnow()
    session.flush()
    notifications.notify_company(
        session,
        company_id=quote.company_id,
        kind="quote_answered",
        context={
            "quote_id": quote.id,
            "quote_number": str(quote.id),
            "status": quote.status,
            "message": quote.answer_note or "",
        },
    )
    return quote


# ---- the buyer's decision ----------------------------------------------------------------------


def accept_quote(
    session: Session, principal: Principal, quote_id: int, *, today: date | None = None
) -> Order:
    """Turn an answered quote into an order at the agreed prices, exactly once.

    The row lock serializes concurrent accepts: the first places the order, the
    others then see ``accepted`` and return that same order. The unique
    ``Quote.order_id`` and ``Order.quote_id`` are the last line of defence.
    """
    if not policies.may_request(principal):
        raise Forbidden("only a buyer company's owner or buyer may accept quotes")
    today = today or today_utc()
    quote = _load(session, principal, quote_id, lock=True)
    status = policies.effective_status(quote.status, quote.valid_until, today)
    if (err := policies.check_accept(status)) is not None:
        raise DomainError(err, 409)
    if status == policies.ACCEPTED:  # a replay: the order made the first time
        return _order_of(session, quote)
    unit_prices = {ln.sku_code: int(ln.unit_price_minor or 0) for ln in quote.lines}
    order_lines = [OrderLineIn(sku=ln.sku_code, quantity=ln.quantity) for ln in quote.lines]
    try:
        with session.begin_nested():
            order, _created = orders_service.place_order(
                session,
                principal,
                order_lines,
                quote_id=quote.id,
                unit_prices=unit_prices,
                enforce_terms=False,
                reserve_stock=(quote.kind == "quote"),
            )
            quote.status = policies.ACCEPTED
            quote.order_id = order.id
            quote.accepted_at = utcnow()
            session.flush()
    except IntegrityError:
        # Only reachable if the lock did not hold: another transaction made the order.
        existing = session.scalars(select(Order).where(Order.quote_id == quote.id)).first()
        if existing is None:
            raise
        return existing
    return _order_of(session, quote)  # the stored order, as the replay above answers it


def _order_of(session: Session, quote: Quote) -> Order:
    order = session.get(Order, quote.order_id)
    if order is None:  # pragma: no cover - prevented by the foreign key
        raise NotFound("order")
    return order


def decline_quote(session: Session, principal: Principal, quote_id: int) -> Quote:
    """The buyer turns the seller's answer down."""
    return _close(session, principal, quote_id, policies.DECLINED, policies.check_decline)


def cancel_quote(session: Session, principal: Principal, quote_id: int) -> Quote:
    """The buyer withdraws the request before it is answered."""
    return _close(session, principal, quote_id, policies.CANCELLED, policies.check_cancel)


def _close(
    session: Session,
    principal: Principal,
    quote_id: int,
    to_status: str,
    check: Callable[[str], ErrorItem | None],
) -> Quote:
    if not policies.may_request(principal):
        raise Forbidden(f"only a buyer company's owner or buyer may do this ({to_status})")
    quote = _load(session, principal, quote_id, lock=True)
    status = policies.effective_status(quote.status, quote.valid_until, today_utc())
    if (err := check(status)) is not None:
        raise DomainError(err, 409)
    if quote.status != to_status:
        quote.status = to_status
        session.flush()
    return quote


__all__ = [
    "accept_quote",
    "add_artwork",
    "answer_quote",
    "cancel_quote",
    "decline_quote",
    "get_artwork",
    "get_quote",
    "list_quotes",
    "request_quote",
    "today_utc",
]
