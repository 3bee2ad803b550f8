"""Stock over HTTP: warehouses, stock levels, incoming batches; roles and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from microbag.timeutil import utcnow

ADMIN, SALES, MERCH = "admin@seller.test", "sales@seller.test", "merch@seller.test"
FUTURE = (utcnow().date() + timedelta(days=30)).isoformat()


def codes(response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def test_warehouses_list_and_create(client, world):
    r = client.get("/api/v1/warehouses", headers=world.auth(SALES))
    assert r.status_code == 200
    assert r.json()["total"] == 1 and r.json()["items"][0]["code"] == "MAIN"
    r = client.post(
        "/api/v1/warehouses",
        json={"code": "NYC-1", "name": "New York", "country": "US"},
        headers=world.auth(MERCH),
    )
    assert r.status_code == 201
    assert r.json() == {"id": r.json()["id"], "code": "NYC-1", "name": "New York", "country": "US"}
    r = client.post(
        "/api/v1/warehouses", json={"code": "NYC-1", "name": "Again"}, headers=world.auth(ADMIN)
    )
    assert r.status_code == 409 and codes(r) == ["warehouse_code_taken"]
    r = client.post(
        "/api/v1/warehouses",
        json={"code": "lower case", "name": "", "country": "XX"},
        headers=world.auth(ADMIN),
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"code", "name"}
    r = client.post(
        "/api/v1/warehouses",
        json={"code": "ZZ", "name": "Z", "country": "XX"},
        headers=world.auth(ADMIN),
    )
    assert r.status_code == 422 and codes(r) == ["unknown_country"]


def test_stock_list_filters(client, world):
    h = world.auth(SALES)
    r = client.get("/api/v1/stock", headers=h)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 4 and body["page"] == 1
    assert body["items"][0] == {
        "sku": "CB-001-TAN",
        "warehouse": "MAIN",
        "on_hand": 100,
        "reserved": 0,
        "available": 100,
    }
    r = client.get("/api/v1/stock", params={"sku": "MC-001-GLD", "warehouse": "MAIN"}, headers=h)
    assert [i["sku"] for i in r.json()["items"]] == ["MC-001-GLD"]
    r = client.get("/api/v1/stock", params={"page_size": 3, "page": 2}, headers=h)
    assert r.json()["total"] == 4 and len(r.json()["items"]) == 1
    r = client.get("/api/v1/stock", params={"page_size": 100_000}, headers=h)
    assert r.status_code == 422


def test_set_stock(client, world):
    h = world.auth(MERCH)
    r = client.put("/api/v1/stock/MT-001-RED/MAIN", json={"on_hand": 7}, headers=h)
    assert r.status_code == 200
    assert r.json() == {
        "sku": "MT-001-RED",
        "warehouse": "MAIN",
        "on_hand": 7,
        "reserved": 0,
        "available": 7,
    }
    r = client.put("/api/v1/stock/NOPE/MAIN", json={"on_hand": 7}, headers=h)
    assert r.status_code == 404 and codes(r) == ["unknown_sku"]
    r = client.put("/api/v1/stock/MT-001-RED/NOPE", json={"on_hand": 7}, headers=h)
    assert r.status_code == 404 and codes(r) == ["unknown_warehouse"]
    r = client.put("/api/v1/stock/MT-001-RED/MAIN", json={"on_hand": -1}, headers=h)
    assert r.status_code == 422
    r = client.put("/api/v1/stock/MT-001-RED/MAIN", json={"on_hand": 7, "x": 1}, headers=h)
    assert r.status_code == 422


def test_set_stock_below_reserved_is_409(client, world, db):
    from microbag.stock import service

    with db.session(write=True) as s:
        service.reserve(s, world.skus["MT-001-RED"], 30)
    r = client.put("/api/v1/stock/MT-001-RED/MAIN", json={"on_hand": 29}, headers=world.auth(ADMIN))
    assert r.status_code == 409 and codes(r) == ["below_reserved"]


def test_incoming_add_list_receive(client, world):
    h = world.auth(MERCH)
    r = client.post(
        "/api/v1/incoming",
        json={"sku": "CB-001-TAN", "quantity": 36, "expected_date": FUTURE, "note": "PO 77"},
        headers=h,
    )
    assert r.status_code == 201
    batch = r.json()
    assert batch["warehouse"] == "MAIN" and batch["received_at"] is None
    assert batch["ship_from"] == FUTURE
    assert date.fromisoformat(batch["ship_to"]) - date.fromisoformat(FUTURE) == timedelta(days=7)
    r = client.get("/api/v1/incoming", params={"pending": True, "sku": "CB-001-TAN"}, headers=h)
    assert [b["id"] for b in r.json()["items"]] == [batch["id"]]
    r = client.post(f"/api/v1/incoming/{batch['id']}/receive", headers=h)
    assert r.status_code == 200 and r.json()["received_at"] is not None
    r = client.get("/api/v1/stock", params={"sku": "CB-001-TAN"}, headers=h)
    assert r.json()["items"][0]["on_hand"] == 136
    r = client.post(f"/api/v1/incoming/{batch['id']}/receive", headers=h)
    assert r.status_code == 409 and codes(r) == ["already_received"]
    r = client.post("/api/v1/incoming/999999/receive", headers=h)
    assert r.status_code == 404
    r = client.get("/api/v1/incoming", params={"pending": False}, headers=world.auth(SALES))
    assert r.json()["total"] == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"sku": "CB-001-TAN", "quantity": 0, "expected_date": FUTURE}, "invalid_input"),
        (
            {"sku": "CB-001-TAN", "quantity": 5, "expected_date": "2000-01-01"},
            "expected_date_in_past",
        ),
        (
            {"sku": "CB-001-TAN", "quantity": 5, "expected_date": "9999-12-31"},
            "expected_date_too_far",
        ),
        ({"sku": "CB-001-TAN", "quantity": 5, "expected_date": "soon"}, "invalid_input"),
    ],
)
def test_incoming_bad_input_is_422(client, world, body, code):
    r = client.post("/api/v1/incoming", json=body, headers=world.auth(ADMIN))
    assert r.status_code == 422 and codes(r) == [code]


def test_incoming_unknown_sku_or_warehouse_is_404(client, world):
    h = world.auth(ADMIN)
    r = client.post(
        "/api/v1/incoming", json={"sku": "NOPE", "quantity": 5, "expected_date": FUTURE}, headers=h
    )
    assert r.status_code == 404 and codes(r) == ["unknown_sku"]
    r = client.post(
        "/api/v1/incoming",
        json={"sku": "CB-001-TAN", "warehouse": "NOPE", "quantity": 5, "expected_date": FUTURE},
        headers=h,
    )
    assert r.status_code == 404 and codes(r) == ["unknown_warehouse"]


WRITES = [
    ("post", "/api/v1/warehouses", {"code": "W2", "name": "Two"}),
    ("put", "/api/v1/stock/MT-001-RED/MAIN", {"on_hand": 1}),
    ("post", "/api/v1/incoming", {"sku": "CB-001-TAN", "quantity": 5, "expected_date": FUTURE}),
    ("post", "/api/v1/incoming/1/receive", None),
]
READS = ["/api/v1/warehouses", "/api/v1/stock", "/api/v1/incoming"]


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_writes_need_admin_or_merchandiser(client, world, method, url, body):
    for email in (SALES, "owner@a.test", "buyer@b.test", "viewer@a.test"):
        r = client.request(method, url, json=body, headers=world.auth(email))
        assert r.status_code == 403, (email, r.text)
        assert codes(r) == ["forbidden"]
    r = client.request(method, url, json=body)
    assert r.status_code == 401


def test_reads_are_for_staff_only(client, world):
    for url in READS:
        assert client.get(url, headers=world.auth(MERCH)).status_code == 200
        assert client.get(url, headers=world.auth("owner@a.test")).status_code == 403
        assert client.get(url).status_code == 401
