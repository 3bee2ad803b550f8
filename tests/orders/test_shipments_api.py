"""The fulfilment HTTP API (issue 11): preorders and backorders placed over HTTP with their
promises, an order's shipments (list, ship part or all, deliver), the waiting queue (list,
staff priority, fill) and the carriers; roles, scoping and the error shape."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from microbag.shipping.policies import CARRIERS
from microbag.stock.models import StockLevel

GLD, BLK, RED = "MC-001-GLD", "MC-001-BLK", "MT-001-RED"
URL = "/api/v1/orders"
# The world's incoming batch of GLD: 120 units expected 2030-01-15, a 7-day ship window.
EXPECTED, UNTIL = "2030-01-15", "2030-01-22"


def set_on_hand(db, world, sku, on_hand):
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel).where(StockLevel.sku_id == world.skus[sku]).values(on_hand=on_hand)
        )


def place(client, world, email, *lines):
    r = client.post(URL, json={"lines": list(lines)}, headers=world.auth(email))
    assert r.status_code == 201, r.text
    return r.json()


def confirmed(client, world, *lines, email="buyer@a.test"):
    order = place(client, world, email, *lines)
    r = client.post(f"{URL}/{order['id']}/confirm", headers=world.auth("sales@seller.test"))
    assert r.status_code == 200, r.text
    return order["id"]


def ship(client, world, order_id, body, email="sales@seller.test"):
    return client.post(f"{URL}/{order_id}/shipments", json=body, headers=world.auth(email))


def codes(resp):
    return [(e["code"], e.get("line"), e.get("field")) for e in resp.json()["errors"]]


def order_status(client, world, order_id):
    return client.get(f"{URL}/{order_id}", headers=world.auth("sales@seller.test")).json()


# ---- placing preorders and backorders over HTTP ---------------------------------------------


def test_preorder_and_backorder_placed_over_http_carry_their_promise(client, world, db):
    batch = client.get("/api/v1/incoming", headers=world.auth("admin@seller.test")).json()
    batch_id = next(b["id"] for b in batch["items"] if b["sku"] == GLD)
    set_on_hand(db, world, RED, 10)
    data = place(
        client,
        world,
        "buyer@a.test",
        {"sku": GLD, "quantity": 24, "fulfilment": "preorder", "incoming_id": batch_id},
        {"sku": RED, "quantity": 24, "fulfilment": "backorder"},
        {"sku": BLK, "quantity": 12},
    )
    pre, back, plain = data["lines"]
    assert {k: pre[k] for k in pre if k not in ("unit_price", "line_total")} == {
        "line": 1,
        "sku": GLD,
        "quantity": 24,
        "fulfilment": "preorder",
        "waiting_quantity": 24,
        "shipped_quantity": 0,
        "incoming_id": batch_id,
        "promised_from": EXPECTED,
        "promised_until": UNTIL,
        "promise": f"preorder: 24 of 24 ships {EXPECTED} to {UNTIL}",
    }
    # RED has no incoming batch: 10 reserved, 14 wait with no date yet.
    assert (back["fulfilment"], back["waiting_quantity"], back["incoming_id"]) == (
        "backorder",
        14,
        None,
    )
    assert (back["promised_from"], back["promised_until"]) == (None, None)
    assert back["promise"] == "backorder: 10 reserved, 14 waiting, no ship date yet"
    assert (plain["fulfilment"], plain["promise"]) == ("stock", "reserved from stock")
    # The same order read back says the same.
    assert order_status(client, world, data["id"])["lines"] == data["lines"]


def test_preorder_without_batch_is_refused_over_http(client, world):
    r = client.post(
        URL,
        json={"lines": [{"sku": BLK, "quantity": 12, "fulfilment": "preorder"}]},
        headers=world.auth("buyer@a.test"),
    )
    assert r.status_code == 422
    assert [e["code"] for e in r.json()["errors"]] == ["no_incoming_batch"]
    bad = client.post(
        URL,
        json={"lines": [{"sku": BLK, "quantity": 12, "fulfilment": "someday"}]},
        headers=world.auth("buyer@a.test"),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["line"] == 1


# ---- shipments ------------------------------------------------------------------------------


def test_partial_shipments_listed_and_delivered(client, world):
    order_id = confirmed(client, world, {"sku": GLD, "quantity": 12}, {"sku": RED, "quantity": 24})
    first = ship(
        client,
        world,
        order_id,
        {
            "carrier": "dhl_express",
            "tracking_number": "1234 5678 90",
            "lines": [{"line": 1, "quantity": 12}, {"line": 2, "quantity": 6}],
        },
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["shipped_at"] and body["delivered_at"] is None
    assert {k: v for k, v in body.items() if k != "shipped_at"} == {
        "number": 1,
        "status": "shipped",
        "carrier": "dhl_express",
        "carrier_name": "DHL Express",
        "tracking_number": "1234567890",
        "tracking_url": CARRIERS["dhl_express"].tracking_url.replace("{number}", "1234567890"),
        "delivered_at": None,
        "lines": [
            {"line": 1, "sku": GLD, "quantity": 12, "warehouse": "MAIN"},
            {"line": 2, "sku": RED, "quantity": 6, "warehouse": "MAIN"},
        ],
    }
    order = order_status(client, world, order_id)
    assert order["status"] == "partly_shipped"
    assert [ln["shipped_quantity"] for ln in order["lines"]] == [12, 6]

    # Without lines: everything still reserved (RED's 18).
    second = ship(client, world, order_id, {"carrier": "other", "tracking_number": "abc-123/9"})
    assert second.status_code == 201, second.text
    assert second.json()["number"] == 2
    assert second.json()["carrier_name"] == "Other carrier"
    assert second.json()["tracking_url"] is None
    assert second.json()["lines"] == [{"line": 2, "sku": RED, "quantity": 18, "warehouse": "MAIN"}]
    assert order_status(client, world, order_id)["status"] == "shipped"

    # The buyer sees its own order's shipments; another company gets 404.
    listed = client.get(f"{URL}/{order_id}/shipments", headers=world.auth("viewer@a.test"))
    assert listed.status_code == 200
    assert [(s["number"], s["status"]) for s in listed.json()] == [(1, "shipped"), (2, "shipped")]
    assert listed.json()[0] == body
    other = client.get(f"{URL}/{order_id}/shipments", headers=world.auth("buyer@b.test"))
    assert other.status_code == 404

    deliver = f"{URL}/{order_id}/shipments/2/deliver"
    r = client.post(deliver, headers=world.auth("sales@seller.test"))
    assert r.status_code == 200 and r.json()["status"] == "delivered"
    assert r.json()["delivered_at"] is not None
    assert order_status(client, world, order_id)["status"] == "shipped"  # 1 not arrived yet
    again = client.post(deliver, headers=world.auth("sales@seller.test"))
    assert (again.status_code, codes(again)) == (409, [("already_delivered", None, None)])
    missing = client.post(
        f"{URL}/{order_id}/shipments/9/deliver", headers=world.auth("admin@seller.test")
    )
    assert (missing.status_code, missing.json()["errors"][0]["code"]) == (404, "unknown_shipment")
    r = client.post(
        f"{URL}/{order_id}/shipments/1/deliver", headers=world.auth("admin@seller.test")
    )
    assert r.status_code == 200
    assert order_status(client, world, order_id)["status"] == "delivered"


def test_shipment_errors_over_http(client, world):
    order = place(client, world, "buyer@a.test", {"sku": GLD, "quantity": 12})
    order_id = order["id"]
    ok = {"carrier": "ups", "tracking_number": "1Z999AA10123456784"}
    r = ship(client, world, order_id, ok)
    assert (r.status_code, codes(r)) == (409, [("invalid_transition", None, None)])
    client.post(f"{URL}/{order_id}/confirm", headers=world.auth("sales@seller.test"))
    tn = "tracking_number"
    cases = [
        ({"carrier": "ups", tn: "12"}, 422, ("invalid_tracking_number", None, tn)),
        ({"carrier": "pigeon", tn: "ABCD1234"}, 422, ("unknown_carrier", None, "carrier")),
        ({"carrier": "ups", tn: ""}, 422, ("tracking_number_required", None, tn)),
        ({**ok, "lines": [{"line": 1, "quantity": 13}]}, 409, ("quantity_not_reserved", 1, None)),
        ({**ok, "lines": [{"line": 2, "quantity": 1}]}, 422, ("unknown_line", 2, None)),
        (
            {**ok, "lines": [{"line": 1, "quantity": 1}, {"line": 1, "quantity": 1}]},
            422,
            ("duplicate_line", 1, None),
        ),
        ({**ok, "warehouse": "NOPE"}, 404, ("unknown_warehouse", None, None)),
    ]
    for payload, status, first in cases:
        r = ship(client, world, order_id, payload)
        assert r.status_code == status, (payload, r.text)
        assert codes(r)[0] == first, payload
    # Invalid bodies: the request's shape, 422 invalid_input.
    for payload in (
        {"carrier": "ups"},
        {**ok, "lines": []},
        {**ok, "lines": [{"line": 1, "quantity": 0}]},
        {**ok, "extra": 1},
    ):
        r = ship(client, world, order_id, payload)
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == "invalid_input", payload
    listed = client.get(f"{URL}/{order_id}/shipments", headers=world.auth("buyer@a.test"))
    assert listed.json() == []
    # A named warehouse ships only what is reserved there.
    r = ship(client, world, order_id, {**ok, "warehouse": "MAIN"})
    assert r.status_code == 201 and r.json()["lines"][0]["warehouse"] == "MAIN"
    r = ship(client, world, order_id, ok)
    assert (r.status_code, r.json()["errors"][0]["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize("email", ["owner@a.test", "buyer@a.test", "merch@seller.test"])
def test_shipping_is_for_admin_and_sales(client, world, email):
    order_id = confirmed(client, world, {"sku": GLD, "quantity": 12})
    r = ship(client, world, order_id, {"carrier": "other", "tracking_number": "ABCD1234"}, email)
    assert r.status_code == 403
    r = client.post(f"{URL}/{order_id}/shipments/1/deliver", headers=world.auth(email))
    assert r.status_code == 403
    r = client.post(
        f"{URL}/{order_id}/shipments", json={"carrier": "other", "tracking_number": "ABCD1234"}
    )
    assert r.status_code == 401


def test_backordered_units_ship_after_the_queue_is_filled(client, world, db):
    set_on_hand(db, world, RED, 6)
    order_id = confirmed(client, world, {"sku": RED, "quantity": 12, "fulfilment": "backorder"})
    first = ship(client, world, order_id, {"carrier": "other", "tracking_number": "FIRST-1"})
    assert first.status_code == 201 and first.json()["lines"][0]["quantity"] == 6
    r = ship(client, world, order_id, {"carrier": "other", "tracking_number": "NEXT-1"})
    assert (r.status_code, codes(r)) == (409, [("nothing_to_ship", None, None)])
    set_on_hand(db, world, RED, 100)  # a count found more
    filled = client.post("/api/v1/backorders/fill", headers=world.auth("sales@seller.test"))
    assert filled.status_code == 200
    assert filled.json() == {
        "filled": [{"order_id": order_id, "line": 1, "sku": RED, "units": 6, "still_waiting": 0}],
        "units": 6,
    }
    again = client.post("/api/v1/backorders/fill", headers=world.auth("admin@seller.test"))
    assert again.json() == {"filled": [], "units": 0}
    r = ship(client, world, order_id, {"carrier": "other", "tracking_number": "NEXT-1"})
    assert r.status_code == 201
    assert order_status(client, world, order_id)["status"] == "shipped"


# ---- the waiting queue ------------------------------------------------------------------------


def test_waiting_queue_order_priority_and_roles(client, world, db):
    set_on_hand(db, world, GLD, 0)
    back = place(
        client, world, "buyer@b.test", {"sku": GLD, "quantity": 12, "fulfilment": "backorder"}
    )
    pre = place(
        client, world, "buyer@a.test", {"sku": GLD, "quantity": 12, "fulfilment": "preorder"}
    )
    late = place(
        client, world, "owner@a.test", {"sku": GLD, "quantity": 12, "fulfilment": "backorder"}
    )
    place(client, world, "buyer@a.test", {"sku": RED, "quantity": 12})  # waits for nothing
    staff = world.auth("merch@seller.test")  # any staff may read the queue
    queue = client.get("/api/v1/backorders", headers=staff)
    assert queue.status_code == 200, queue.text
    rows = queue.json()
    assert [r["order_id"] for r in rows] == [pre["id"], back["id"], late["id"]]
    assert rows[0] == {
        "order_id": pre["id"],
        "line": 1,
        "company_id": world.company_a,
        "sku": GLD,
        "quantity": 12,
        "waiting_quantity": 12,
        "fulfilment": "preorder",
        "queue_priority": 0,
        "placed_at": rows[0]["placed_at"],
        "incoming_id": pre["lines"][0]["incoming_id"],
        "promised_from": EXPECTED,
        "promised_until": UNTIL,
    }
    assert rows[0]["placed_at"] is not None
    assert rows[1]["fulfilment"] == "backorder" and rows[1]["company_id"] == world.company_b
    by_sku = client.get("/api/v1/backorders", params={"sku": RED}, headers=staff)
    assert by_sku.json() == []
    assert client.get("/api/v1/backorders", params={"limit": 1}, headers=staff).json() == rows[:1]
    assert client.get("/api/v1/backorders", headers=world.auth("buyer@a.test")).status_code == 403

    priority = f"{URL}/{late['id']}/lines/1/queue-priority"
    r = client.put(priority, json={"priority": 5}, headers=world.auth("sales@seller.test"))
    assert r.status_code == 200, r.text
    assert (r.json()["order_id"], r.json()["queue_priority"]) == (late["id"], 5)
    rows = client.get("/api/v1/backorders", params={"sku": GLD}, headers=staff).json()
    assert [r["order_id"] for r in rows] == [late["id"], pre["id"], back["id"]]

    for email in ("merch@seller.test", "buyer@a.test"):
        r = client.put(priority, json={"priority": 1}, headers=world.auth(email))
        assert r.status_code == 403, email
    admin = world.auth("admin@seller.test")
    for payload in ({"priority": -1}, {"priority": 1_000_001}, {"priority": "5"}, {}):
        r = client.put(priority, json=payload, headers=admin)
        assert r.status_code == 422, payload
    r = client.put(
        f"{URL}/{late['id']}/lines/2/queue-priority", json={"priority": 1}, headers=admin
    )
    assert (r.status_code, r.json()["errors"][0]["code"]) == (404, "unknown_line")
    stock_order = client.get(f"{URL}?status=placed", headers=admin).json()["items"][0]["id"]
    r = client.put(
        f"{URL}/{stock_order}/lines/1/queue-priority", json={"priority": 1}, headers=admin
    )
    assert (r.status_code, r.json()["errors"][0]["code"]) == (409, "not_waiting")


def test_fill_is_for_admin_and_sales(client, world):
    for email in ("merch@seller.test", "buyer@a.test"):
        r = client.post("/api/v1/backorders/fill", headers=world.auth(email))
        assert r.status_code == 403, email


# ---- carriers ---------------------------------------------------------------------------------


def test_carriers_for_any_signed_in_user(client, world):
    r = client.get("/api/v1/carriers", headers=world.auth("viewer@a.test"))
    assert r.status_code == 200
    carriers = r.json()
    assert carriers[: len(CARRIERS)] == [
        {"code": c.code, "name": c.name} for c in CARRIERS.values()
    ]
    assert carriers[-1] == {"code": "other", "name": "Other carrier"}
    assert {"code": "dhl_express", "name": "DHL Express"} in carriers
    assert client.get("/api/v1/carriers").status_code == 401


def test_openapi_documents_the_fulfilment_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    post = paths["/api/v1/orders/{order_id}/shipments"]["post"]
    assert post["description"].startswith("Admin or sales staff.")
    assert {"201", "404", "409", "422"} <= set(post["responses"])
    assert "get" in paths["/api/v1/backorders"]
    assert "put" in paths["/api/v1/orders/{order_id}/lines/{line_no}/queue-priority"]
    assert date.fromisoformat(EXPECTED) < date.fromisoformat(UNTIL)
