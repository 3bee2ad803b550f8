"""``microbag suppliers list|show|add`` and ``microbag import supplier-prices``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from microbag.cli import app

runner = CliRunner()


def test_add_list_show_and_import(cli_db, world, tmp_path) -> None:
    result = runner.invoke(
        app,
        [
            "suppliers",
            "add",
            "--code",
            "VN-01",
            "--name",
            "Saigon Bags",
            "--country",
            "VN",
            "--currency",
            "USD",
            "--lead-time-days",
            "30",
        ],
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        app,
        ["suppliers", "add", "--code", "X", "--name", "X", "--country", "XX", "--currency", "USD"],
    )
    assert bad.exit_code == 1 and "invalid_country" in bad.output
    prices = tmp_path / "prices.csv"
    prices.write_text(
        "supplier,sku,unit_cost,currency,moq,case_pack,valid_from\n"
        "VN-01,MC-001-GLD,12.00,USD,50,10,2026-01-01\n"
    )
    result = runner.invoke(app, ["import", "supplier-prices", str(prices)])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "supplier,sku,unit_cost,currency,moq,case_pack,valid_from\n"
        "NOPE,MC-001-GLD,12.00,USD,50,10,2026-01-01\n"
    )
    result = runner.invoke(app, ["import", "supplier-prices", str(broken)])
    assert result.exit_code == 1 and "unknown_supplier" in result.output
    listed = runner.invoke(app, ["suppliers", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [s["code"] for s in json.loads(listed.output)] == ["VN-01"]
    shown = runner.invoke(app, ["suppliers", "show", "VN-01", "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["prices"][0]["sku"] == "MC-001-GLD" and data["prices"][0]["moq"] == 50
    assert runner.invoke(app, ["suppliers", "show", "VN-01"]).exit_code == 0
    assert runner.invoke(app, ["suppliers", "list"]).exit_code == 0
    missing = runner.invoke(app, ["suppliers", "show", "NOPE"])
    assert missing.exit_code == 1 and "unknown_supplier" in missing.output
