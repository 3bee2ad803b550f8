"""Staff pages for background work: start forecast and trends runs, follow a job's progress,
the jobs list.

Starting a run queues a job in the request's unit of work (it exists only if that
commits) and goes back to the run's page, which shows the job; while the job is queued
or running, the block polls ``/staff/jobs/{id}/progress`` (htmx, served locally) and,
once the job has finished, reloads the page so its results show. Without script the
block says to reload.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from microbag.errors import NotFound
from microbag.jobs import policies, service
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.errors import error_page
from microbag.web.render import is_htmx, render
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, PageNo, pager, staff_page, staff_role, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

RunStaff = Annotated[PortalUser, Depends(staff_role("runs"))]
JobId = Annotated[int, Path(ge=1, le=2**62)]
PAGE_SIZE = 40
KINDS = (policies.FORECAST_RUN, policies.TRENDS_RUN, policies.SALES_IMPORT)


def _number(raw: str, default: int, low: int, high: int) -> int | None:
    """A whole number from a form field in low..high (empty: the default), else None."""
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if low <= value <= high else None


def _start(db: PortalDb, user: PortalUser, kind: str, payload: dict[str, object]) -> int:
    with db.session(write=True) as session:
        job = service.enqueue(session, kind, payload, created_by=user.principal.email)
    return job.id


@router.post("/staff/forecasts/run")
def start_forecast(request: Request, user: RunStaff, db: PortalDb, form: Form) -> Response:
    """Queue a forecast run (weeks ahead from the form) and show its progress."""
    horizon = _number(text(form, "horizon", 3), 8, 1, 52)
    if horizon is None:
        return error_page(request, 422, "Weeks ahead must be a whole number from 1 to 52.")
    job_id = _start(db, user, policies.FORECAST_RUN, {"horizon": horizon})
    return RedirectResponse(f"/staff/forecasts?job={job_id}", status_code=303)


@router.post("/staff/trends/run")
def start_trends(request: Request, user: RunStaff, db: PortalDb, form: Form) -> Response:
    """Queue a trends run (window in weeks from the form) and show its progress."""
    window = _number(text(form, "window", 3), 8, 1, 52)
    if window is None:
        return error_page(request, 422, "The window must be a whole number of weeks, 1 to 52.")
    job_id = _start(db, user, policies.TRENDS_RUN, {"window": window, "include_signals": True})
    return RedirectResponse(f"/staff/trends?job={job_id}", status_code=303)


@router.get("/staff/jobs")
def jobs_list(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    kind: Annotated[str, Query(pattern=r"^(forecast_run|trends_run|sales_import)?$")] = "",
    status: Annotated[str, Query(pattern=r"^(queued|running|succeeded|failed)?$")] = "",
    page: PageNo = 1,
) -> Response:
    """Every job, newest first: status, tries, progress, result or error."""
    with db.session() as session:
        jobs, total = service.list_jobs(
            session,
            kind=kind or None,
            status=status or None,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    params = {"kind": kind, "status": status}
    return staff_page(
        request,
        user,
        "staff/jobs.html",
        {
            "title": "Background jobs",
            "jobs": jobs,
            "filters": params,
            "kinds": [(k, policies.kind_name(k)) for k in KINDS],
            "statuses": ("queued", "running", "succeeded", "failed"),
            "pager": pager("/staff/jobs", params, page, total, PAGE_SIZE),
        },
        section="jobs",
    )


@router.get("/staff/jobs/{job_id}")
def job_page(request: Request, user: StaffUser, db: PortalDb, job_id: JobId) -> Response:
    try:
        with db.session() as session:
            job = service.get_job(session, job_id)
    except NotFound:
        return error_page(request, 404, f"No job {job_id}.")
    return staff_page(
        request,
        user,
        "staff/job.html",
        {"title": f"{job.kind_name} {job.id}", "job": job},
        section="jobs",
    )


@router.get("/staff/jobs/{job_id}/progress")
def job_progress(request: Request, user: StaffUser, db: PortalDb, job_id: JobId) -> Response:
    """The job's block alone (htmx polls it while the job is queued or running)."""
    try:
        with db.session() as session:
            job = service.get_job(session, job_id)
    except NotFound:
        return error_page(request, 404, f"No job {job_id}.")
    response = render(request, "staff/_job_block.html", {"job": job}, fragment=True)
    if not job.active and is_htmx(request):
        # Finished while the page watched: reload it, so the new results show.
        response.headers["HX-Refresh"] = "true"
    response.headers["Cache-Control"] = "no-store"
    return response
