"""Compliance document pages: staff upload and delete on the style and SKU pages;
anyone signed in downloads what they may see (buyers: their market's and all).

Thin adapters over compliance.service. The buyer's list is on the SKU page
(catalog/pages.py); the staff lists and forms are in staff/_documents.html, shown
by catalog/staff_pages.py and staff_sku_pages.py, whose pages are re-rendered here
with the form's errors.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from microbag.catalog import staff_pages, staff_sku_pages
from microbag.catalog.policies import CODE_PATTERN
from microbag.compliance import policies, service
from microbag.compliance.api import file_response
from microbag.errors import DomainError
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, SignedIn
from microbag.web.sessions import PortalUser
from microbag.web.staff import CatalogStaff, Form, FormErrors, body_limited_route, text

FORM_OVERHEAD = 64 * 1024  # the form's text fields around the file
DocumentId = Annotated[int, Path(ge=1, le=2_147_483_647)]
StyleId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SkuCode = Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN)]
FIELDS = ("title", "kind", "region", "target", "issued_on", "valid_until")
FORM_FIELDS = (*FIELDS, "file")


def _limit() -> int:
    return policies.MAX_BYTES + FORM_OVERHEAD


def _too_large() -> str:
    return f"documents may be at most {policies.MAX_BYTES // (1024 * 1024)} MB"


router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(verify_csrf)],
    route_class=body_limited_route(_limit, _too_large),
)


def _date(values: dict[str, str], name: str, errors: FormErrors) -> date | None:
    if not values[name]:
        return None
    try:
        return date.fromisoformat(values[name])
    except ValueError:
        errors.add(name, "Enter a date as YYYY-MM-DD.")
        return None


def _upload(
    request: Request,
    user: PortalUser,
    db: Any,
    form: Any,
    *,
    style_id: int | None,
    sku_code: str | None,
) -> tuple[dict[str, str], FormErrors | None, int]:
    """Validate and store the upload: (values, errors or None, status)."""
    values = {name: text(form, name, 200) for name in FIELDS}
    errors = FormErrors()
    issued_on = _date(values, "issued_on", errors)
    valid_until = _date(values, "valid_until", errors)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.add("file", "Choose a file to upload.")
    if errors:  # show every field's problem at once, not only the first ones found
        fields = policies.validate_fields(
            values["region"], values["kind"], values["title"], issued_on, valid_until
        )
        for name, messages in FormErrors.of(fields, FORM_FIELDS).fields.items():
            for message in messages:
                errors.add(name, message)
        return values, errors, 422
    assert isinstance(upload, UploadFile)  # noqa: S101 - narrowing; the form parser made it
    if style_id is not None and values["target"] not in ("", "style"):
        style_id, sku_code = None, values["target"]
    data = upload.file.read(policies.MAX_BYTES + 1)
    try:
        with db.session(write=True) as session:
            service.add_document(
                session,
                user.principal,
                style_id=style_id,
                sku_code=sku_code,
                region=values["region"],
                kind=values["kind"],
                title=values["title"],
                filename=upload.filename,
                content_type=upload.content_type,
                data=data,
                issued_on=issued_on,
                valid_until=valid_until,
            )
    except DomainError as exc:
        errors = FormErrors.of(exc.items, FORM_FIELDS)
        if exc.status != 413:
            errors.add("file", "Choose the file again (nothing was saved).")
        return values, errors, 422 if exc.status == 404 else exc.status
    return values, None, 303


@router.post("/staff/catalog/styles/{style_id}/documents")
def upload_for_style(
    request: Request, style_id: StyleId, user: CatalogStaff, db: PortalDb, form: Form
) -> Response:
    values, errors, status = _upload(request, user, db, form, style_id=style_id, sku_code=None)
    if errors:
        return staff_pages.style_page_view(
            request, user, db, style_id, doc_values=values, doc_errors=errors, status_code=status
        )
    return RedirectResponse(
        f"/staff/catalog/styles/{style_id}?done=document#documents", status_code=303
    )


@router.post("/staff/catalog/skus/{code}/documents")
def upload_for_sku(
    request: Request, code: SkuCode, user: CatalogStaff, db: PortalDb, form: Form
) -> Response:
    values, errors, status = _upload(request, user, db, form, style_id=None, sku_code=code)
    if errors:
        return staff_sku_pages.sku_page_view(
            request, user, db, code, doc_values=values, doc_errors=errors, status_code=status
        )
    return RedirectResponse(f"/staff/catalog/skus/{code}?done=document#documents", status_code=303)


@router.post("/staff/compliance/documents/{document_id}/delete")
def delete(document_id: DocumentId, user: CatalogStaff, db: PortalDb) -> Response:
    with db.session(write=True) as session:
        style_id, sku_code = service.delete_document(session, user.principal, document_id)
    target = f"/staff/catalog/skus/{sku_code}" if sku_code else f"/staff/catalog/styles/{style_id}"
    return RedirectResponse(f"{target}?done=document_deleted#documents", status_code=303)


@router.get("/documents/{document_id}")
def download(document_id: DocumentId, user: SignedIn, db: PortalDb) -> Response:
    """The file as an attachment: staff, or a buyer of the document's market."""
    with db.session() as session:
        doc = service.get_document(session, user.principal, document_id)
        content, filename, ctype = doc.data, doc.filename, doc.content_type
    return file_response(content, filename, ctype)
