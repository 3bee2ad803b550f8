"""Price lists over HTTP: staff administration, roles, and the buyer's own list."""

from __future__ import annotations

import pytest

ADMIN, SALES, MERCH = "admin@seller.test", "sales@seller.test", "merch@seller.test"
BUYERS = ("owner@a.test", "buyer@a.test", "viewer@a.test", "owner@b.test")


def codes(response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def test_list_and_get_price_lists(client, world):
    r = client.get("/api/v1/price-lists", headers=world.auth(MERCH))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 3
    assert [p["name"] for p in body["items"]] == ["Default EUR", "Default JPY", "Default USD"]
    eur = body["items"][0]
    assert eur["assignment"] == "default" and eur["item_count"] == 4
    assert eur["min_order_value"] == {"amount_minor": 30_000, "currency": "EUR"}
    r = client.get(f"/api/v1/price-lists/{eur['id']}", headers=world.auth(SALES))
    assert r.status_code == 200 and r.json() == eur
    r = client.get("/api/v1/price-lists", params={"currency": "USD"}, headers=world.auth(SALES))
    assert [p["name"] for p in r.json()["items"]] == ["Default USD"]
    assert client.get("/api/v1/price-lists/999999", headers=world.auth(SALES)).status_code == 404


def test_create_and_update_price_list(client, world):
    h = world.auth(SALES)
    r = client.post(
        "/api/v1/price-lists",
        json={
            "name": "Atelier Petit contract",
            "currency": "EUR",
            "company_id": world.company_a,
            "min_order_value_minor": 100_000,
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["assignment"] == "company" and created["item_count"] == 0
    r = client.patch(
        f"/api/v1/price-lists/{created['id']}",
        json={"segment": "boutique", "min_order_value_minor": 0},
        headers=h,
    )
    assert r.status_code == 200
    assert (r.json()["assignment"], r.json()["company_id"], r.json()["segment"]) == (
        "segment",
        None,
        "boutique",
    )
    assert r.json()["min_order_value"]["amount_minor"] == 0
    r = client.patch(f"/api/v1/price-lists/{created['id']}", json={"currency": "GBP"}, headers=h)
    assert r.status_code == 200 and r.json()["currency"] == "GBP"


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            {"name": "X", "currency": "EUR", "company_id": 1, "segment": "brand"},
            422,
            ["ambiguous_assignment"],
        ),
        ({"name": "X", "currency": "ZZZ"}, 422, ["unknown_currency"]),
        ({"name": "X", "currency": "eur"}, 422, ["invalid_input"]),
        ({"name": "X", "currency": "EUR", "segment": "kiosk"}, 422, ["invalid_input"]),
        ({"name": "X", "currency": "EUR", "company_id": 999_999}, 422, ["unknown_company"]),
        ({"name": "X", "currency": "EUR", "min_order_value_minor": -1}, 422, ["invalid_input"]),
        ({"name": "X", "currency": "EUR", "extra": True}, 422, ["invalid_input"]),
        ({"name": " padded", "currency": "EUR"}, 422, ["invalid_input"]),
        ({"name": "Default USD", "currency": "CHF"}, 409, ["price_list_name_taken"]),
        ({"name": "Another", "currency": "EUR"}, 409, ["duplicate_assignment"]),
    ],
)
def test_create_price_list_rejects_bad_input(client, world, body, status, expected):
    r = client.post("/api/v1/price-lists", json=body, headers=world.auth(ADMIN))
    assert r.status_code == status, r.text
    assert codes(r) == expected


def test_items_list_put_and_delete(client, world):
    h = world.auth(SALES)
    eur = world.price_lists["EUR"]
    r = client.get(f"/api/v1/price-lists/{eur}/items", params={"page_size": 2}, headers=h)
    assert r.status_code == 200
    assert r.json()["total"] == 4
    assert [i["sku"] for i in r.json()["items"]] == ["CB-001-TAN", "MC-001-BLK"]
    assert r.json()["items"][0]["tiers"][0] == {"min_quantity": 6, "unit_price_minor": 4500}
    terms = {
        "moq": 12,
        "case_pack": 4,
        "tiers": [
            {"min_quantity": 40, "unit_price_minor": 3000},
            {"min_quantity": 12, "unit_price_minor": 3500},
        ],
    }
    r = client.put(f"/api/v1/price-lists/{eur}/items/MC-001-GLD", json=terms, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "sku": "MC-001-GLD",
        "currency": "EUR",
        "moq": 12,
        "case_pack": 4,
        "tiers": [
            {"min_quantity": 12, "unit_price_minor": 3500},
            {"min_quantity": 40, "unit_price_minor": 3000},
        ],
    }
    r = client.get(f"/api/v1/price-lists/{eur}/items", params={"sku": "MC-001-GLD"}, headers=h)
    assert r.json()["items"][0]["moq"] == 12
    r = client.delete(f"/api/v1/price-lists/{eur}/items/MC-001-GLD", headers=h)
    assert r.status_code == 204 and r.content == b""
    r = client.delete(f"/api/v1/price-lists/{eur}/items/MC-001-GLD", headers=h)
    assert r.status_code == 404 and codes(r) == ["unknown_item"]
    r = client.get(f"/api/v1/price-lists/{eur}/items", headers=h)
    assert r.json()["total"] == 3


