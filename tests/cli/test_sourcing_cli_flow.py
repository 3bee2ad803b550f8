"""Issue 10's buying flow from the command line, end to end: ``microbag reorder suggest``
and ``reorder draft``, ``po send / confirm / receive``, ``lots list``, ``inspect lot`` and
``inspect decide``; stock and incoming read back from the database in between."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from microbag.cli import app
from microbag.stock.models import StockLevel
from microbag.stock.service import next_incoming
from tests.test_sourcing_flow import ON_HAND, SKU, journey_data


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, f"microbag {' '.join(args)}:\n{result.output}"
    return result


def stock_on_hand(db, world) -> int:
    with db.session() as s:
        return int(
            s.scalar(
                select(StockLevel.on_hand).where(
                    StockLevel.sku_id == world.skus[SKU],
                    StockLevel.warehouse_id == world.warehouse,
                )
            )
        )


def test_the_whole_flow_from_the_cli(cli_db, world) -> None:
    data = journey_data(cli_db, world)

    suggested = json.loads(run("reorder", "suggest", "--json").stdout)
    (line,) = suggested
    assert (line["sku"], line["warehouse"], line["supplier"]) == (SKU, "MAIN", "GZ-01")
    quantity = line["quantity"]
    assert quantity >= line["moq"] and quantity % line["case_pack"] == 0
    assert line["order_up_to"] > line["reorder_point"] > ON_HAND

    made = run("reorder", "draft")
    assert "1 draft purchase orders made" in made.stdout
    (po,) = json.loads(run("po", "list", "--status", "draft", "--json").stdout)
    number = po["number"]
    assert po["supplier"] == "GZ-01" and number in made.stdout
    again = run("reorder", "draft")
    assert "0 draft purchase orders made" in again.stdout

    run("po", "send", number)
    confirmed = run("po", "confirm", number, "--promised", data.promised.isoformat())
    assert "confirmed" in confirmed.stdout
    with cli_db.session() as s:
        incoming = next_incoming(s, [world.skus[SKU]], data.today)[world.skus[SKU]]
    assert (incoming.quantity, incoming.expected_date) == (quantity, data.promised)

    received = run("po", "receive", number, "--line", f"{SKU}:{quantity}", "--reference", "DN-7")
    assert "pending_inspection" in received.stdout
    (lot,) = json.loads(run("lots", "list", "--status", "pending_inspection", "--json").stdout)
    assert (lot["po"], lot["sku"], lot["quantity"]) == (number, SKU, quantity)
    assert stock_on_hand(cli_db, world) == ON_HAND

    rejected = json.loads(
        run("inspect", "lot", str(lot["id"]), "--defect", "zips:major:9", "--json").stdout
    )
    assert rejected["result"] == "reject" and rejected["lot_status"] == "quarantined"
    assert stock_on_hand(cli_db, world) == ON_HAND

    decided = run(
        "inspect",
        "decide",
        str(lot["id"]),
        "--decision",
        "accept_with_note",
        "--note",
        "zips replaced before shelving",
    )
    assert "accepted" in decided.stdout
    assert stock_on_hand(cli_db, world) == ON_HAND + quantity
    shown = json.loads(run("po", "show", number, "--json").stdout)
    assert shown["status"] == "received"
    with cli_db.session() as s:
        assert world.skus[SKU] not in next_incoming(s, [world.skus[SKU]], data.today)
