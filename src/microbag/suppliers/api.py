"""HTTP API of suppliers (staff only; buyers never see the buying side): suppliers,
price lists and their import, offers with landed costs, certificates.
Reads: all staff; writes: admin and merchandiser."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.types import Message

from microbag.accounts.policies import STAFF_CATALOG_ROLES
from microbag.accounts.principal import Principal
from microbag.compliance import policies as file_rules
from microbag.compliance.api import file_response
from microbag.config import get_settings
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    ErrorResponse,
    IdPath,
    Paging,
    ReadSession,
    WriteSession,
    require_staff,
)
from microbag.suppliers import certificates, importer, policies, service
from microbag.suppliers.models import Supplier, SupplierCertificate
from microbag.suppliers.schemas import (
    CertificateOut,
    CertificateSummaryOut,
    Country,
    ItemCode,
    Kind,
    OfferOut,
    PriceImportOut,
    PriceIn,
    PriceOut,
    PricePatch,
    SupplierIn,
    SupplierOut,
    SupplierPage,
    SupplierPatch,
)
from microbag.timeutil import utcnow

# A form's few fields on top of the file.
_FORM_ALLOWANCE = 64 * 1024


def _body_limit(path: str) -> int:
    if path.endswith("/imports"):
        return get_settings().import_max_upload_bytes + _FORM_ALLOWANCE
    return policies.MAX_CERTIFICATE_BYTES + _FORM_ALLOWANCE


class _TooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    message = f"the upload may be at most {limit // (1024 * 1024)} MB"
    return JSONResponse(
        {"errors": [{"code": "file_too_large", "message": message, "line": None}]},
        status_code=413,
        headers={"Connection": "close"},
    )


class BodyLimitedRoute(APIRoute):
    """413 as soon as a body passes the route's limit (declared or received), before it
    is spooled: imports up to settings.import_max_upload_bytes, anything else 10 MB."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        limit = _body_limit(self.path)

        async def limited(request: Request) -> Response:
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return _too_large(limit)
            received = 0
            receive = request.receive

            async def counting() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
                return message

            try:
                return await handler(Request(request.scope, counting))
            except _TooLarge:
                return _too_large(limit)

        return limited


router = APIRouter(tags=["suppliers"], route_class=BodyLimitedRoute)

StaffReader = Annotated[Principal, Depends(require_staff())]
Editor = Annotated[Principal, Depends(require_staff(*STAFF_CATALOG_ROLES))]
UPLOAD_RESPONSES = WRITE_RESPONSES | {413: {"model": ErrorResponse, "description": "Too large"}}
CertificateKind = Annotated[str, Form(pattern=r"^[a-z0-9_]{1,40}$")]
_FILE_CONTENT: dict[str, Any] = {
    ct: {"schema": {"type": "string", "format": "binary"}} for ct in file_rules.DOCUMENT_TYPES
}


def supplier_out(session: Session, supplier: Supplier) -> SupplierOut:
    today = utcnow().date()
    summary = service.certificate_summaries(session, [supplier.id], today)[supplier.id]
    return _out(supplier, summary)


def _out(supplier: Supplier, summary: certificates.CertificateSummary) -> SupplierOut:
    return SupplierOut(
        id=supplier.id,
        code=supplier.code,
        name=supplier.name,
        kind=supplier.kind,
        country=supplier.country,
        region=supplier.region,
        currency=supplier.currency,
        contacts=supplier.contacts or [],
        capabilities=policies.normalized_capabilities(supplier.capabilities or {}),
        monthly_capacity_units=supplier.monthly_capacity_units,
        default_lead_time_days=supplier.default_lead_time_days,
        payment_terms=supplier.payment_terms,
        notes=supplier.notes,
        active=supplier.active,
        created_at=supplier.created_at,
        certificates=CertificateSummaryOut(
            valid=summary.valid,
            expiring=summary.expiring,
            expired=summary.expired,
            kinds=list(summary.kinds),
        ),
    )


def prices_out(session: Session, prices: list[Any]) -> list[PriceOut]:
    return [
        PriceOut(**{**vars(v), "supplier": v.supplier_code})
        for v in service.price_views(session, prices)
    ]