def test_put_item_reports_every_broken_invariant(client, world):
    eur = world.price_lists["EUR"]
    r = client.put(
        f"/api/v1/price-lists/{eur}/items/MC-001-GLD",
        json={
            "moq": 10,
            "case_pack": 6,
            "tiers": [
                {"min_quantity": 12, "unit_price_minor": 100},
                {"min_quantity": 18, "unit_price_minor": 120},
                {"min_quantity": 20, "unit_price_minor": -5},
            ],
        },
        headers=world.auth(ADMIN),
    )
    assert r.status_code == 422
    assert set(codes(r)) == {
        "moq_not_case_pack_multiple",
        "first_tier_above_moq",
        "price_rises_with_quantity",
        "negative_price",
        "tier_not_case_pack_multiple",
    }
    r = client.put(
        f"/api/v1/price-lists/{eur}/items/MC-001-GLD",
        json={"moq": 0, "case_pack": 0, "tiers": []},
        headers=world.auth(ADMIN),
    )
    assert r.status_code == 422
    assert codes(r) == ["invalid_case_pack", "invalid_moq", "no_tiers"]
    r = client.put(
        f"/api/v1/price-lists/{eur}/items/NOPE",
        json={"moq": 6, "case_pack": 6, "tiers": [{"min_quantity": 6, "unit_price_minor": 1}]},
        headers=world.auth(ADMIN),
    )
    assert r.status_code == 404 and codes(r) == ["unknown_sku"]
    r = client.put(
        f"/api/v1/price-lists/{eur}/items/MC-001-GLD",
        json={"moq": 6, "case_pack": 6, "tiers": [{"min_quantity": 6, "unit_price_minor": 2**53}]},
        headers=world.auth(ADMIN),
    )
    assert r.status_code == 422 and codes(r) == ["invalid_input"]


def test_my_price_list_is_the_buyers_own(client, world):
    r = client.get("/api/v1/my/price-list", headers=world.auth("viewer@a.test"))
    assert r.status_code == 200
    assert r.json() == {
        "name": "Default EUR",
        "currency": "EUR",
        "min_order_value": {"amount_minor": 30_000, "currency": "EUR"},
    }
    r = client.get("/api/v1/my/price-list", headers=world.auth("buyer@b.test"))
    assert r.json()["name"] == "Default USD"
    # A contract list for company A is never shown to company B.
    client.post(
        "/api/v1/price-lists",
        json={"name": "Secret A", "currency": "EUR", "company_id": world.company_a},
        headers=world.auth(SALES),
    )
    assert (
        client.get("/api/v1/my/price-list", headers=world.auth("owner@a.test")).json()["name"]
        == "Secret A"
    )
    assert (
        client.get("/api/v1/my/price-list", headers=world.auth("owner@b.test")).json()["name"]
        == "Default USD"
    )
    assert client.get("/api/v1/my/price-list", headers=world.auth(SALES)).status_code == 403


def test_my_price_list_404_when_none_applies(client, world):
    client.patch(
        f"/api/v1/price-lists/{world.price_lists['JPY']}",
        json={"is_active": False},
        headers=world.auth(ADMIN),
    )
    r = client.get("/api/v1/my/price-list", headers=world.auth("buyer@prepaid.test"))
    assert r.status_code == 404 and codes(r) == ["no_price_list"]


def test_buyers_cannot_read_or_write_price_lists(client, world):
    eur = world.price_lists["EUR"]
    item = {"moq": 6, "case_pack": 6, "tiers": [{"min_quantity": 6, "unit_price_minor": 1}]}
    calls = [
        ("get", "/api/v1/price-lists", None),
        ("get", f"/api/v1/price-lists/{eur}", None),
        ("get", f"/api/v1/price-lists/{eur}/items", None),
        ("post", "/api/v1/price-lists", {"name": "X", "currency": "EUR", "segment": "brand"}),
        ("patch", f"/api/v1/price-lists/{eur}", {"name": "Mine"}),
        ("put", f"/api/v1/price-lists/{eur}/items/MC-001-GLD", item),
        ("delete", f"/api/v1/price-lists/{eur}/items/MC-001-GLD", None),
    ]
    for method, url, body in calls:
        for email in BUYERS:
            r = client.request(method, url, json=body, headers=world.auth(email))
            assert r.status_code == 403, (method, url, email)
        assert client.request(method, url, json=body).status_code == 401


def test_merchandisers_read_but_cannot_write_prices(client, world):
    eur = world.price_lists["EUR"]
    h = world.auth(MERCH)
    assert client.get(f"/api/v1/price-lists/{eur}/items", headers=h).status_code == 200
    r = client.patch(f"/api/v1/price-lists/{eur}", json={"name": "Mine"}, headers=h)
    assert r.status_code == 403
    r = client.delete(f"/api/v1/price-lists/{eur}/items/MC-001-GLD", headers=h)
    assert r.status_code == 403
    r = client.post(
        "/api/v1/price-lists", json={"name": "X", "currency": "EUR", "segment": "brand"}, headers=h
    )
    assert r.status_code == 403
