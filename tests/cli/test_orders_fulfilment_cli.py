"""``microbag orders shipments|ship|deliver-shipment|waiting|prioritize|fill-waiting``: an
order shipped in two parts from the command line (table and JSON), delivered; errors come
back as messages with their codes and a non-zero exit; the waiting queue listed, reordered
(audited as "cli") and filled."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from microbag.accounts.service import get_user_by_email, principal_of
from microbag.audit.models import AuditEntry
from microbag.cli import app
from microbag.orders import service
from microbag.orders.schemas import OrderLineIn
from microbag.stock.models import StockLevel

pytestmark = pytest.mark.db

GLD, RED = "MC-001-GLD", "MT-001-RED"


@pytest.fixture
def cli(cli_db, world, monkeypatch):
    # The CLI's console was created (and sized) when another test imported it first:
    # give it room so the tables are not cut at 80 columns.
    from microbag.cli.common import console

    monkeypatch.setattr(console, "width", 200)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


def who(db, email):
    with db.session() as s:
        return principal_of(get_user_by_email(s, email))


def place(db, email, *lines, confirm=False):
    with db.session(write=True) as s:
        order, _ = service.place_order(s, who(db, email), list(lines))
        order_id = order.id
    if confirm:
        with db.session(write=True) as s:
            service.confirm_order(s, who(db, "sales@seller.test"), order_id)
    return order_id


def set_on_hand(db, world, sku, on_hand):
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel).where(StockLevel.sku_id == world.skus[sku]).values(on_hand=on_hand)
        )


def status(db, order_id):
    with db.session() as s:
        return service.get_order(s, who(db, "admin@seller.test"), order_id).status


def test_ship_in_two_parts_list_and_deliver(cli, db, world):
    order_id = place(
        db,
        "buyer@a.test",
        OrderLineIn(sku=GLD, quantity=12),
        OrderLineIn(sku=RED, quantity=24),
        confirm=True,
    )
    oid = str(order_id)
    empty = cli("orders", "shipments", oid)
    assert empty.exit_code == 0 and "no shipments yet" in empty.output
    first = cli(
        "orders", "ship", oid, "--carrier", "dhl_express", "--tracking", "1234 5678 90",
        "--line", "1:12", "--line", "2:6",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "shipment 1 (shipped): DHL Express 1234567890" in first.output
    assert "tracking-id=1234567890" in first.output
    assert status(db, order_id) == "partly_shipped"
    second = cli(
        "orders", "ship", oid, "--carrier", "other", "--tracking", "PARCEL-9",
        "--warehouse", "MAIN", "--json",
    )  # fmt: skip
    assert second.exit_code == 0, second.output
    data = json.loads(second.output)
    assert (data["number"], data["carrier_name"], data["tracking_url"]) == (
        2,
        "Other carrier",
        None,
    )
    assert data["lines"] == [{"line": 2, "sku": RED, "quantity": 18, "warehouse": "MAIN"}]
    assert status(db, order_id) == "shipped"

    listed = json.loads(cli("orders", "shipments", oid, "--json").output)
    assert [(s["number"], s["status"], s["tracking_number"]) for s in listed] == [
        (1, "shipped", "1234567890"),
        (2, "shipped", "PARCEL9"),
    ]
    assert listed[0]["lines"] == [
        {"line": 1, "sku": GLD, "quantity": 12, "warehouse": "MAIN"},
        {"line": 2, "sku": RED, "quantity": 6, "warehouse": "MAIN"},
    ]
    table = cli("orders", "shipments", oid)
    assert table.exit_code == 0 and "DHL Express" in table.output and "PARCEL9" in table.output

    done = cli("orders", "deliver-shipment", oid, "1")
    assert done.exit_code == 0, done.output
    assert f"order {order_id} is shipped" in done.output
    again = cli("orders", "deliver-shipment", oid, "1")
    assert again.exit_code != 0 and "already_delivered" in again.output
    done = cli("orders", "deliver-shipment", oid, "2")
    assert f"order {order_id} is delivered" in done.output
    assert status(db, order_id) == "delivered"


def test_ship_errors(cli, db, world):
    placed = str(place(db, "buyer@a.test", OrderLineIn(sku=GLD, quantity=12)))
    r = cli("orders", "ship", placed, "--carrier", "ups", "--tracking", "1Z999AA10123456784")
    assert r.exit_code != 0 and "invalid_transition" in r.output
    oid = str(place(db, "buyer@a.test", OrderLineIn(sku=RED, quantity=12), confirm=True))
    other = ("--carrier", "other", "--tracking", "ABCD1234")
    cases = [
        (("--carrier", "pigeon", "--tracking", "ABCD1234"), "unknown_carrier"),
        (("--carrier", "ups", "--tracking", "12"), "invalid_tracking_number"),
        ((*other, "--line", "1:13"), "quantity_not_reserved"),
        ((*other, "--line", "3:1"), "line 3:"),
        ((*other, "--line", "1-2"), "LINE:QUANTITY"),
        ((*other, "--line", "1:0"), "1 or more"),
        ((*other, "--warehouse", "NOPE"), "unknown_warehouse"),
    ]
    for args, expected in cases:
        r = cli("orders", "ship", oid, *args)
        assert r.exit_code != 0, args
        assert expected in r.output, (args, r.output)
    assert json.loads(cli("orders", "shipments", oid, "--json").output) == []
    assert cli("orders", "shipments", "999999").exit_code != 0


def test_waiting_prioritize_and_fill(cli, db, world):
    set_on_hand(db, world, GLD, 0)
    back = place(db, "buyer@b.test", OrderLineIn(sku=GLD, quantity=12, fulfilment="backorder"))
    pre = place(db, "buyer@a.test", OrderLineIn(sku=GLD, quantity=12, fulfilment="preorder"))
    late = place(db, "owner@a.test", OrderLineIn(sku=GLD, quantity=12, fulfilment="backorder"))
    rows = json.loads(cli("orders", "waiting", "--json").output)
    assert [(r["order_id"], r["fulfilment"]) for r in rows] == [
        (pre, "preorder"),
        (back, "backorder"),
        (late, "backorder"),
    ]
    assert rows[0]["promised_from"] == "2030-01-15"
    assert json.loads(cli("orders", "waiting", "--sku", RED, "--json").output) == []
    table = cli("orders", "waiting", "--sku", GLD)
    assert table.exit_code == 0 and "preorder" in table.output and "2030-01-15" in table.output
    assert "no line waits" in cli("orders", "waiting", "--sku", RED).output

    moved = cli("orders", "prioritize", str(late), "1", "5")
    assert moved.exit_code == 0, moved.output
    assert "queue priority 5" in moved.output
    rows = json.loads(cli("orders", "waiting", "--json").output)
    assert [r["order_id"] for r in rows] == [late, pre, back]
    with db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "order_line")).one()
        assert entry.entity_id == f"{late}/1"
    for args, expected in (
        ((str(late), "1", "1000001"), "invalid_priority"),
        ((str(late), "2", "1"), "unknown_line"),
    ):
        r = cli("orders", "prioritize", *args)
        assert r.exit_code != 0 and expected in r.output, r.output

    assert "0 units reserved for 0 waiting lines" in cli("orders", "fill-waiting").output
    set_on_hand(db, world, GLD, 18)  # a count found 18
    filled = cli("orders", "fill-waiting", "--json")
    assert filled.exit_code == 0, filled.output
    assert json.loads(filled.output) == {
        "filled": [
            {"order_id": late, "line": 1, "sku": GLD, "units": 12, "still_waiting": 0},
            {"order_id": pre, "line": 1, "sku": GLD, "units": 6, "still_waiting": 6},
        ],
        "units": 18,
    }
    rows = json.loads(cli("orders", "waiting", "--json").output)
    assert [(r["order_id"], r["waiting_quantity"]) for r in rows] == [(pre, 6), (back, 12)]
    r = cli("orders", "prioritize", str(late), "1", "1")
    assert r.exit_code != 0 and "not_waiting" in r.output
