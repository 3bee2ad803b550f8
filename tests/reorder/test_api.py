"""The reorder API: suggestions for all staff, drafts for admin and merchandisers,
buyers kept out, specific errors."""

from __future__ import annotations

from .test_drafts import add_plan, two_suppliers
from .test_service import known_setup


def test_staff_read_suggestions_with_filters(client, world, db) -> None:
    known_setup(db, world)
    for email in ("admin@seller.test", "sales@seller.test", "merch@seller.test"):
        r = client.get(
            "/api/v1/reorder-suggestions", params={"service_level": 0.95}, headers=world.auth(email)
        )
        assert r.status_code == 200, r.text
    body = r.json()
    assert body["service_level"] == 0.95 and body["review_days"] == 7
    red = [i for i in body["items"] if i["sku"] == "MT-001-RED"]
    assert red and red[0]["supplier"] == "GZ-01" and red[0]["warehouse"] == "MAIN"
    assert red[0]["quantity"] % red[0]["case_pack"] == 0 and red[0]["quantity"] >= red[0]["moq"]
    assert red[0]["base_currency"] == "USD" and red[0]["landed_unit_cost_minor"] > 1_200
    empty = client.get(
        "/api/v1/reorder-suggestions",
        params={"supplier": "GZ-01", "warehouse": "MAIN", "sku": "MC-001-GLD"},
        headers=world.auth("sales@seller.test"),
    )
    assert empty.status_code == 200 and empty.json()["items"] == []


def test_buyers_never_see_reorder(client, world) -> None:
    for path, method in (
        ("/api/v1/reorder-suggestions", "GET"),
        ("/api/v1/reorder-suggestions/drafts", "POST"),
        ("/api/v1/range-plans/1/purchase-drafts", "POST"),
    ):
        r = client.request(method, path, json={}, headers=world.auth("buyer@a.test"))
        assert r.status_code == 403, (path, r.text)


def test_bad_parameters_answer_specific_errors(client, world) -> None:
    h = world.auth("admin@seller.test")
    r = client.get("/api/v1/reorder-suggestions", params={"service_level": 1.5}, headers=h)
    assert r.status_code == 422
    r = client.get("/api/v1/reorder-suggestions", params={"warehouse": "NOPE"}, headers=h)
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "unknown_warehouse"
    r = client.get("/api/v1/reorder-suggestions", params={"supplier": "NOPE"}, headers=h)
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "unknown_supplier"
    r = client.post("/api/v1/reorder-suggestions/drafts", json={"skus": ["NOPE"]}, headers=h)
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "unknown_sku"
    r = client.post("/api/v1/reorder-suggestions/drafts", json={"color": "red"}, headers=h)
    assert r.status_code == 422


def test_merchandiser_drafts_then_sales_may_not(client, world, db) -> None:
    two_suppliers(db, world)
    r = client.post(
        "/api/v1/reorder-suggestions/drafts",
        json={"service_level": 0.9},
        headers=world.auth("sales@seller.test"),
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/reorder-suggestions/drafts",
        json={"service_level": 0.9},
        headers=world.auth("merch@seller.test"),
    )
    assert r.status_code == 201, r.text
    pos = r.json()["purchase_orders"]
    assert {p["supplier"] for p in pos} == {"GZ-01", "VN-01"}
    assert all(p["status"] == "draft" and p["source"] == "reorder" for p in pos)
    assert all(p["number"].startswith("PO-") and p["warehouse"] == "MAIN" for p in pos)
    one = client.get(
        f"/api/v1/purchase-orders/{pos[0]['id']}", headers=world.auth("sales@seller.test")
    )
    assert one.status_code == 200 and one.json()["status"] == "draft"
    again = client.post(
        "/api/v1/reorder-suggestions/drafts", json={}, headers=world.auth("admin@seller.test")
    )
    assert again.status_code == 201 and again.json()["purchase_orders"] == []
    assert len(again.json()["skipped"]) == 3


def test_range_plan_drafts_route(client, world, db) -> None:
    two_suppliers(db, world)
    plan_id = add_plan(db, {"MT-001-RED": 37})
    h = world.auth("merch@seller.test")
    r = client.post(f"/api/v1/range-plans/{plan_id}/purchase-drafts", json={}, headers=h)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"] and body["purchase_orders"][0]["source_ref"] == str(plan_id)
    assert body["purchase_orders"][0]["units"] == 50
    again = client.post(f"/api/v1/range-plans/{plan_id}/purchase-drafts", json={}, headers=h)
    assert again.status_code == 200 and not again.json()["created"]
    missing = client.post("/api/v1/range-plans/999/purchase-drafts", json={}, headers=h)
    assert missing.status_code == 404
