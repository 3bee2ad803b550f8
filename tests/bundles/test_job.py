"""The ``bundles_mine`` job: a worker mines the baskets and stores the rules with its result."""

from __future__ import annotations

from microbag.bundles import service
from microbag.jobs import service as jobs
from microbag.jobs.policies import BUNDLES_MINE, result_page
from microbag.jobs.worker import Worker

from .helpers import basket_history


def test_a_worker_mines_the_baskets(db, world, tmp_path):
    basket_history(db, tmp_path)
    with db.session(write=True) as s:
        queued = jobs.enqueue(s, BUNDLES_MINE, {}, created_by="merch@seller.test")
    assert Worker(db).run_one()
    with db.session() as s:
        job = jobs.get_job(s, queued.id)
        run = service.latest_run(s)
    assert job.status == "succeeded", job.error
    assert run is not None and job.result["run_id"] == run.id
    assert job.result["baskets"] == 11 and run.created_by == "merch@seller.test"
    assert result_page(BUNDLES_MINE, queued.id) == "/staff/bundles"


def test_without_history_the_job_says_so(db, world):
    with db.session(write=True) as s:
        queued = jobs.enqueue(s, BUNDLES_MINE, {})
    assert Worker(db).run_one()
    with db.session() as s:
        job = jobs.get_job(s, queued.id)
    assert job.status == "succeeded" and "No sales history" in job.result["message"]
