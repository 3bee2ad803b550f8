"""``microbag forecast run`` and ``microbag export forecasts`` on a small database."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from sqlalchemy import func, select
from typer.testing import CliRunner

from microbag.cli import app
from microbag.forecasting.models import BacktestScore, Forecast, ForecastRun

runner = CliRunner()
LAST_WEEK = date(2024, 7, 22)  # the Monday of the 30th week from 2024-01-01


def test_run_and_export_csv(cli_db, history, tmp_path) -> None:
    result = runner.invoke(app, ["forecast", "run", "--horizon", "4", "--json"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert run["last_week"] == str(LAST_WEEK) and run["first_week"] == "2024-07-29"
    assert set(run["levels"]) == {"total", "region", "type", "style", "sku", "sku_region"}
    assert any(r["model"] == "microbag" for r in run["backtest"])
    exported = runner.invoke(app, ["export", "forecasts", "--level", "sku", "--format", "csv"])
    assert exported.exit_code == 0, exported.output
    lines = exported.stdout.splitlines()
    assert lines[0] == "sku,week_start,mean,lo80,hi80"
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == 3 * 4  # one row per SKU (regions together) and week
    assert {r["sku"] for r in rows} == {"MT-001-RED", "MC-001-BLK", "CB-001-TAN"}
    weeks = sorted({date.fromisoformat(r["week_start"]) for r in rows})
    assert weeks[0] == date(2024, 7, 29) and all(w.weekday() == 0 for w in weeks)
    for r in rows:
        assert 0 <= float(r["lo80"]) <= float(r["mean"]) <= float(r["hi80"])
    black = [float(r["mean"]) for r in rows if r["sku"] == "MC-001-BLK"]
    assert all(35 <= m <= 200 for m in black)  # ~41/week in us plus lumps in europe
    with cli_db.session() as s:
        by_region = s.execute(
            select(Forecast.unique_id, Forecast.mean).where(
                Forecast.level == "sku_region", Forecast.week_start == date(2024, 7, 29)
            )
        ).all()
        region_sum = sum(m for u, m in by_region if u.startswith("MC-001-BLK/"))
        assert region_sum == __import__("pytest").approx(black[0], abs=1e-3)
        assert s.scalar(select(func.count()).select_from(BacktestScore)) > 0
        run_row = s.get(ForecastRun, run["run_id"])
        assert run_row.horizon == 4 and run_row.engine == "local" and run_row.duration > 0
    out = tmp_path / "f.csv"
    to_file = runner.invoke(app, ["export", "forecasts", "--level", "style", "-o", str(out)])
    assert to_file.exit_code == 0, to_file.output
    assert out.read_text().splitlines()[0] == "style,week_start,mean,lo80,hi80"


def test_single_level_run_and_table(cli_db, history) -> None:
    result = runner.invoke(
        app, ["forecast", "run", "--horizon", "2", "--level", "sku"], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    assert "3 series x 2 weeks from 2024-07-29" in result.output and "WAPE" in result.output
    with cli_db.session() as s:
        levels = set(s.scalars(select(Forecast.level).distinct()))
    assert levels == {"sku"}
    args = ["forecast", "run", "--horizon", "2", "--level", "type", "--json"]
    earlier = runner.invoke(app, [*args, "--until", "2024-07-01"])
    assert earlier.exit_code == 0, earlier.output
    assert json.loads(earlier.stdout)["first_week"] == "2024-07-01"  # history before it only


def test_empty_history_and_bad_input(cli_db) -> None:
    empty = runner.invoke(app, ["forecast", "run", "--horizon", "4"])
    assert empty.exit_code == 0 and "no sales history" in empty.output
    nothing = runner.invoke(app, ["export", "forecasts", "--level", "sku"])
    assert nothing.exit_code == 1 and "no forecast" in nothing.output
    bad = runner.invoke(app, ["forecast", "run", "--horizon", "0"])
    assert bad.exit_code != 0
