"""Companies over HTTP (staff), and a buyer's own company and colleagues."""

from __future__ import annotations

import pytest

from microbag.orders.models import Order
from microbag.timeutil import utcnow

ADMIN, SALES, MERCH = "admin@seller.test", "sales@seller.test", "merch@seller.test"
NEW_COMPANY = {
    "name": "Milano Piccola",
    "segment": "boutique",
    "country": "IT",
    "currency": "EUR",
    "payment_terms_days": 60,
    "credit_limit_minor": 2_000_000,
}


def codes(response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def test_staff_list_and_get_companies(client, world):
    r = client.get("/api/v1/companies", headers=world.auth(MERCH))
    assert r.status_code == 200
    assert r.json()["total"] == 3
    r = client.get("/api/v1/companies", params={"segment": "boutique"}, headers=world.auth(SALES))
    (a,) = r.json()["items"]
    assert a["name"] == "Atelier Petit (Paris)"
    assert a["payment_terms"] == "net 30"
    assert a["credit_limit"] == {"amount_minor": 5_000_000, "currency": "EUR"}
    assert a["available_credit"] == {"amount_minor": 5_000_000, "currency": "EUR"}
    r = client.get(f"/api/v1/companies/{world.company_a}", headers=world.auth(SALES))
    assert r.status_code == 200 and r.json() == a
    assert client.get("/api/v1/companies/999999", headers=world.auth(SALES)).status_code == 404
    r = client.get("/api/v1/companies", params={"country": "fr"}, headers=world.auth(SALES))
    assert r.status_code == 422


def test_create_and_update_company(client, world):
    r = client.post("/api/v1/companies", json=NEW_COMPANY, headers=world.auth(SALES))
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["region"], c["payment_terms"], c["locale"]) == ("europe", "net 60", "en_US")
    assert c["available_credit"]["amount_minor"] == 2_000_000
    r = client.patch(
        f"/api/v1/companies/{c['id']}",
        json={"payment_terms_days": None, "country": "BR", "name": None},
        headers=world.auth(ADMIN),
    )
    assert r.status_code == 200
    assert (r.json()["payment_terms"], r.json()["region"], r.json()["name"]) == (
        "prepaid",
        "latin_america",
        "Milano Piccola",
    )
    r = client.post("/api/v1/companies", json=NEW_COMPANY, headers=world.auth(SALES))
    assert r.status_code == 409 and codes(r) == ["company_name_taken"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"segment": "kiosk"}, "invalid_input"),
        ({"country": "XX"}, "unknown_country"),
        ({"currency": "XYZ"}, "unknown_currency"),
        ({"payment_terms_days": 181}, "invalid_input"),
        ({"payment_terms_days": -1}, "invalid_input"),
        ({"credit_limit_minor": -1}, "invalid_input"),
        ({"locale": "xx_XX"}, "unknown_locale"),
        ({"region": "atlantis"}, "invalid_input"),
        ({"surprise": 1}, "invalid_input"),
    ],
)
def test_company_bad_input_is_422(client, world, change, code):
    r = client.post("/api/v1/companies", json={**NEW_COMPANY, **change}, headers=world.auth(ADMIN))
    assert r.status_code == 422 and codes(r) == [code]
    r = client.patch(f"/api/v1/companies/{world.company_b}", json=change, headers=world.auth(ADMIN))
    assert r.status_code == 422 and codes(r) == [code]


def test_company_users_staff(client, world):
    url = f"/api/v1/companies/{world.company_b}/users"
    r = client.get(url, headers=world.auth(MERCH))
    assert r.status_code == 200
    assert [u["email"] for u in r.json()["items"]] == [
        "buyer@b.test",
        "owner@b.test",
        "viewer@b.test",
    ]
    r = client.post(
        url,
        json={"email": "second.owner@b.test", "role": "owner", "password": "long enough pass"},
        headers=world.auth(SALES),
    )
    assert r.status_code == 201 and r.json()["role"] == "owner"
    r = client.post(url, json={"email": "x@b.test", "role": "admin"}, headers=world.auth(SALES))
    assert r.status_code == 422
    r = client.post(
        url,
        json={"email": "x@b.test", "role": "buyer", "password": "short"},
        headers=world.auth(SALES),
    )
    assert r.status_code == 422
    r = client.post(url, json={"email": "owner@a.test", "role": "buyer"}, headers=world.auth(SALES))
    assert r.status_code == 409 and codes(r) == ["email_taken"]
    r = client.post(
        "/api/v1/companies/999999/users",
        json={"email": "x@b.test", "role": "buyer"},
        headers=world.auth(SALES),
    )
    assert r.status_code == 404


def test_staff_writes_need_admin_or_sales(client, world):
    calls = [
        ("post", "/api/v1/companies", NEW_COMPANY),
        ("patch", f"/api/v1/companies/{world.company_a}", {"credit_limit_minor": 1}),
        (
            "post",
            f"/api/v1/companies/{world.company_a}/users",
            {"email": "z@a.test", "role": "buyer"},
        ),
    ]
    for method, url, body in calls:
        for email in (MERCH, "owner@a.test", "owner@b.test"):
            r = client.request(method, url, json=body, headers=world.auth(email))
            assert r.status_code == 403, (method, url, email)
        assert client.request(method, url, json=body).status_code == 401
    for url in (
        "/api/v1/companies",
        f"/api/v1/companies/{world.company_a}",
        f"/api/v1/companies/{world.company_a}/users",
    ):
        assert client.get(url, headers=world.auth("owner@a.test")).status_code == 403


def test_my_company_with_available_credit(client, world, db):
    with db.session(write=True) as s:
        for status, paid, total in [
            ("placed", False, 100_000),
            ("delivered", False, 250_000),
            ("delivered", True, 999_999),
            ("cancelled", False, 999_999),
            ("draft", False, 999_999),
        ]:
            s.add(
                Order(
                    company_id=world.company_a,
                    status=status,
                    currency="EUR",
                    total_minor=total,
                    paid_at=utcnow() if paid else None,
                )
            )
        # Company B's orders never count against company A.
        s.add(Order(company_id=world.company_b, status="placed", currency="USD", total_minor=5))
    r = client.get("/api/v1/my/company", headers=world.auth("viewer@a.test"))
    assert r.status_code == 200
    assert r.json() == {
        "id": world.company_a,
        "name": "Atelier Petit (Paris)",
        "segment": "boutique",
        "country": "FR",
        "region": "europe",
        "currency": "EUR",
        "payment_terms_days": 30,
        "payment_terms": "net 30",
        "credit_limit": {"amount_minor": 5_000_000, "currency": "EUR"},
        "incoterm_default": "DAP",
        "po_number_required": False,
        "available_credit": {"amount_minor": 4_650_000, "currency": "EUR"},
        "vat_number": None,
        "resale_certificate_number": None,
        "resale_certificate_state": None,
        "resale_certificate_expires": None,
        "resale_certificate_expired": False,
    }
    r = client.get("/api/v1/my/company", headers=world.auth("buyer@b.test"))
    assert r.json()["name"] == "Big Store (NYC)"
    assert r.json()["available_credit"] == {"amount_minor": 9_999_995, "currency": "USD"}
    r = client.get("/api/v1/my/company", headers=world.auth("buyer@prepaid.test"))
    assert r.json()["payment_terms"] == "prepaid"
    assert client.get("/api/v1/my/company", headers=world.auth(ADMIN)).status_code == 403


def test_my_users_are_my_companys_only(client, world):
    r = client.get("/api/v1/my/users", headers=world.auth("viewer@b.test"))
    assert r.status_code == 200
    assert {u["email"] for u in r.json()["items"]} == {
        "owner@b.test",
        "buyer@b.test",
        "viewer@b.test",
    }
    assert client.get("/api/v1/my/users", headers=world.auth(SALES)).status_code == 403


def test_owners_add_buyers_and_viewers_to_their_own_company(client, world):
    r = client.post(
        "/api/v1/my/users",
        json={"email": "intern@a.test", "name": "Intern", "role": "viewer"},
        headers=world.auth("owner@a.test"),
    )
    assert r.status_code == 201
    emails_a = {
        u["email"]
        for u in client.get("/api/v1/my/users", headers=world.auth("owner@a.test")).json()["items"]
    }
    emails_b = {
        u["email"]
        for u in client.get("/api/v1/my/users", headers=world.auth("owner@b.test")).json()["items"]
    }
    assert "intern@a.test" in emails_a and "intern@a.test" not in emails_b
    # Owners cannot mint other owners, nor may buyers or viewers add anyone.
    r = client.post(
        "/api/v1/my/users",
        json={"email": "boss@a.test", "role": "owner"},
        headers=world.auth("owner@a.test"),
    )
    assert r.status_code == 422
    for email in ("buyer@a.test", "viewer@a.test", ADMIN):
        r = client.post(
            "/api/v1/my/users",
            json={"email": "x@a.test", "role": "viewer"},
            headers=world.auth(email),
        )
        assert r.status_code == 403
    r = client.post(
        "/api/v1/my/users",
        json={"email": "owner@b.test", "role": "viewer"},
        headers=world.auth("owner@a.test"),
    )
    assert r.status_code == 409
