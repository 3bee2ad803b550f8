"""Staff page for sales history imports, run as jobs: upload files, a worker imports them.

The files are stored in the database with the job (``jobs.service.enqueue``), never on
the disk of the server that received them, so any worker on any machine can import
them; the upload is bounded (``MICROBAG_IMPORT_MAX_UPLOAD_BYTES`` in all) before it is
stored. The import itself is the one ``microbag import sales`` runs: all-or-nothing
unless "skip bad rows" is ticked.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile
from starlette.responses import Response

from microbag.config import get_settings
from microbag.history.policies import packaged_mappings
from microbag.jobs import service as jobs
from microbag.jobs.policies import SALES_IMPORT, STAFF_RUN_ROLES
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, body_limited_route, staff_page, staff_role, text

FORM_OVERHEAD = 64 * 1024
MAX_FILES = 20


def max_upload_bytes() -> int:
    return get_settings().import_max_upload_bytes


def _too_large() -> str:
    return f"sales files may be {max_upload_bytes() // (1024 * 1024)} MB in all"


router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(verify_csrf)],
    route_class=body_limited_route(lambda: max_upload_bytes() + FORM_OVERHEAD, _too_large),
)
RunStaff = Annotated[PortalUser, Depends(staff_role("runs"))]


def _page(
    request: Request,
    user: PortalUser,
    db: PortalDb,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    with db.session() as session:
        recent, _total = jobs.list_jobs(session, kind=SALES_IMPORT, limit=10)
    return staff_page(
        request,
        user,
        "staff/sales_import.html",
        {
            "title": "Import sales history",
            "mappings": packaged_mappings(),
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "recent": recent,
            "may_import": user.principal.role in STAFF_RUN_ROLES,
            **context,
        },
        section="jobs",
        status_code=status_code,
    )


@router.get("/staff/sales-import")
def sales_import_form(request: Request, user: StaffUser, db: PortalDb) -> Response:
    return _page(request, user, db)


@router.post("/staff/sales-import")
def queue_sales_import(request: Request, user: RunStaff, db: PortalDb, form: Form) -> Response:
    """Store the files with a sales import job and show its progress."""
    mapping = text(form, "mapping", 100)
    until = text(form, "until", 10)
    errors: dict[str, str] = {}
    if mapping not in packaged_mappings():
        errors["mapping"] = "Choose a column mapping."
    if until:
        try:
            date.fromisoformat(until)
        except ValueError:
            errors["until"] = "Enter a date as YYYY-MM-DD."
    uploads = [u for u in form.getlist("files") if isinstance(u, UploadFile) and u.filename]
    if not uploads:
        errors["files"] = "Choose one or more CSV or XLSX files (gzip-compressed is fine)."
    elif len(uploads) > MAX_FILES:
        errors["files"] = f"At most {MAX_FILES} files at once."
    files: list[tuple[str, bytes]] = []
    left = max_upload_bytes()
    for upload in uploads if not errors else []:
        data = upload.file.read(left + 1)
        if len(data) > left:  # bounded before it is stored
            return _page(
                request,
                user,
                db,
                errors={"files": _too_large().capitalize() + "."},
                status_code=413,
            )
        left -= len(data)
        files.append((upload.filename or "upload", data))
    if errors:
        return _page(request, user, db, errors=errors, status_code=422)
    payload = {"mapping": mapping, "until": until or None, "skip_bad": bool(text(form, "skip_bad"))}
    with db.session(write=True) as session:
        job = jobs.enqueue(
            session, SALES_IMPORT, payload, created_by=user.principal.email, files=files
        )
    return RedirectResponse(f"/staff/jobs/{job.id}", status_code=303)
