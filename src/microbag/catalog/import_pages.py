"""Staff page for the bulk catalog import: upload, preview every row error, then import.

Step one runs catalog.importer with ``dry_run=True``: every row is checked and nothing
is written. A file with errors is listed row by row (fix it and upload again); a clean
file is staged in the database (catalog/staging.py: its owner, an expiry) and the
preview offers "Import". Step two imports that exact file, all rows or none, and
removes it in the same transaction. Any app server can serve either step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from microbag.catalog import importer, staging
from microbag.catalog.rows import COLUMNS, REQUIRED
from microbag.config import get_settings
from microbag.errors import DomainError, ErrorItem
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb
from microbag.web.sessions import PortalUser
from microbag.web.staff import CatalogStaff, body_limited_route, staff_page
from microbag.web.staff import Form as FormFields

FORM_OVERHEAD = 64 * 1024


def max_upload_bytes() -> int:
    return get_settings().import_max_upload_bytes


def _limit() -> int:
    return max_upload_bytes() + FORM_OVERHEAD


def _too_large() -> str:
    return f"catalog files may be {max_upload_bytes() // (1024 * 1024)} MB"


router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(verify_csrf)],
    route_class=body_limited_route(_limit, _too_large),
)


# ---- pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    line: int | None
    column: str | None
    message: str


def row_errors(items: list[ErrorItem]) -> list[RowError]:
    """The importer's errors as table rows (its messages start with "row N: ")."""
    out = []
    for item in items:
        message = re.sub(r"^row \d+: ", "", item.message)
        out.append(RowError(item.line, item.field, message[:1].upper() + message[1:]))
    return out


def _page(
    request: Request,
    user: PortalUser,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return staff_page(
        request,
        user,
        "staff/import.html",
        {
            "title": "Import the catalog",
            "columns": COLUMNS,
            "required": REQUIRED,
            "max_mb": max_upload_bytes() // (1024 * 1024),
            **context,
        },
        section="catalog",
        status_code=status_code,
    )


@router.get("/staff/catalog/import")
def import_form(request: Request, user: CatalogStaff) -> Response:
    return _page(request, user)


@router.post("/staff/catalog/import")
def preview(request: Request, user: CatalogStaff, db: PortalDb, form: FormFields) -> Response:
    """Check every row (a dry run: nothing is written) and show the problems or a summary."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, user, file_error="Choose a CSV or XLSX file.", status_code=422)
    limit = max_upload_bytes()
    data = upload.file.read(limit + 1)
    filename = upload.filename
    if len(data) > limit:  # bounded before it is checked or stored
        return _page(request, user, file_error=_too_large().capitalize() + ".", status_code=413)
    try:
        with db.session() as session:
            report = importer.import_catalog(session, data, filename, dry_run=True)
    except DomainError as exc:
        return _page(
            request,
            user,
            filename=filename,
            problems=row_errors(exc.items),
            bad_rows=len({i.line for i in exc.items if i.line and i.line > 1}),
            status_code=exc.status,
        )
    with db.session(write=True) as session:
        token = staging.stage(session, user.principal.user_id, data, filename)
    return _page(request, user, filename=filename, report=report, token=token)


@router.post("/staff/catalog/import/apply")
def apply(
    request: Request,
    user: CatalogStaff,
    db: PortalDb,
    token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Import the file that was checked: all rows or none."""
    user_id = user.principal.user_id
    try:
        with db.session(write=True) as session:
            found = staging.staged(session, user_id, token)
            if found is None:
                raise _Gone()
            data, filename = found
            report = importer.import_catalog(
                session, data, filename, dry_run=False, actor=user.principal
            )
            # Removed with the import's own commit: applied once, or still there.
            staging.unstage(session, user_id, token)
    except _Gone:
        return _page(
            request,
            user,
            file_error="The checked file is no longer here; choose it again.",
            status_code=409,
        )
    except DomainError as exc:  # the catalog changed since the preview
        return _page(
            request,
            user,
            filename=filename,
            problems=row_errors(exc.items),
            bad_rows=len({i.line for i in exc.items if i.line and i.line > 1}),
            status_code=exc.status,
        )
    return _page(request, user, filename=filename, report=report, imported=True)


class _Gone(Exception):
    """The staged file expired, was applied already, or is not this user's."""
