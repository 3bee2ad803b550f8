"""Suppliers API: roles (buyers never, sales reads, admin/merchandiser write), suppliers,
prices with landed costs, offers, certificates, price list import."""

from __future__ import annotations

import pytest

from microbag.config import get_settings

MERCH = "merch@seller.test"
SALES = "sales@seller.test"
BUYER = "buyer@a.test"


@pytest.fixture(autouse=True)
def fixed_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    s = get_settings()
    monkeypatch.setattr(s, "base_currency", "USD")
    monkeypatch.setattr(s, "fx_rates", {"USD": 1.0, "EUR": 1.1, "CNY": 0.14})
    monkeypatch.setattr(s, "landed_fx_buffer_percent", 0.0)
    monkeypatch.setattr(s, "landed_freight_percent", 10.0)
    monkeypatch.setattr(s, "landed_duty_percent", 0.0)
    monkeypatch.setattr(s, "landed_duty_by_country", {})


def make_supplier(client, world, code: str = "GZ-01", **extra) -> dict:
    body = {"code": code, "name": f"Factory {code}", "country": "CN", "currency": "USD"}
    body.update(extra)
    r = client.post("/api/v1/suppliers", json=body, headers=world.auth(MERCH))
    assert r.status_code == 201, r.text
    return r.json()


def test_roles(client, world) -> None:
    body = {"code": "X-1", "name": "X", "country": "CN", "currency": "USD"}
    assert client.get("/api/v1/suppliers", headers=world.auth(BUYER)).status_code == 403
    assert client.post("/api/v1/suppliers", json=body, headers=world.auth(SALES)).status_code == 403
    assert client.get("/api/v1/suppliers", headers=world.auth(SALES)).status_code == 200
    assert (
        client.get("/api/v1/supplier-offers?sku=MC-001-GLD", headers=world.auth(BUYER)).status_code
        == 403
    )
    assert client.get("/api/v1/suppliers").status_code == 401


def test_supplier_lifecycle(client, world) -> None:
    sup = make_supplier(
        client,
        world,
        contacts=[{"name": "Li Wei", "email": "li@example.com"}],
        capabilities={"bag_types": ["micro_clutch"], "oem": True},
        monthly_capacity_units=30000,
    )
    assert sup["capabilities"]["oem"] is True and sup["certificates"]["valid"] == 0
    r = client.patch(
        f"/api/v1/suppliers/{sup['id']}",
        json={"payment_terms": "30/70", "country": "vn"},
        headers=world.auth(MERCH),
    )
    assert r.status_code == 200 and r.json()["country"] == "VN", r.text
    r = client.get("/api/v1/suppliers?capability=oem&country=VN", headers=world.auth(SALES))
    assert [s["code"] for s in r.json()["items"]] == ["GZ-01"]
    r = client.get("/api/v1/suppliers?capability=odm", headers=world.auth(SALES))
    assert r.json()["total"] == 0
    dup = client.post(
        "/api/v1/suppliers",
        json={"code": "GZ-01", "name": "again", "country": "CN", "currency": "USD"},
        headers=world.auth(MERCH),
    )
    assert dup.status_code == 409 and dup.json()["errors"][0]["code"] == "duplicate_supplier"
    bad = client.post(
        "/api/v1/suppliers",
        json={
            "code": "Z",
            "name": "Z",
            "country": "ZZ",
            "currency": "XYZ",
            "capabilities": {"bag_types": ["suitcase"]},
        },
        headers=world.auth(MERCH),
    )
    assert bad.status_code == 422
    assert {e["code"] for e in bad.json()["errors"]} == {
        "invalid_country",
        "invalid_currency",
        "unknown_bag_type",
    }
    missing = client.get("/api/v1/suppliers/9999", headers=world.auth(SALES))
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "unknown_supplier"


