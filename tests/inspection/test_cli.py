"""``microbag inspect plan|lot|decide|rework-done`` and ``microbag lots list``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from microbag.cli import app

runner = CliRunner()


def test_plan_as_text_and_json(cli_db) -> None:
    result = runner.invoke(app, ["inspect", "plan", "--lot-size", "1000"])
    assert result.exit_code == 0, result.output
    assert "code letter J" in result.output and "accept 5, reject 6" in result.output
    result = runner.invoke(
        app, ["inspect", "plan", "--lot-size", "40", "--aql-major", "2.5", "--json"]
    )
    data = json.loads(result.output)
    assert data["plans"]["major"]["sample_size"] == 5 and data["units_to_inspect"] == 13
    result = runner.invoke(app, ["inspect", "plan", "--lot-size", "1000", "--aql-major", "3"])
    assert result.exit_code == 1 and "invalid_aql" in result.output


def test_inspect_decide_rework_and_list(cli_db, make_lot, on_hand) -> None:
    lot_id = make_lot(1000)
    before = on_hand()
    result = runner.invoke(
        app, ["inspect", "lot", str(lot_id), "--defect", "glue:major:1", "--defect", "zips"]
    )
    assert result.exit_code == 1
    assert "unknown_defect_kind" in result.output or "invalid_defect" in result.output
    result = runner.invoke(
        app,
        ["inspect", "lot", str(lot_id), "--defect", "stitching:major:6", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["result"], data["lot_status"]) == ("reject", "quarantined")
    assert on_hand() == before
    listed = json.loads(
        runner.invoke(app, ["lots", "list", "--status", "quarantined", "--json"]).output
    )
    assert [r["id"] for r in listed] == [lot_id]
    result = runner.invoke(
        app, ["inspect", "decide", str(lot_id), "--decision", "accept_with_note"]
    )
    assert result.exit_code == 1 and "note_required" in result.output
    result = runner.invoke(app, ["inspect", "decide", str(lot_id), "--decision", "rework"])
    assert result.exit_code == 0 and "rework" in result.output
    result = runner.invoke(app, ["inspect", "rework-done", str(lot_id)])
    assert result.exit_code == 0 and "pending inspection" in result.output
    result = runner.invoke(app, ["inspect", "lot", str(lot_id)])
    assert result.exit_code == 0 and "accepted" in result.output
    assert on_hand() == before + 1000
    result = runner.invoke(app, ["lots", "list"])
    assert result.exit_code == 0 and "accepted" in result.output
    result = runner.invoke(app, ["lots", "list", "--status", "lost"])
    assert result.exit_code == 1
