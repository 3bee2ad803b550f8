"""Staff pages of suppliers: the list (filters, certificate expiry warnings), a new
supplier, one supplier (details and edit, contacts, capabilities, certificates with
upload, price list with add and end, landed costs in the base currency) and the price
list import. All staff read; admin and merchandisers write (the catalog role set)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from microbag.compliance.api import file_response
from microbag.config import get_settings
from microbag.errors import DomainError
from microbag.suppliers import certificates, importer, policies, service
from microbag.suppliers.staff_forms import (
    CERT_FIELDS,
    PRICE_FIELDS,
    form_errors,
    optional_date,
    optional_int,
    options,
    supplier_fields,
    supplier_values,
    supplier_view,
)
from microbag.timeutil import utcnow
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import (
    CatalogStaff,
    Form,
    FormErrors,
    PageNo,
    body_limited_route,
    pager,
    parse_amount,
    staff_page,
    text,
)

FORM_OVERHEAD = 64 * 1024
PAGE_SIZE = 50
SupplierId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ObjectId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _certificate_limit() -> int:
    return policies.MAX_CERTIFICATE_BYTES + FORM_OVERHEAD


def _import_limit() -> int:
    return get_settings().import_max_upload_bytes + FORM_OVERHEAD


router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(verify_csrf)],
    route_class=body_limited_route(
        _certificate_limit,
        lambda: f"at most {policies.MAX_CERTIFICATE_BYTES // (1024 * 1024)} MB",
    ),
)
# The import page takes larger files (the import limit); its routes keep this class.
import_router = APIRouter(
    route_class=body_limited_route(
        _import_limit, lambda: f"at most {get_settings().import_max_upload_bytes // 2**20} MB"
    )
)


# ---- list --------------------------------------------------------------------------------


@router.get("/staff/suppliers")
def suppliers_page(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    page: PageNo = 1,
    country: Annotated[str, Query(max_length=2)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    capability: Annotated[str, Query(max_length=40)] = "",
    active: Annotated[str, Query(max_length=3)] = "yes",
) -> Response:
    filters = {"country": country.upper(), "kind": kind, "capability": capability, "active": active}
    today = utcnow().date()
    with db.session() as session:
        rows, total = service.list_suppliers(
            session,
            country=filters["country"] or None,
            kind=kind if kind in policies.KINDS else None,
            capability=capability.strip().lower() or None,
            active={"yes": True, "no": False}.get(active),
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        summaries = service.certificate_summaries(session, [r.id for r in rows], today)
        warnings = certificates.expiring_certificates(session, today)
    return staff_page(
        request,
        user,
        "staff/suppliers.html",
        {
            "title": "Suppliers",
            "rows": [(r, summaries[r.id]) for r in rows],
            "total": total,
            "filters": filters,
            "kinds": options(policies.KINDS, policies.KIND_NAMES),
            "warnings": warnings,
            "warning_days": get_settings().certificate_warning_days,
            "pages": pager("/staff/suppliers", filters, page, total, PAGE_SIZE),
        },
        section="suppliers",
    )


# ---- new supplier ------------------------------------------------------------------------


def _new_page(
    request: Request,
    user: PortalUser,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return staff_page(
        request,
        user,
        "staff/supplier_new.html",
        {
            "title": "New supplier",
            "values": values,
            "errors": errors,
            "kinds": options(policies.KINDS, policies.KIND_NAMES),
        },
        section="suppliers",
        status_code=status_code,
    )


@router.get("/staff/suppliers/new")
def newsupplier_view(request: Request, user: CatalogStaff) -> Response:
    return _new_page(request, user, supplier_values(None))


@router.post("/staff/suppliers/new")
def create_supplier(request: Request, user: CatalogStaff, db: PortalDb, form: Form) -> Response:
    errors = FormErrors()
    values, fields = supplier_fields(form, errors, new=True)
    if not errors:
        try:
            with db.session(write=True) as session:
                supplier_id = service.create_supplier(session, fields).id
        except DomainError as exc:
            errors = form_errors(exc)
    if errors:
        return _new_page(request, user, values, errors, 422)
    return RedirectResponse(f"/staff/suppliers/{supplier_id}?done=created", status_code=303)


# ---- price list import -------------------------------------------------------------------


def _import_page(
    request: Request,
    user: PortalUser,
    *,
    result: importer.PriceImportResult | None = None,
    rejected: list[Any] | None = None,
    status_code: int = 200,
) -> Response:
    return staff_page(
        request,
        user,
        "staff/supplier_import.html",
        {
            "title": "Import supplier prices",
            "result": result,
            "rejected": rejected or [],
            "columns": importer.REQUIRED + importer.OPTIONAL,
            "max_mb": get_settings().import_max_upload_bytes // 2**20,
        },
        section="suppliers",
        status_code=status_code,
    )


@import_router.get("/staff/suppliers/import")
def import_page(request: Request, user: CatalogStaff) -> Response:
    return _import_page(request, user)


@import_router.post("/staff/suppliers/import")
def import_prices(request: Request, user: CatalogStaff, db: PortalDb, form: Form) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _import_page(
            request,
            user,
            rejected=[DomainError.single("no_file", "Choose a CSV or XLSX file.").items[0]],
            status_code=422,
        )
    data = upload.file.read(get_settings().import_max_upload_bytes + 1)
    try:
        with db.session(write=True) as session:
            result = importer.import_prices(
                session, data, upload.filename, actor=user.principal.email
            )
    except DomainError as exc:
        return _import_page(request, user, rejected=exc.items, status_code=exc.status)
    return _import_page(request, user, result=result)


router.include_router(import_router)


# ---- one supplier ------------------------------------------------------------------------


@router.get("/staff/suppliers/{supplier_id}")
def supplier_page(
    request: Request, supplier_id: SupplierId, user: StaffUser, db: PortalDb
) -> Response:
    return supplier_view(request, user, db, supplier_id)


@router.post("/staff/suppliers/{supplier_id}")
def update_supplier(
    request: Request, supplier_id: SupplierId, user: CatalogStaff, db: PortalDb, form: Form
) -> Response:
    errors = FormErrors()
    values, fields = supplier_fields(form, errors, new=False)
    if not errors:
        try:
            with db.session(write=True) as session:
                service.update_supplier(session, supplier_id, fields)
        except DomainError as exc:
            if exc.status == 404:
                raise
            errors = form_errors(exc)
    if errors:
        return supplier_view(
            request, user, db, supplier_id, values=values, errors=errors, status_code=422
        )
    return RedirectResponse(f"/staff/suppliers/{supplier_id}?done=saved", status_code=303)


@router.post("/staff/suppliers/{supplier_id}/prices")
def add_price(
    request: Request, supplier_id: SupplierId, user: CatalogStaff, db: PortalDb, form: Form
) -> Response:
    values = {name: text(form, name, 80) for name in PRICE_FIELDS}
    errors = FormErrors()
    currency = values["currency"].upper()
    cost = 0
    try:
        cost = parse_amount(values["unit_cost"], currency)
    except ValueError as exc:
        errors.add("unit_cost", str(exc))
    except KeyError:  # pragma: no cover - an unknown currency code in Babel
        errors.add("currency", "Enter an ISO 4217 currency code.")
    numbers = {
        n: optional_int(values[n], n, errors) for n in ("moq", "case_pack", "lead_time_days")
    }
    valid_from = optional_date(values["valid_from"], "valid_from", errors)
    valid_until = optional_date(values["valid_until"], "valid_until", errors)
    target = values["target"]
    is_style = target.lower().startswith("style:")
    if not target:
        errors.add("target", "Enter a SKU code, or style:CODE for a whole style.")
    if not errors:
        try:
            with db.session(write=True) as session:
                service.add_price(
                    session,
                    supplier_id,
                    sku=None if is_style else target,
                    style=target[6:].strip() if is_style else None,
                    unit_cost_minor=cost,
                    currency=currency,
                    moq=numbers["moq"] or 1,
                    case_pack=numbers["case_pack"] or 1,
                    lead_time_days=numbers["lead_time_days"],
                    valid_from=valid_from,
                    valid_until=valid_until,
                    actor=user.principal.email,
                )
        except DomainError as exc:
            if exc.status == 404:
                raise
            for item in exc.items:
                name = {"sku": "target", "style": "target"}.get(item.field or "", item.field)
                errors.add(name if name in PRICE_FIELDS else None, item.message)
    if errors:
        return supplier_view(
            request,
            user,
            db,
            supplier_id,
            price_values=values,
            price_errors=errors,
            status_code=422,
        )
    return RedirectResponse(f"/staff/suppliers/{supplier_id}?done=price#prices", status_code=303)


@router.post("/staff/supplier-prices/{price_id}/end")
def end_price(
    request: Request, price_id: ObjectId, user: CatalogStaff, db: PortalDb, form: Form
) -> Response:
    """End a price on the given day (default: yesterday, so it no longer applies today)."""
    errors = FormErrors()
    day = optional_date(text(form, "valid_until", 20), "valid_until", errors)
    with db.session(write=True) as session:
        price = service.get_price(session, price_id)
        supplier_id = price.supplier_id
        if not errors:
            try:
                ended_on = day or date.fromordinal(utcnow().date().toordinal() - 1)
                service.end_price(
                    session, price_id, max(ended_on, price.valid_from), actor=user.principal.email
                )
            except DomainError as exc:
                errors = FormErrors.of(exc.items, ())
    if errors:
        return supplier_view(request, user, db, supplier_id, price_errors=errors, status_code=422)
    return RedirectResponse(f"/staff/suppliers/{supplier_id}?done=ended#prices", status_code=303)


@router.post("/staff/suppliers/{supplier_id}/certificates")
def add_certificate(
    request: Request, supplier_id: SupplierId, user: CatalogStaff, db: PortalDb, form: Form
) -> Response:
    values = {name: text(form, name, 200) for name in CERT_FIELDS if name != "file"}
    errors = FormErrors()
    issued_on = optional_date(values["issued_on"], "issued_on", errors)
    valid_until = optional_date(values["valid_until"], "valid_until", errors)
    upload = form.get("file")
    has_file = isinstance(upload, UploadFile) and bool(upload.filename)
    data = None
    if has_file and isinstance(upload, UploadFile):
        data = upload.file.read(policies.MAX_CERTIFICATE_BYTES + 1)
    if not errors:
        try:
            with db.session(write=True) as session:
                certificates.add_certificate(
                    session,
                    supplier_id,
                    kind=values["kind"],
                    issuer=values["issuer"],
                    reference=values["reference"],
                    issued_on=issued_on,
                    valid_until=valid_until,
                    filename=upload.filename if isinstance(upload, UploadFile) else None,
                    content_type=upload.content_type if isinstance(upload, UploadFile) else None,
                    data=data,
                )
        except DomainError as exc:
            if exc.status == 404:
                raise
            errors = FormErrors.of(exc.items, CERT_FIELDS)
            if has_file:
                errors.add("file", "Choose the file again (nothing was saved).")
    if errors:
        return supplier_view(
            request,
            user,
            db,
            supplier_id,
            cert_values=values,
            cert_errors=errors,
            status_code=413
            if data is not None and len(data) > policies.MAX_CERTIFICATE_BYTES
            else 422,
        )
    return RedirectResponse(
        f"/staff/suppliers/{supplier_id}?done=certificate#certificates", status_code=303
    )


@router.get("/staff/supplier-certificates/{certificate_id}")
def certificate_file(certificate_id: ObjectId, _user: StaffUser, db: PortalDb) -> Response:
    with db.session() as session:
        data, filename, content_type = certificates.certificate_file(session, certificate_id)
    return file_response(data, filename, content_type)


@router.post("/staff/supplier-certificates/{certificate_id}/delete")
def delete_certificate(certificate_id: ObjectId, _user: CatalogStaff, db: PortalDb) -> Response:
    with db.session(write=True) as session:
        supplier_id = certificates.delete_certificate(session, certificate_id)
    return RedirectResponse(
        f"/staff/suppliers/{supplier_id}?done=deleted#certificates", status_code=303
    )