def test_prices_offers_and_landed_cost(client, world) -> None:
    cn = make_supplier(client, world, "CN-01", currency="CNY")
    it = make_supplier(client, world, "IT-01", country="IT", currency="EUR")
    r = client.post(
        f"/api/v1/suppliers/{cn['id']}/prices",
        json={
            "sku": "MC-001-GLD",
            "unit_cost_minor": 7000,
            "moq": 100,
            "case_pack": 20,
            "valid_from": "2026-01-01",
        },
        headers=world.auth(MERCH),
    )
    assert r.status_code == 201, r.text
    price = r.json()
    # 70 CNY * 0.14 = 9.80 USD, +10% freight = 10.78
    assert (price["currency"], price["landed_unit_cost_minor"]) == ("CNY", 1078)
    r = client.post(
        f"/api/v1/suppliers/{it['id']}/prices",
        json={"style": "MC-001", "unit_cost_minor": 800, "valid_from": "2026-01-01"},
        headers=world.auth(MERCH),
    )
    assert r.status_code == 201 and r.json()["landed_unit_cost_minor"] == 968, r.text
    r = client.get(
        "/api/v1/supplier-offers?sku=MC-001-GLD&on=2026-06-01", headers=world.auth(SALES)
    )
    assert [(o["supplier"], o["landed_unit_cost_minor"]) for o in r.json()] == [
        ("IT-01", 968),
        ("CN-01", 1078),
    ]
    # end the Italian price: CN is the only offer left
    r = client.patch(
        f"/api/v1/supplier-prices/{r.json()[0]['price_id']}",
        json={"valid_until": "2026-03-31"},
        headers=world.auth(MERCH),
    )
    assert r.status_code == 200 and r.json()["valid_until"] == "2026-03-31"
    r = client.get(
        "/api/v1/supplier-offers?sku=MC-001-GLD&on=2026-06-01", headers=world.auth(SALES)
    )
    assert [o["supplier"] for o in r.json()] == ["CN-01"]
    r = client.get(f"/api/v1/suppliers/{cn['id']}/prices", headers=world.auth(SALES))
    assert [p["sku"] for p in r.json()] == ["MC-001-GLD"]
    bad = client.post(
        f"/api/v1/suppliers/{cn['id']}/prices",
        json={"sku": "NOPE", "unit_cost_minor": 1},
        headers=world.auth(MERCH),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "unknown_sku"
    assert (
        client.get("/api/v1/supplier-offers?sku=NOPE", headers=world.auth(SALES)).status_code == 404
    )


def test_certificates(client, world) -> None:
    sup = make_supplier(client, world)
    url = f"/api/v1/suppliers/{sup['id']}/certificates"
    r = client.post(
        url,
        data={"kind": "bsci", "issuer": "amfori", "valid_until": "2099-01-01"},
        files={"file": ("bsci.pdf", b"%PDF-1.4 audit", "application/pdf")},
        headers=world.auth(MERCH),
    )
    assert r.status_code == 201, r.text
    cert = r.json()
    assert cert["status"] == "valid" and cert["filename"] == "bsci.pdf"
    r = client.post(
        url, data={"kind": "lwg", "valid_until": "2020-01-01"}, headers=world.auth(MERCH)
    )
    assert r.status_code == 201 and r.json()["status"] == "expired"
    r = client.post(
        url,
        data={"kind": "bsci"},
        files={"file": ("x.pdf", b"MZ not a pdf", "application/pdf")},
        headers=world.auth(MERCH),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "document_type_mismatch"
    r = client.post(
        url,
        data={"kind": "bsci"},
        files={"file": ("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024 + 100), "application/pdf")},
        headers=world.auth(MERCH),
    )
    assert r.status_code == 413
    listed = client.get(url, headers=world.auth(SALES)).json()
    assert [c["kind"] for c in listed] == ["lwg", "bsci"]
    got = client.get(f"/api/v1/supplier-certificates/{cert['id']}", headers=world.auth(SALES))
    assert got.status_code == 200 and got.content == b"%PDF-1.4 audit"
    assert got.headers["content-type"] == "application/pdf"
    no_file = client.get(
        f"/api/v1/supplier-certificates/{listed[0]['id']}", headers=world.auth(SALES)
    )
    assert no_file.status_code == 404
    summary = client.get(f"/api/v1/suppliers/{sup['id']}", headers=world.auth(SALES)).json()
    assert summary["certificates"] == {"valid": 1, "expiring": 0, "expired": 1, "kinds": ["bsci"]}
    r = client.delete(f"/api/v1/supplier-certificates/{cert['id']}", headers=world.auth(SALES))
    assert r.status_code == 403
    r = client.delete(f"/api/v1/supplier-certificates/{cert['id']}", headers=world.auth(MERCH))
    assert r.status_code == 204


def test_price_import_api(client, world) -> None:
    make_supplier(client, world)
    csv = (
        b"supplier,sku,style,unit_cost,currency,moq,case_pack,lead_time_days,valid_from,valid_until\n"
        b"GZ-01,MC-001-GLD,,12.50,USD,50,10,30,2026-01-01,\n"
        b"GZ-01,,MT-001,8,USD,100,20,,2026-01-01,2026-12-31\n"
    )
    files = {"file": ("prices.csv", csv, "text/csv")}
    r = client.post("/api/v1/supplier-prices/imports", files=files, headers=world.auth(MERCH))
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2 and r.json()["format"] == "csv"
    r = client.post("/api/v1/supplier-prices/imports", files=files, headers=world.auth(MERCH))
    assert (r.json()["created"], r.json()["unchanged"]) == (0, 2)
    r = client.post("/api/v1/supplier-prices/imports", files=files, headers=world.auth(SALES))
    assert r.status_code == 403
