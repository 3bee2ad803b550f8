"""``forecast run --queue``, ``trends run --queue``, ``microbag worker --once``, ``jobs list``."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from microbag.cli import app
from microbag.forecasting.models import ForecastRun
from microbag.jobs.models import Job
from microbag.trends.models import TrendRun
from tests.forecasting.conftest import history  # noqa: F401  (weekly history)

runner = CliRunner()


def _json(args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_queue_then_worker_once_runs_forecast_and_trends(cli_db, history):  # noqa: F811
    queued = _json(["forecast", "run", "--horizon", "3", "--queue", "--json"])
    assert queued["status"] == "queued"
    trends = _json(["trends", "run", "--window", "4", "--queue", "--json"])
    with cli_db.session() as s:
        assert s.scalar(select(func.count()).select_from(ForecastRun)) == 0  # only queued
        job = s.get(Job, queued["job_id"])
        assert job.kind == "forecast_run" and job.payload["horizon"] == 3
        assert job.created_by == "cli"
    listed = _json(["jobs", "list", "--json"])
    assert [(j["id"], j["status"]) for j in listed] == [
        (trends["job_id"], "queued"),
        (queued["job_id"], "queued"),
    ]

    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 job(s) run" in result.output

    with cli_db.session() as s:
        run = s.scalars(select(ForecastRun)).one()
        assert run.horizon == 3
        assert s.scalar(select(func.count()).select_from(TrendRun)) == 1
    listed = _json(["jobs", "list", "--json", "--status", "succeeded"])
    by_id = {j["id"]: j for j in listed}
    forecast = by_id[queued["job_id"]]
    assert forecast["result"]["run_id"] == run.id and forecast["result"]["series"] > 0
    assert forecast["attempts"] == 1 and forecast["progress"]["message"]
    assert by_id[trends["job_id"]]["result"]["window_weeks"] == 4
    table = runner.invoke(app, ["jobs", "list"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "succeeded" in table.output

    # Nothing is due any more: --once exits at once.
    again = runner.invoke(app, ["worker", "--once"])
    assert again.exit_code == 0 and "0 job(s) run" in again.output


def test_if_missing_queues_only_when_nothing_is_stored_or_queued(cli_db, history):  # noqa: F811
    first = _json(["trends", "run", "--queue", "--if-missing", "--json"])
    assert first["status"] == "queued"
    second = _json(["trends", "run", "--queue", "--if-missing", "--json"])
    assert second == {"job_id": None, "status": "skipped"}  # one is queued
    assert runner.invoke(app, ["worker", "--once"]).exit_code == 0
    third = _json(["trends", "run", "--queue", "--if-missing", "--json"])
    assert third["status"] == "skipped"  # one is stored
    forecast = _json(["forecast", "run", "--horizon", "2", "--queue", "--if-missing", "--json"])
    assert forecast["status"] == "queued"


def test_sales_import_queued_with_its_file_in_the_database(cli_db, tmp_path):
    csv = tmp_path / "sales.csv"
    csv.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,"
        "United Kingdom\n",
        encoding="utf-8",
    )
    queued = _json(["import", "sales", str(csv), "--mapping", "online-retail", "--queue", "--json"])
    csv.unlink()  # the worker reads the stored copy, not this disk
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    [job] = _json(["jobs", "list", "--json"])
    assert job["id"] == queued["job_id"]
    assert job["status"] == "succeeded", job["error"]
    assert job["result"]["rows_imported"] == 1 and job["result"]["files"] == ["sales.csv"]
