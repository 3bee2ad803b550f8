"""``microbag scorecards [--json]`` and ``microbag scorecards rank``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from microbag.cli import app
from microbag.timeutil import utcnow
from tests.sourcing_data import add_supplier, add_supplier_price

from .history import known_history

runner = CliRunner()


def _data(db, world) -> None:
    with db.session(write=True) as s:
        good = known_history(s, world, today=utcnow().date()).supplier
        other = add_supplier(s, "ZJ-02", capabilities={"oem": True, "bag_types": ["micro_tote"]})
        add_supplier_price(s, good, world.skus["MC-001-GLD"], 1_200)
        add_supplier_price(s, other, world.skus["MC-001-GLD"], 1_000, moq=100)


def test_scorecards_as_json_and_table(cli_db, world) -> None:
    _data(cli_db, world)
    result = runner.invoke(app, ["scorecards", "--json"])
    assert result.exit_code == 0, result.output
    cards = {c["code"]: c for c in json.loads(result.output)}
    assert (
        cards["GZ-01"]["delivered_lines"] == 3 and cards["ZJ-02"]["standing"]["level"] == "unrated"
    )
    table = runner.invoke(app, ["scorecards", "--periods", "2"])
    assert table.exit_code == 0 and "GZ-01" in table.output and "unrated" in table.output


def test_rank_for_a_sku_and_a_capability(cli_db, world) -> None:
    _data(cli_db, world)
    result = runner.invoke(app, ["scorecards", "rank", "--sku", "MC-001-GLD", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert {r["code"] for r in body["rows"]} == {"GZ-01", "ZJ-02"}
    assert body["sensitivity"] and 0 <= body["top1_stable_share"] <= 1
    table = runner.invoke(app, ["scorecards", "rank", "--capability", "oem"])
    assert table.exit_code == 0 and "Kendall tau" in table.output
    bad = runner.invoke(app, ["scorecards", "rank", "--sku", "NOPE"])
    assert bad.exit_code == 1 and "unknown_sku" in bad.output
