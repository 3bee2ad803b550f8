"""``microbag trends run`` and ``microbag import signals`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from microbag.cli import app
from microbag.signals.models import SignalPoint
from microbag.trends.models import TrendRun

runner = CliRunner()


def test_trends_run_table_and_json(cli_db, trending) -> None:
    table = runner.invoke(app, ["trends", "run", "--window", "6"], env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    assert "rising" in table.output and "fading" in table.output
    result = runner.invoke(app, ["trends", "run", "--json", "--no-store"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["window_weeks"] == 8 and payload["run_id"] is None
    red = [r for r in payload["results"] if (r["attribute"], r["value"]) == ("color", "red")]
    assert red and red[0]["label"] == "rising" and red[0]["region"] == "all"
    assert red[0]["evidence"]["mann_kendall"]["trend"] == "increasing"
    with cli_db.session() as s:
        assert s.scalar(select(func.count()).select_from(TrendRun)) == 1  # --no-store


def test_trends_run_on_empty_history(cli_db) -> None:
    result = runner.invoke(app, ["trends", "run"])
    assert result.exit_code == 0 and "no sales history" in result.output


def test_import_signals(cli_db, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "date,metric,attribute,term,value\n2024-03-04,search_interest,keyword,micro bag,7\n"
    )
    ok = runner.invoke(app, ["import", "signals", str(path), "--source", "trendwatch"])
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "b.csv"
    bad.write_text(
        "date,metric,attribute,term,value\n2024-03-04,search_interest,keyword,micro bag,-1\n"
    )
    rejected = runner.invoke(app, ["import", "signals", str(bad), "--source", "trendwatch"])
    assert rejected.exit_code == 1 and "line 2" in rejected.output
    with cli_db.session() as s:
        assert s.scalar(select(func.count()).select_from(SignalPoint)) == 1
