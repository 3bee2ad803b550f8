"""``microbag reorder suggest`` (the JSON contract) and ``microbag reorder draft``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from microbag.cli import app

from .test_drafts import add_plan, two_suppliers

runner = CliRunner()
CONTRACT = (
    "sku",
    "warehouse",
    "supplier",
    "quantity",
    "moq",
    "case_pack",
    "reorder_point",
    "order_up_to",
)


def test_suggest_json_has_the_contract_keys_and_integers(cli_db, world) -> None:
    two_suppliers(cli_db, world)
    result = runner.invoke(app, ["reorder", "suggest", "--service-level", "0.95", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and len(rows) == 3
    for row in rows:
        for key in CONTRACT:
            assert key in row, key
        for key in ("quantity", "moq", "case_pack", "reorder_point", "order_up_to"):
            assert type(row[key]) is int, (key, row[key])
        assert row["quantity"] > 0 and row["quantity"] % row["case_pack"] == 0
        assert isinstance(row["supplier"], str) and row["warehouse"] == "MAIN"
    assert {r["sku"]: r["supplier"] for r in rows} == {
        "MC-001-GLD": "GZ-01",
        "MC-001-BLK": "GZ-01",
        "MT-001-RED": "VN-01",
    }
    default = runner.invoke(app, ["reorder", "suggest", "--json", "--warehouse", "MAIN"])
    assert default.exit_code == 0 and json.loads(default.stdout) == rows  # default 0.95


def test_suggest_table_and_errors(cli_db, world) -> None:
    two_suppliers(cli_db, world)
    result = runner.invoke(app, ["reorder", "suggest"])
    assert result.exit_code == 0, result.output
    assert "MT-001-RED" in result.stdout and "VN-01" in result.stdout
    bad = runner.invoke(app, ["reorder", "suggest", "--warehouse", "NOPE"])
    assert bad.exit_code == 1 and "unknown_warehouse" in bad.output
    out_of_range = runner.invoke(app, ["reorder", "suggest", "--service-level", "1.5"])
    assert out_of_range.exit_code == 2


def test_draft_from_suggestions_and_from_a_range_plan(cli_db, world) -> None:
    two_suppliers(cli_db, world)
    result = runner.invoke(app, ["reorder", "draft", "--service-level", "0.9"])
    assert result.exit_code == 0, result.output
    assert "2 draft purchase orders made" in result.stdout and "PO-" in result.stdout
    plan_id = add_plan(cli_db, {"CB-001-TAN": 5, "MT-001-RED": 12})
    result = runner.invoke(app, ["reorder", "draft", "--range-plan", str(plan_id)])
    assert result.exit_code == 0, result.output
    assert "1 draft purchase orders made" in result.stdout
    assert "CB-001-TAN" in result.output  # skipped: no supplier offers it
    missing = runner.invoke(app, ["reorder", "draft", "--range-plan", "999"])
    assert missing.exit_code == 1
