"""HTTP API for compliance documents (a thin adapter over compliance.service)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote as url_quote

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import Message

from microbag.accounts.policies import STAFF_CATALOG_ROLES
from microbag.accounts.principal import Principal
from microbag.catalog.policies import CODE_PATTERN
from microbag.compliance import policies, service
from microbag.compliance.schemas import ComplianceDocumentOut
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    CurrentPrincipal,
    ErrorResponse,
    ReadSession,
    WriteSession,
    require_staff,
)

# One file plus the form's few fields.
BODY_LIMIT = policies.MAX_BYTES + 64 * 1024


class _TooLarge(Exception):
    pass


def _too_large() -> JSONResponse:
    message = f"documents may be at most {policies.MAX_BYTES // (1024 * 1024)} MB"
    return JSONResponse(
        {"errors": [{"code": "document_too_large", "message": message, "line": None}]},
        status_code=413,
        headers={"Connection": "close"},
    )


class BodyLimitedRoute(APIRoute):
    """413 as soon as a body passes BODY_LIMIT (declared or received), before it is spooled."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > BODY_LIMIT:
                return _too_large()
            received = 0
            receive = request.receive

            async def counting() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > BODY_LIMIT:
                    raise _TooLarge()
                return message

            try:
                return await handler(Request(request.scope, counting))
            except _TooLarge:
                return _too_large()

        return limited


router = APIRouter(tags=["compliance"], route_class=BodyLimitedRoute)

CatalogEditor = Annotated[Principal, Depends(require_staff(*STAFF_CATALOG_ROLES))]
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Document id")]
SkuCode = Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN)]
Region = Literal["all", "us", "europe", "japan_korea", "china", "middle_east", "latin_america"]
Kind = Literal[
    "test_report",
    "declaration_of_conformity",
    "prop65_warning",
    "reach_svhc",
    "cpsia",
    "care_label",
    "material_certificate",
]
assert set(Region.__args__) == set(policies.REGIONS)  # type: ignore[attr-defined]  # noqa: S101 - import-time consistency check
assert set(Kind.__args__) == set(policies.KINDS)  # type: ignore[attr-defined]  # noqa: S101 - import-time consistency check


@router.get(
    "/skus/{sku}/compliance-documents",
    response_model=list[ComplianceDocumentOut],
    responses=READ_RESPONSES,
    summary="Compliance documents of a SKU (and of its style)",
)
def list_documents(
    sku: SkuCode, session: ReadSession, principal: CurrentPrincipal
) -> list[ComplianceDocumentOut]:
    """Buyers get the documents for their company's market and for all markets."""
    return service.documents_for_sku(session, principal, sku)


@router.post(
    "/compliance-documents",
    status_code=201,
    response_model=ComplianceDocumentOut,
    responses=WRITE_RESPONSES | {413: {"model": ErrorResponse, "description": "File too large"}},
    summary="Upload a compliance document (PDF, PNG or JPEG; at most 10 MB)",
)
def upload_document(
    session: WriteSession,
    principal: CatalogEditor,
    file: Annotated[UploadFile, File(description="The document (PDF, PNG or JPEG)")],
    region: Annotated[Region, Form(description="The market, or all")],
    kind: Annotated[Kind, Form()],
    title: Annotated[str, Form(min_length=1, max_length=policies.MAX_TITLE_CHARS)],
    style_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    sku: Annotated[str | None, Form(min_length=1, max_length=64, pattern=CODE_PATTERN)] = None,
    issued_on: Annotated[date | None, Form()] = None,
    valid_until: Annotated[date | None, Form()] = None,
) -> ComplianceDocumentOut:
    """Attach to a style (``style_id``: all its SKUs) or to one SKU (``sku``)."""
    data = file.file.read(policies.MAX_BYTES + 1)
    doc = service.add_document(
        session,
        principal,
        style_id=style_id,
        sku_code=sku,
        region=region,
        kind=kind,
        title=title,
        filename=file.filename,
        content_type=file.content_type,
        data=data,
        issued_on=issued_on,
        valid_until=valid_until,
    )
    return service.out(doc, sku)


_FILE_CONTENT: dict[str, Any] = {
    ct: {"schema": {"type": "string", "format": "binary"}} for ct in policies.DOCUMENT_TYPES
}


def file_response(content: bytes, filename: str, content_type: str) -> Response:
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{url_quote(filename)}"
    return Response(
        content=content,
        media_type=content_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/compliance-documents/{document_id}",
    response_class=Response,
    responses={
        **READ_RESPONSES,
        200: {"description": "The file, as an attachment", "content": _FILE_CONTENT},
    },
    summary="Download a compliance document",
)
def download_document(
    document_id: DocumentId, session: ReadSession, principal: CurrentPrincipal
) -> Response:
    doc = service.get_document(session, principal, document_id)
    return file_response(doc.data, doc.filename, doc.content_type)


@router.delete(
    "/compliance-documents/{document_id}",
    status_code=204,
    response_class=Response,
    responses=WRITE_RESPONSES,
    summary="Delete a compliance document",
)
def delete_document(
    document_id: DocumentId, session: WriteSession, principal: CatalogEditor
) -> Response:
    service.delete_document(session, principal, document_id)
    return Response(status_code=204)
