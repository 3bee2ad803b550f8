"""Staff page for the bulk catalog import: upload, preview every row error, then import.

Step one runs catalog.importer with ``dry_run=True``: every row is checked and nothing
is written. A file with errors is listed row by row (fix it and upload again); a clean
file is kept in a staging folder under ``data_dir`` (named by the user and a random
token) and the preview offers "Import". Step two imports that exact file, all rows or
none, and removes it. Staged files are deleted after STAGING_TTL.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from microbag.catalog import importer
from microbag.catalog.api import MAX_UPLOAD_BYTES
from microbag.catalog.rows import COLUMNS, REQUIRED
from microbag.config import get_settings
from microbag.errors import DomainError, ErrorItem
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb
from microbag.web.sessions import PortalUser
from microbag.web.staff import CatalogStaff, body_limited_route, staff_page
from microbag.web.staff import Form as FormFields

STAGING_TTL_S = 6 * 3600
FORM_OVERHEAD = 64 * 1024
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _limit() -> int:
    return MAX_UPLOAD_BYTES + FORM_OVERHEAD


def _too_large() -> str:
    return f"catalog files may be {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"


router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(verify_csrf)],
    route_class=body_limited_route(_limit, _too_large),
)


# ---- staging -----------------------------------------------------------------------------------


def staging_dir() -> Path:
    path = Path(get_settings().data_dir) / "catalog-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _paths(user_id: int, token: str) -> tuple[Path, Path]:
    base = staging_dir() / f"{user_id}-{token}"
    return base.with_suffix(".data"), base.with_suffix(".name")


def stage(user_id: int, data: bytes, filename: str) -> str:
    """Keep a checked file for the import step; returns its token. Old files are swept."""
    cutoff = time.time() - STAGING_TTL_S
    for old in staging_dir().glob("*.*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    data_path, name_path = _paths(user_id, token)
    data_path.write_bytes(data)
    name_path.write_text(filename, encoding="utf-8")
    return token


def staged(user_id: int, token: str) -> tuple[bytes, str] | None:
    """The staged file of this user, if the token is theirs and the file is still there."""
    if not _TOKEN.match(token):
        return None
    data_path, name_path = _paths(user_id, token)
    try:
        return data_path.read_bytes(), name_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def unstage(user_id: int, token: str) -> None:
    for path in _paths(user_id, token):
        path.unlink(missing_ok=True)


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
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
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
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    filename = upload.filename
    if len(data) > MAX_UPLOAD_BYTES:
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
    token = stage(user.principal.user_id, data, filename)
    return _page(request, user, filename=filename, report=report, token=token)


@router.post("/staff/catalog/import/apply")
def apply(
    request: Request,
    user: CatalogStaff,
    db: PortalDb,
    token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Import the file that was checked: all rows or none."""
    found = staged(user.principal.user_id, token)
    if found is None:
        return _page(
            request,
            user,
            file_error="The checked file is no longer here; choose it again.",
            status_code=409,
        )
    data, filename = found
    try:
        with db.session(write=True) as session:
            report = importer.import_catalog(session, data, filename, dry_run=False)
    except DomainError as exc:  # the catalog changed since the preview
        return _page(
            request,
            user,
            filename=filename,
            problems=row_errors(exc.items),
            bad_rows=len({i.line for i in exc.items if i.line and i.line > 1}),
            status_code=exc.status,
        )
    unstage(user.principal.user_id, token)
    return _page(request, user, filename=filename, report=report, imported=True)
