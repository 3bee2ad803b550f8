"""HTTP API for quotes and OEM requests (a thin adapter over quotes.service)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote as url_quote

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message

from microbag.accounts.policies import BUYER_WRITE_ROLES, STAFF_QUOTE_ROLES
from microbag.accounts.principal import Principal
from microbag.config import get_settings
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    CurrentPrincipal,
    ErrorResponse,
    Page,
    Paging,
    ReadSession,
    WriteSession,
    require_buyer,
    require_staff,
)
from microbag.quotes import policies, service
from microbag.quotes.schemas import (
    ArtworkOut,
    MoneyOut,
    QuoteAcceptOut,
    QuoteAnswerIn,
    QuoteKind,
    QuoteOut,
    QuoteRequestIn,
    QuoteStatus,
)

# JSON bodies here are small (100 lines at most); uploads carry one file plus headers.
JSON_BODY_LIMIT = 256 * 1024
MULTIPART_OVERHEAD = 64 * 1024


class _BodyTooLarge(StarletteHTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413)


def _too_large(limit: int) -> JSONResponse:
    message = f"the request body exceeds {limit} bytes"
    code = "request_too_large"
    if limit > JSON_BODY_LIMIT:
        code = "artwork_too_large"
        message = f"artwork files may be at most {get_settings().artwork_max_bytes} bytes"
    return JSONResponse(
        {"errors": [{"code": code, "message": message, "line": None}]},
        status_code=413,
        headers={"Connection": "close"},
    )


class BodyLimitedRoute(APIRoute):
    """Answers 413 as soon as a body is too large, before it is read or spooled to disk.

    Checks the declared Content-Length, then counts the bytes actually received
    (chunked bodies declare nothing).
    """

    def body_limit(self) -> int:
        if self.path.endswith("/artworks") and "POST" in (self.methods or ()):
            return get_settings().artwork_max_bytes + MULTIPART_OVERHEAD
        return JSON_BODY_LIMIT

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        body_limit = self.body_limit

        async def limited(request: Request) -> Response:
            limit = body_limit()
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return _too_large(limit)
            received = 0
            receive = request.receive

            async def counting_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        raise _BodyTooLarge()
                return message

            try:
                return await handler(Request(request.scope, counting_receive))
            except _BodyTooLarge:
                return _too_large(limit)

        return limited


router = APIRouter(tags=["quotes"], route_class=BodyLimitedRoute)

QuoteId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Quote id")]
ArtworkId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Artwork id")]
Buyer = Annotated[Principal, Depends(require_buyer(*sorted(BUYER_WRITE_ROLES)))]
QuoteStaff = Annotated[Principal, Depends(require_staff(*sorted(STAFF_QUOTE_ROLES)))]

Responses = dict[int | str, dict[str, Any]]
TOO_LARGE: Responses = {413: {"model": ErrorResponse, "description": "Request body too large"}}
# A body that is not even text (invalid UTF-8, broken multipart) cannot be parsed: 400.
UNPARSABLE: Responses = {400: {"model": ErrorResponse, "description": "Unparsable body"}}
WRITE: Responses = {**WRITE_RESPONSES, **TOO_LARGE, **UNPARSABLE}


def _out(quote: Any) -> QuoteOut:
    return QuoteOut.of(quote, service.today_utc())


@router.post(
    "/quotes",
    status_code=201,
    response_model=QuoteOut,
    responses=WRITE,
    summary="Request a quote (may be below MOQ) or an OEM customization",
)
def request_quote(body: QuoteRequestIn, session: WriteSession, principal: Buyer) -> QuoteOut:
    quote = service.request_quote(
        session,
        principal,
        body.lines,
        kind=body.kind,
        customization=body.customization,
        notes=body.notes,
    )
    return _out(quote)


@router.get(
    "/quotes",
    response_model=Page[QuoteOut],
    responses=READ_RESPONSES,
    summary="List quotes: the buyer's company's, or every company's for staff (the inbox)",
)
def list_quotes(
    session: ReadSession,
    principal: CurrentPrincipal,
    paging: Paging,
    status: Annotated[QuoteStatus | None, Query(description="Status as read")] = None,
    kind: Annotated[QuoteKind | None, Query()] = None,
    company_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Staff only: one company")
    ] = None,
) -> Page[QuoteOut]:
    quotes, total = service.list_quotes(
        session,
        principal,
        status=status,
        kind=kind,
        company_id=company_id,
        offset=paging.offset,
        limit=paging.page_size,
    )
    return Page[QuoteOut](
        items=[_out(q) for q in quotes],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.get("/quotes/{quote_id}", response_model=QuoteOut, responses=READ_RESPONSES)
def get_quote(quote_id: QuoteId, session: ReadSession, principal: CurrentPrincipal) -> QuoteOut:
    return _out(service.get_quote(session, principal, quote_id))


@router.post(
    "/quotes/{quote_id}/artworks",
    status_code=201,
    response_model=ArtworkOut,
    responses=WRITE,
    summary="Upload an artwork file (PNG, JPEG, PDF, SVG, AI/EPS; at most 10 MB)",
)
def upload_artwork(
    quote_id: QuoteId,
    file: Annotated[UploadFile, File(description="The artwork file")],
    session: WriteSession,
    principal: Buyer,
) -> ArtworkOut:
    # One byte past the limit is enough to know the file is too large.
    data = file.file.read(get_settings().artwork_max_bytes + 1)
    artwork = service.add_artwork(
        session, principal, quote_id, file.filename, file.content_type, data
    )
    return ArtworkOut.of(artwork)


_FILE_CONTENT: dict[str, Any] = {
    ct: {"schema": {"type": "string", "format": "binary"}} for ct in policies.ARTWORK_TYPES
}


@router.get(
    "/quotes/{quote_id}/artworks/{artwork_id}",
    response_class=Response,
    responses={
        **READ_RESPONSES,
        200: {"description": "The file, as an attachment", "content": _FILE_CONTENT},
    },
    summary="Download an artwork file",
)
def download_artwork(
    quote_id: QuoteId, artwork_id: ArtworkId, session: ReadSession, principal: CurrentPrincipal
) -> Response:
    artwork = service.get_artwork(session, principal, quote_id, artwork_id)
    fallback = artwork.filename.encode("ascii", "replace").decode().replace("?", "_")
    encoded = url_quote(artwork.filename, safe="")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    return Response(
        content=artwork.data,
        media_type=artwork.content_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            # An SVG opened directly must not run scripts.
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/quotes/{quote_id}/answer",
    response_model=QuoteOut,
    responses=WRITE,
    summary="Staff: price every line, with a lead time and a validity date",
)
def answer_quote(
    quote_id: QuoteId, body: QuoteAnswerIn, session: WriteSession, principal: QuoteStaff
) -> QuoteOut:
    quote = service.answer_quote(
        session,
        principal,
        quote_id,
        body.lines,
        lead_time_days=body.lead_time_days,
        valid_until=body.valid_until,
        note=body.note,
    )
    return _out(quote)


@router.post(
    "/quotes/{quote_id}/accept",
    status_code=201,
    response_model=QuoteAcceptOut,
    responses=WRITE,
    summary="Accept the answer: the quote becomes an order, exactly once",
)
def accept_quote(quote_id: QuoteId, session: WriteSession, principal: Buyer) -> QuoteAcceptOut:
    order = service.accept_quote(session, principal, quote_id)
    return QuoteAcceptOut(
        quote_id=quote_id,
        order_id=order.id,
        order_status=order.status,
        total=MoneyOut(amount_minor=order.total_minor, currency=order.currency),
    )


@router.post(
    "/quotes/{quote_id}/decline",
    response_model=QuoteOut,
    responses=WRITE,
    summary="Decline the seller's answer",
)
def decline_quote(quote_id: QuoteId, session: WriteSession, principal: Buyer) -> QuoteOut:
    return _out(service.decline_quote(session, principal, quote_id))


@router.post(
    "/quotes/{quote_id}/cancel",
    response_model=QuoteOut,
    responses=WRITE,
    summary="Withdraw the request before it is answered",
)
def cancel_quote(quote_id: QuoteId, session: WriteSession, principal: Buyer) -> QuoteOut:
    return _out(service.cancel_quote(session, principal, quote_id))
