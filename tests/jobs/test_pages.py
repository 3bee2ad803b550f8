"""Staff start runs and imports from their pages, and see progress and the result."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from microbag.forecasting.models import ForecastRun
from microbag.history.models import SalesImportBatch
from microbag.jobs.models import Job, JobFile
from microbag.jobs.worker import Worker
from tests.forecasting.conftest import history  # noqa: F401  (weekly history)
from tests.web.conftest import csrf_from, new_client, signed_in  # noqa: F401  (fixtures)

MERCH = "merch@seller.test"
SALES = "sales@seller.test"


def _token(client, page: str) -> str:
    r = client.get(page)
    assert r.status_code == 200, r.text[:300]
    return csrf_from(r.text)


def _block(html: str) -> str:
    match = re.search(r'<section class="job-block.*?</section>', html, re.S)
    assert match, "no job block on the page"
    return match.group(0)


def test_merchandiser_starts_a_forecast_and_sees_progress_then_the_result(
    db,
    signed_in,  # noqa: F811
    history,  # noqa: F811
):
    merch = signed_in(MERCH)
    board = merch.get("/staff/forecasts")
    assert 'action="/staff/forecasts/run"' in board.text and "No forecast yet" in board.text
    r = merch.post(
        "/staff/forecasts/run",
        data={"csrf_token": csrf_from(board.text), "horizon": "3"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    job_id = int(r.headers["location"].rsplit("=", 1)[1])
    assert r.headers["location"] == f"/staff/forecasts?job={job_id}"
    with db.session() as s:
        job = s.get(Job, job_id)
        assert (job.kind, job.status, job.payload, job.created_by) == (
            "forecast_run",
            "queued",
            {"horizon": 3},
            MERCH,
        )
        assert s.scalar(select(func.count()).select_from(ForecastRun)) == 0

    page = merch.get(r.headers["location"])
    block = _block(page.text)
    assert 'data-status="queued"' in block and "waiting for a worker" in block
    assert f'hx-get="/staff/jobs/{job_id}/progress"' in block  # polls while active
    assert re.search(r"<button type=\"submit\" disabled>Run a forecast", page.text)

    assert Worker(db).run(once=True) == 1

    # The poll sees the job finished: the fragment says so and reloads the page.
    fragment = merch.get(f"/staff/jobs/{job_id}/progress", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.headers.get("HX-Refresh") == "true"
    assert 'data-status="succeeded"' in fragment.text and "<html" not in fragment.text
    assert "hx-get" not in fragment.text  # no more polling
    page = merch.get(f"/staff/forecasts?job={job_id}")
    block = _block(page.text)
    assert 'data-status="succeeded"' in block and "series forecast 3 weeks ahead" in block
    with db.session() as s:
        run = s.scalars(select(ForecastRun)).one()
    assert f"Run {run.id} of" in page.text and "No forecast yet" not in page.text
    # Once seen, a plain visit shows the forecast without the finished job's block.
    assert "job-block" not in merch.get("/staff/forecasts").text
    listing = merch.get("/staff/jobs")
    assert f'href="/staff/jobs/{job_id}"' in listing.text and "succeeded" in listing.text


def test_trends_run_from_the_board(db, signed_in, history):  # noqa: F811
    merch = signed_in(MERCH)
    r = merch.post(
        "/staff/trends/run",
        data={"csrf_token": _token(merch, "/staff/trends"), "window": "4"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/trends?job=")
    assert Worker(db).run(once=True) == 1
    page = merch.get(r.headers["location"])
    assert 'data-status="succeeded"' in _block(page.text)
    assert "Trends of run 1" in page.text


def test_starting_runs_needs_the_role_and_the_csrf_token(db, signed_in, history):  # noqa: F811
    merch = signed_in(MERCH)
    no_token = merch.post("/staff/forecasts/run", data={"horizon": "3"}, follow_redirects=False)
    assert no_token.status_code == 403
    sales = signed_in(SALES)
    board = sales.get("/staff/forecasts")
    assert 'action="/staff/forecasts/run"' not in board.text  # no button for this role
    refused = sales.post(
        "/staff/forecasts/run",
        data={"csrf_token": csrf_from(board.text), "horizon": "3"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    bad = merch.post(
        "/staff/forecasts/run",
        data={"csrf_token": _token(merch, "/staff/forecasts"), "horizon": "99"},
        follow_redirects=False,
    )
    assert bad.status_code == 422
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0


def test_sales_import_upload_is_stored_in_the_database_and_imported_by_a_worker(
    db,
    signed_in,  # noqa: F811
    world,
):
    merch = signed_in(MERCH)
    form = merch.get("/staff/sales-import")
    assert form.status_code == 200 and 'name="files"' in form.text
    content = (
        b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        b"536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,"
        b"United Kingdom\n"
        b"536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850,United Kingdom\n"
    )
    r = merch.post(
        "/staff/sales-import",
        data={"csrf_token": csrf_from(form.text), "mapping": "online-retail"},
        files=[("files", ("december.csv", content, "text/csv"))],
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    with db.session() as s:
        stored = s.scalars(select(JobFile).where(JobFile.job_id == job_id)).one()
        assert (stored.name, bytes(stored.content)) == ("december.csv", content)
    assert Worker(db).run(once=True) == 1
    page = merch.get(f"/staff/jobs/{job_id}")
    assert 'data-status="succeeded"' in _block(page.text)
    assert "Imported 2 of 2 lines" in page.text
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SalesImportBatch)) == 1
        assert s.scalar(select(func.count()).select_from(JobFile)) == 0  # done: removed

    missing = merch.post(
        "/staff/sales-import",
        data={"csrf_token": csrf_from(form.text), "mapping": "online-retail"},
        follow_redirects=False,
    )
    assert missing.status_code == 422 and "Choose one or more" in missing.text


def test_a_failed_job_is_shown_with_its_error(db, signed_in, world):  # noqa: F811
    merch = signed_in(MERCH)
    r = merch.post(
        "/staff/sales-import",
        data={"csrf_token": _token(merch, "/staff/sales-import"), "mapping": "online-retail"},
        files=[("files", ("bad.csv", b"not,a,sales,file\n1,2,3,4\n", "text/csv"))],
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert Worker(db).run(once=True) == 1
    page = merch.get(r.headers["location"])
    block = _block(page.text)
    assert 'data-status="failed"' in block and "job-error" in block
    failed = merch.get("/staff/jobs", params={"status": "failed"})
    assert r.headers["location"] in failed.text
