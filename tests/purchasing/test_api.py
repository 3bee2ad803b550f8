"""The purchasing API: the whole flow, errors, PDF, lots, roles."""

from __future__ import annotations

from datetime import timedelta

from microbag.timeutil import utcnow

PROMISED = utcnow().date() + timedelta(days=40)
MERCH = "merch@seller.test"


def skus_shipping_by(client, world, day) -> set[str]:
    r = client.get(
        "/api/v1/skus",
        params={"ships_by": day.isoformat(), "page_size": 200},
        headers=world.auth("buyer@a.test"),
    )
    assert r.status_code == 200, r.text
    return {item["code"] for item in r.json()["items"]}


def test_the_flow_draft_send_confirm_incoming_receive_lots(client, world, sourcing):
    h = world.auth(MERCH)
    # MT-001-RED sold out: buyers see it shipping by a date only once it is incoming.
    r = client.put("/api/v1/stock/MT-001-RED/MAIN", json={"on_hand": 0}, headers=h)
    assert r.status_code == 200, r.text
    ships_by = PROMISED + timedelta(days=30)
    assert "MT-001-RED" not in skus_shipping_by(client, world, ships_by)

    r = client.post(
        "/api/v1/purchase-orders",
        json={
            "supplier": "GZ-01",
            "lines": [
                {"sku": "MT-001-RED", "quantity": 200},
                {"sku": "MC-001-GLD", "quantity": 60, "unit_cost_minor": 1_150},
            ],
            "notes": "spring top-up",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    po = r.json()
    assert po["status"] == "draft" and po["supplier"] == "GZ-01" and po["warehouse"] == "MAIN"
    assert po["total_minor"] == 200 * 850 + 60 * 1_150
    assert [e["kind"] for e in po["events"]] == ["created"]
    po_id = po["id"]

    r = client.patch(f"/api/v1/purchase-orders/{po_id}", json={"notes": "rush"}, headers=h)
    assert r.status_code == 200 and r.json()["notes"] == "rush"
    r = client.post(f"/api/v1/purchase-orders/{po_id}/send", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "sent"
    red, gld = r.json()["lines"]
    r = client.post(
        f"/api/v1/purchase-orders/{po_id}/confirm",
        json={
            "lines": [
                {"line_id": red["id"], "promised_date": PROMISED.isoformat()},
                {"line_id": gld["id"], "promised_date": (PROMISED + timedelta(days=5)).isoformat()},
            ]
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed"
    assert r.json()["lines"][0]["promised_date"] == PROMISED.isoformat()
    assert "MT-001-RED" in skus_shipping_by(client, world, ships_by)

    r = client.post(
        f"/api/v1/purchase-orders/{po_id}/receipts",
        json={"lines": [{"line_id": red["id"], "quantity": 150}], "reference": "DN-100"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert [(lot["sku"], lot["quantity"], lot["status"]) for lot in receipt["lots"]] == [
        ("MT-001-RED", 150, "pending_inspection")
    ]
    again = client.post(
        f"/api/v1/purchase-orders/{po_id}/receipts",
        json={"lines": [{"line_id": red["id"], "quantity": 150}], "reference": "DN-100"},
        headers=h,
    )
    assert again.status_code == 201 and again.json()["id"] == receipt["id"]
    r = client.get(f"/api/v1/purchase-orders/{po_id}", headers=world.auth("sales@seller.test"))
    body = r.json()
    assert body["status"] == "partly_received"
    assert [ln["received_quantity"] for ln in body["lines"]] == [150, 0]
    assert [ln["delivery"] for ln in body["lines"]] == ["short", "short"]

    lot_id = receipt["lots"][0]["id"]
    r = client.get("/api/v1/lots", params={"status": "pending_inspection"}, headers=h)
    assert r.status_code == 200 and [lot["id"] for lot in r.json()["items"]] == [lot_id]
    r = client.get(f"/api/v1/lots/{lot_id}", headers=h)
    assert r.json()["po_number"] == po["number"]
    r = client.get(f"/api/v1/purchase-orders/{po_id}/receipts", headers=h)
    assert [rc["reference"] for rc in r.json()] == ["DN-100"]
    stock = client.get("/api/v1/stock", params={"sku": "MT-001-RED"}, headers=h).json()
    assert stock["items"][0]["on_hand"] == 0  # waiting for inspection: not sellable

    r = client.post(
        f"/api/v1/purchase-orders/{po_id}/receipts",
        json={"lines": [{"line_id": gld["id"], "quantity": 60}], "inspect": False},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["lots"][0]["status"] == "accepted"
    r = client.post(f"/api/v1/purchase-orders/{po_id}/close", json={"note": "done"}, headers=h)
    assert r.status_code == 200, r.text
    kinds = [e["kind"] for e in r.json()["events"]]
    assert "under_delivered" in kinds and kinds[-1] == "closed"


def test_rule_errors_have_codes(client, world, sourcing):
    h = world.auth(MERCH)
    r = client.post(
        "/api/v1/purchase-orders",
        json={"supplier": "GZ-01", "lines": [{"sku": "MT-001-RED", "quantity": 90}]},
        headers=h,
    )
    assert r.status_code == 422
    assert [(e["code"], e["line"]) for e in r.json()["errors"]] == [
        ("below_moq", 1),
        ("not_case_pack_multiple", 1),
    ]
    r = client.post(
        "/api/v1/purchase-orders",
        json={"supplier": "NOPE", "lines": [{"sku": "MT-001-RED", "quantity": 100}]},
        headers=h,
    )
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "unknown_supplier"
    r = client.post(
        "/api/v1/purchase-orders",
        json={"supplier": "GZ-01", "lines": [{"sku": "ZZ-404", "quantity": 100}]},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "unknown_sku"
    r = client.post("/api/v1/purchase-orders/999/send", headers=h)
    assert r.status_code == 404
    assert r.json()["errors"][0]["code"] == "unknown_purchase_order"
    r = client.get("/api/v1/lots/999", headers=h)
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "unknown_lot"


def test_pdf_and_roles(client, world, sourcing):
    r = client.post(
        "/api/v1/purchase-orders",
        json={"supplier_id": sourcing.supplier, "lines": [{"sku": "MC-001-GLD", "quantity": 50}]},
        headers=world.auth("admin@seller.test"),
    )
    assert r.status_code == 201, r.text
    po = r.json()
    r = client.get(
        f"/api/v1/purchase-orders/{po['id']}/pdf", headers=world.auth("sales@seller.test")
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert po["number"] in r.headers["content-disposition"]
    r = client.post(
        f"/api/v1/purchase-orders/{po['id']}/send", headers=world.auth("sales@seller.test")
    )
    assert r.status_code == 403
    for email in ("owner@a.test", "buyer@a.test"):
        assert client.get("/api/v1/purchase-orders", headers=world.auth(email)).status_code == 403
        assert client.get("/api/v1/lots", headers=world.auth(email)).status_code == 403
    r = client.get(
        "/api/v1/purchase-orders",
        params={"status": "draft"},
        headers=world.auth("sales@seller.test"),
    )
    assert r.json()["total"] == 1 and r.json()["items"][0]["supplier"] == "GZ-01"
