"""``microbag import costs`` and ``microbag plan range``."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from microbag.cli import app

runner = CliRunner()
COSTS = (
    "sku,unit_cost,currency,effective_from,supplier_moq,supplier_case_pack\n"
    "MC-001-GLD,18.00,EUR,2026-01-01,12,6\n"
    "MC-001-BLK,18.00,EUR,2026-01-01,12,6\n"
    "MT-001-RED,21.50,EUR,2026-01-01,6,6\n"
    "CB-001-TAN,16.00,EUR,2026-01-01,1,1\n"
)
PLAN = [
    "plan",
    "range",
    "--season",
    "holiday",
    "--year",
    "2026",
    "--currency",
    "EUR",
    "--budget",
    "10000.00",
    "--no-knowledge-defaults",
    "--time-limit",
    "5",
]


def test_costs_import_then_a_plan_as_csv(cli_db, world, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(COSTS + "NOPE,1,EUR,2026-01-01,1,1\n")
    result = runner.invoke(app, ["import", "costs", str(bad)])
    assert result.exit_code == 1 and "unknown_sku" in result.output
    good = tmp_path / "costs.csv"
    good.write_text(COSTS)
    result = runner.invoke(app, ["import", "costs", str(good)])
    assert result.exit_code == 0, result.output
    assert "4 cost rows" in result.output
    result = runner.invoke(app, [*PLAN, "--max-styles", "2", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and len({r["style"] for r in rows}) <= 2
    for row in rows:
        to_buy = int(row["units_to_buy"])
        pack = 1 if row["sku"] == "CB-001-TAN" else 6
        assert to_buy % pack == 0


def test_an_infeasible_plan_exits_2_and_names_the_conflict(cli_db, world, tmp_path) -> None:
    good = tmp_path / "costs.csv"
    good.write_text(COSTS)
    assert runner.invoke(app, ["import", "costs", str(good)]).exit_code == 0
    result = runner.invoke(app, [*PLAN, "--at-least", "bag_type:belt_bag=1"])
    assert result.exit_code == 2
    assert "at least 1 SKU of bag type Belt bag" in result.output