def certificate_out(certificate: SupplierCertificate, today: date) -> CertificateOut:
    return CertificateOut(
        id=certificate.id,
        supplier_id=certificate.supplier_id,
        kind=certificate.kind,
        issuer=certificate.issuer,
        reference=certificate.reference,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        status=certificates.status_of(certificate, today),
        filename=certificate.filename,
        content_type=certificate.content_type,
        size_bytes=certificate.size_bytes,
        sha256=certificate.sha256,
        created_at=certificate.created_at,
    )


@router.get("/suppliers", response_model=SupplierPage, responses=READ_RESPONSES)
def list_suppliers(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    country: Annotated[Country | None, Query()] = None,
    kind: Annotated[Kind | None, Query()] = None,
    capability: Annotated[
        str | None,
        Query(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", description="oem, micro_tote, canvas..."),
    ] = None,
    active: Annotated[bool | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
) -> SupplierPage:
    """Suppliers by code; ``capability`` is a flag (oem, odm, logo, packaging) or a bag
    type, material or hardware they work with."""
    rows, total = service.list_suppliers(
        session,
        country=country,
        kind=kind,
        capability=capability,
        active=active,
        q=q,
        offset=paging.offset,
        limit=paging.page_size,
    )
    summaries = service.certificate_summaries(session, [r.id for r in rows], utcnow().date())
    return SupplierPage(
        items=[_out(r, summaries[r.id]) for r in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.post("/suppliers", status_code=201, response_model=SupplierOut, responses=WRITE_RESPONSES)
def create_supplier(body: SupplierIn, _staff: Editor, session: WriteSession) -> SupplierOut:
    """A factory or trading company (admin, merchandiser)."""
    supplier = service.create_supplier(session, body.model_dump(exclude_unset=True))
    return supplier_out(session, supplier)


@router.get("/suppliers/{supplier_id}", response_model=SupplierOut, responses=READ_RESPONSES)
def get_supplier(supplier_id: IdPath, _staff: StaffReader, session: ReadSession) -> SupplierOut:
    return supplier_out(session, service.get_supplier(session, supplier_id))


@router.patch("/suppliers/{supplier_id}", response_model=SupplierOut, responses=WRITE_RESPONSES)
def update_supplier(
    supplier_id: IdPath, body: SupplierPatch, _staff: Editor, session: WriteSession
) -> SupplierOut:
    """Change the fields given (a null leaves a field as it is)."""
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return supplier_out(session, service.update_supplier(session, supplier_id, changes))


@router.get(
    "/suppliers/{supplier_id}/prices", response_model=list[PriceOut], responses=READ_RESPONSES
)
def list_prices(
    supplier_id: IdPath,
    _staff: StaffReader,
    session: ReadSession,
    current: Annotated[bool, Query(description="Only prices valid today")] = False,
) -> list[PriceOut]:
    """The supplier's price list, newest first, with landed costs in the base currency."""
    prices = service.list_prices(
        session, supplier_id=supplier_id, current_on=utcnow().date() if current else None
    )
    return prices_out(session, prices)


@router.post(
    "/suppliers/{supplier_id}/prices",
    status_code=201,
    response_model=PriceOut,
    responses=WRITE_RESPONSES,
)
def add_price(supplier_id: IdPath, body: PriceIn, staff: Editor, session: WriteSession) -> PriceOut:
    """A price for a SKU or a style; the SKUs' landed costs (range plan) are refreshed."""
    price = service.add_price(session, supplier_id, **body.model_dump(), actor=staff.email)
    return prices_out(session, [price])[0]


@router.patch("/supplier-prices/{price_id}", response_model=PriceOut, responses=WRITE_RESPONSES)
def update_price(
    price_id: IdPath, body: PricePatch, staff: Editor, session: WriteSession
) -> PriceOut:
    """End a price (``valid_until``) or change its cost, MOQ, case pack or lead time."""
    changes = body.model_dump(exclude_unset=True)
    price = service.update_price(session, price_id, changes, actor=staff.email)
    return prices_out(session, [price])[0]


@router.post(
    "/supplier-prices/imports",
    response_model=PriceImportOut,
    responses=UPLOAD_RESPONSES,
    summary="Import supplier prices from CSV or XLSX (all rows or none)",
)
def import_prices(
    staff: Editor,
    session: WriteSession,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, layout in docs")],
) -> PriceImportOut:
    """Every bad row is reported (422, each with its ``line`` and ``field`` = column)."""
    limit = get_settings().import_max_upload_bytes
    data = file.file.read(limit + 1)
    result = importer.import_prices(session, data, file.filename, actor=staff.email)
    return PriceImportOut(**vars(result))


@router.get(
    "/suppliers/{supplier_id}/certificates",
    response_model=list[CertificateOut],
    responses=READ_RESPONSES,
)
def list_certificates(
    supplier_id: IdPath, _staff: StaffReader, session: ReadSession
) -> list[CertificateOut]:
    """Certifications and audit reports, the soonest to expire first."""
    today = utcnow().date()
    return [certificate_out(c, today) for c in certificates.list_certificates(session, supplier_id)]


@router.post(
    "/suppliers/{supplier_id}/certificates",
    status_code=201,
    response_model=CertificateOut,
    responses=UPLOAD_RESPONSES,
    summary="Add a certificate or audit report (file optional: PDF, PNG or JPEG, 10 MB)",
)
def add_certificate(
    supplier_id: IdPath,
    _staff: Editor,
    session: WriteSession,
    kind: CertificateKind,
    issuer: Annotated[str, Form(max_length=200, pattern=r"^[^\x00]*$")] = "",
    reference: Annotated[str, Form(max_length=100, pattern=r"^[^\x00]*$")] = "",
    issued_on: Annotated[date | None, Form()] = None,
    valid_until: Annotated[date | None, Form()] = None,
    file: Annotated[UploadFile | None, File(description="The scan (optional)")] = None,
) -> CertificateOut:
    data = None
    if file is not None:
        data = file.file.read(policies.MAX_CERTIFICATE_BYTES + 1)
    certificate = certificates.add_certificate(
        session,
        supplier_id,
        kind=kind,
        issuer=issuer,
        reference=reference,
        issued_on=issued_on,
        valid_until=valid_until,
        filename=file.filename if file is not None else None,
        content_type=file.content_type if file is not None else None,
        data=data,
    )
    return certificate_out(certificate, utcnow().date())


@router.get(
    "/supplier-certificates/{certificate_id}",
    response_class=Response,
    responses={
        **READ_RESPONSES,
        200: {"description": "The file, as an attachment", "content": _FILE_CONTENT},
    },
    summary="Download a certificate's file",
)
def download_certificate(
    certificate_id: IdPath, _staff: StaffReader, session: ReadSession
) -> Response:
    data, filename, content_type = certificates.certificate_file(session, certificate_id)
    return file_response(data, filename, content_type)


@router.delete(
    "/supplier-certificates/{certificate_id}",
    status_code=204,
    response_class=Response,
    responses=WRITE_RESPONSES,
)
def delete_certificate(certificate_id: IdPath, _staff: Editor, session: WriteSession) -> Response:
    certificates.delete_certificate(session, certificate_id)
    return Response(status_code=204)


@router.get("/supplier-offers", response_model=list[OfferOut], responses=READ_RESPONSES)
def list_offers(
    _staff: StaffReader,
    session: ReadSession,
    sku: Annotated[ItemCode, Query(description="SKU code")],
    on: Annotated[date | None, Query(description="Day (default today)")] = None,
) -> list[OfferOut]:
    """Every active supplier's current offer for the SKU, cheapest landed cost first."""
    base = get_settings().base_currency
    offers = service.offers_for_sku_code(session, sku, on or utcnow().date())
    return [
        OfferOut(
            **{k: v for k, v in vars(o).items() if k not in ("supplier_code", "sku_id")},
            supplier=o.supplier_code,
            sku=sku,
            base_currency=base,
        )
        for o in offers
    ]
