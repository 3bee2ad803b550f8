"""Buyer quote pages: request a quote (lines, customization, an artwork upload), read the
seller's answer and accept it before it expires (the quote becomes an order, once).
The staff inbox is in quotes/staff_pages.py.

Thin adapters over quotes.service: its errors come back as form errors, on the line
(``ErrorItem.line``) or field they concern. Uploads are multipart forms carrying the
CSRF token; bodies larger than an artwork file (plus the form) are refused early.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote as url_quote

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from microbag.config import get_settings
from microbag.errors import DomainError, ErrorItem
from microbag.quotes import policies, service
from microbag.quotes.models import Quote
from microbag.quotes.schemas import MAX_NOTE_CHARS, QuoteStatus
from microbag.web.csrf import verify_csrf
from microbag.web.deps import BuyerUser, PortalDb, SignedIn
from microbag.web.render import render
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, PageNo, body_limited_route, pager, text, texts

PAGE_SIZE = 25
FORM_LINES = 5  # empty line rows offered on the request form
FORM_OVERHEAD = 256 * 1024  # the form's text fields around one artwork file
QuoteId = Annotated[int, Path(ge=1, le=2_147_483_647)]
ArtworkId = Annotated[int, Path(ge=1, le=2_147_483_647)]
CUSTOM_FIELDS = (("logo", 500), ("packaging", 500), ("color", 200), ("material", 200))


def _upload_limit() -> int:
    return get_settings().artwork_max_bytes + FORM_OVERHEAD


def _too_large_message() -> str:
    return f"artwork files may be {get_settings().artwork_max_bytes // (1024 * 1024)} MB"


router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(verify_csrf)],
    route_class=body_limited_route(_upload_limit, _too_large_message),
)


def status_of(quote: Quote) -> str:
    """The status as the reader sees it (answered past its validity: expired)."""
    return policies.effective_status(quote.status, quote.valid_until, service.today_utc())


def sentence(item: ErrorItem) -> str:
    message = item.message[:1].upper() + item.message[1:]
    return message if message.endswith(".") else message + "."


# ---- buyers: list and request ------------------------------------------------------------------


@router.get("/quotes")
def quote_list(
    request: Request,
    user: BuyerUser,
    db: PortalDb,
    page: PageNo = 1,
    status: Annotated[QuoteStatus | None, Query()] = None,
) -> Response:
    with db.session() as session:
        quotes, total = service.list_quotes(
            session,
            user.principal,
            status=status,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        rows = [(q, status_of(q)) for q in quotes]
    return render(
        request,
        "quotes/list.html",
        {
            "title": "Quotes",
            "rows": rows,
            "status": status,
            "statuses": policies.STATUSES,
            "pager": pager("/quotes", {"status": status}, page, total, PAGE_SIZE),
            "may_request": policies.may_request(user.principal),
        },
    )


def _request_form(
    request: Request,
    user: PortalUser,
    values: dict[str, Any],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "quotes/new.html",
        {
            "title": "Request a quote",
            "values": values,
            "errors": errors,
            "may_request": policies.may_request(user.principal),
            "max_mb": get_settings().artwork_max_bytes // (1024 * 1024),
            "artwork_types": sorted(policies.ARTWORK_TYPES),
            "custom_fields": CUSTOM_FIELDS,
            "max_note": MAX_NOTE_CHARS,
        },
        status_code=status_code,
    )


def _line_rows(skus: list[str], quantities: list[str]) -> list[dict[str, str]]:
    rows = [{"sku": s, "quantity": q} for s, q in zip(skus, quantities, strict=False)]
    while len(rows) < max(FORM_LINES, len([r for r in rows if r["sku"]]) + 2):
        rows.append({"sku": "", "quantity": ""})
    return rows


@router.get("/quotes/new")
def new_quote(
    request: Request,
    user: BuyerUser,
    sku: Annotated[list[str] | None, Query(max_length=policies.MAX_LINES)] = None,
) -> Response:
    """The request form; ``?sku=`` prefills lines (e.g. from a SKU page)."""
    wanted = [s.strip()[:64] for s in (sku or []) if s.strip()]
    values = {"kind": "quote", "lines": _line_rows(wanted, [""] * len(wanted))}
    return _request_form(request, user, values)


@router.post("/quotes/new")
def create_quote(request: Request, user: BuyerUser, db: PortalDb, form: Form) -> Response:
    rows = _line_rows(texts(form, "sku"), texts(form, "quantity"))
    values: dict[str, Any] = {
        "kind": "oem" if text(form, "kind") == "oem" else "quote",
        "lines": rows,
        "notes": text(form, "notes", MAX_NOTE_CHARS + 1),
        **{name: text(form, name, limit + 1) for name, limit in CUSTOM_FIELDS},
    }
    errors = FormErrors()
    lines: list[dict[str, Any]] = []
    row_of_line: list[int] = []  # the form row of each line sent to the service
    for i, row in enumerate(rows, start=1):
        if not row["sku"] and not row["quantity"]:
            continue
        if not row["quantity"].isdigit() or int(row["quantity"]) < 1:
            errors.add(f"line-{i}", "Enter a quantity of 1 or more.")
            continue
        lines.append({"sku": row["sku"], "quantity": int(row["quantity"])})
        row_of_line.append(i)
    if not lines and not errors:
        errors.add("line-1", "Add at least one line: a SKU and a quantity.")
    artwork = form.get("artwork")
    upload = artwork if isinstance(artwork, UploadFile) and artwork.filename else None
    if errors:
        return _request_form(request, user, values, errors, 422)
    try:
        with db.session(write=True) as session:
            quote = service.request_quote(
                session,
                user.principal,
                lines,
                kind=values["kind"],
                customization={name: values[name] for name, _limit in CUSTOM_FIELDS},
                notes=values["notes"],
            )
            if upload is not None:
                data = upload.file.read(get_settings().artwork_max_bytes + 1)
                service.add_artwork(
                    session, user.principal, quote.id, upload.filename, upload.content_type, data
                )
            quote_id = quote.id
    except DomainError as exc:
        for item in exc.items:
            if item.line is not None and 1 <= item.line <= len(row_of_line):
                errors.add(f"line-{row_of_line[item.line - 1]}", sentence(item))
            elif item.code.startswith("artwork"):
                errors.add("artwork", sentence(item))
            else:
                errors.add(None, sentence(item))
        if upload is not None:
            errors.add("artwork", "Choose the artwork file again (nothing was saved).")
        return _request_form(request, user, values, errors, exc.status)
    return RedirectResponse(f"/quotes/{quote_id}?done=requested", status_code=303)


# ---- buyers: one quote -------------------------------------------------------------------------

BUYER_DONE = {
    "requested": "Your request is sent. The seller will answer with prices, a lead time and a "
    "validity date.",
    "artwork": "Artwork added.",
    "declined": "You declined the quote.",
    "cancelled": "You withdrew the request.",
}


def _quote_page(
    request: Request,
    user: PortalUser,
    db: Any,
    quote_id: int,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        quote = service.get_quote(session, user.principal, quote_id)
        status = status_of(quote)
    may = policies.may_request(user.principal)
    may_upload = may and policies.check_add_artwork(status) is None
    if errors and not may_upload:  # no upload field to show it next to
        errors.general += errors.fields.pop("artwork", [])
    return render(
        request,
        "quotes/quote.html",
        {
            "title": f"Quote {quote.id}",
            "quote": quote,
            "status": status,
            "errors": errors,
            "notice": BUYER_DONE.get(request.query_params.get("done", "")),
            "may_accept": may and policies.check_accept(status) is None and status != "accepted",
            "may_decline": may and status == policies.ANSWERED,
            "may_cancel": may and status == policies.REQUESTED,
            "may_upload": may_upload,
            "total": quote_total(quote),
            "max_mb": get_settings().artwork_max_bytes // (1024 * 1024),
        },
        status_code=status_code,
    )


def quote_total(quote: Quote) -> int | None:
    if not quote.lines or any(ln.unit_price_minor is None for ln in quote.lines):
        return None
    return sum(int(ln.unit_price_minor or 0) * ln.quantity for ln in quote.lines)


@router.get("/quotes/{quote_id}")
def quote_page(request: Request, quote_id: QuoteId, user: BuyerUser, db: PortalDb) -> Response:
    return _quote_page(request, user, db, quote_id)


def _buyer_action(
    request: Request, user: PortalUser, db: Any, quote_id: int, action: str
) -> Response:
    try:
        with db.session(write=True) as session:
            if action == "accept":
                order = service.accept_quote(session, user.principal, quote_id)
                target = f"/orders/{order.id}"
            elif action == "decline":
                service.decline_quote(session, user.principal, quote_id)
                target = f"/quotes/{quote_id}?done=declined"
            else:
                service.cancel_quote(session, user.principal, quote_id)
                target = f"/quotes/{quote_id}?done=cancelled"
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _quote_page(
            request, user, db, quote_id, errors=FormErrors.of(exc.items, ()), status_code=exc.status
        )
    return RedirectResponse(target, status_code=303)


@router.post("/quotes/{quote_id}/accept")
def accept(request: Request, quote_id: QuoteId, user: BuyerUser, db: PortalDb) -> Response:
    """Accept the answer: the quote becomes an order exactly once (a repeat shows that order)."""
    return _buyer_action(request, user, db, quote_id, "accept")


@router.post("/quotes/{quote_id}/decline")
def decline(request: Request, quote_id: QuoteId, user: BuyerUser, db: PortalDb) -> Response:
    return _buyer_action(request, user, db, quote_id, "decline")


@router.post("/quotes/{quote_id}/cancel")
def cancel(request: Request, quote_id: QuoteId, user: BuyerUser, db: PortalDb) -> Response:
    return _buyer_action(request, user, db, quote_id, "cancel")


@router.post("/quotes/{quote_id}/artworks")
def upload_artwork(
    request: Request, quote_id: QuoteId, user: BuyerUser, db: PortalDb, form: Form
) -> Response:
    artwork = form.get("artwork")
    if not isinstance(artwork, UploadFile) or not artwork.filename:
        errors = FormErrors()
        errors.add("artwork", "Choose a file to upload.")
        return _quote_page(request, user, db, quote_id, errors=errors, status_code=422)
    data = artwork.file.read(get_settings().artwork_max_bytes + 1)
    try:
        with db.session(write=True) as session:
            service.add_artwork(
                session, user.principal, quote_id, artwork.filename, artwork.content_type, data
            )
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = FormErrors()
        for item in exc.items:
            errors.add("artwork", sentence(item))
        return _quote_page(request, user, db, quote_id, errors=errors, status_code=exc.status)
    return RedirectResponse(f"/quotes/{quote_id}?done=artwork", status_code=303)


@router.get("/quotes/{quote_id}/artworks/{artwork_id}")
def download_artwork(
    quote_id: QuoteId, artwork_id: ArtworkId, user: SignedIn, db: PortalDb
) -> Response:
    """The file as an attachment, for the quote's company and for staff."""
    with db.session() as session:
        artwork = service.get_artwork(session, user.principal, quote_id, artwork_id)
        content, filename, ctype = artwork.data, artwork.filename, artwork.content_type
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{url_quote(filename)}"
    return Response(
        content=content,
        media_type=ctype,
        headers={
            "Content-Disposition": disposition,
            # An SVG opened directly must not run scripts.
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )
