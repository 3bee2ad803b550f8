"""Company addresses: the postal code rules (pure), adding and retiring addresses over the
API for staff and for a buyer company's owner, the default per kind, isolation."""

from __future__ import annotations

import pytest

from microbag.buyers.policies import address_errors, postal_code_error


@pytest.mark.parametrize(
    ("country", "code"),
    [
        ("US", "10001"),
        ("US", "10001-1234"),
        ("GB", "SW1A 1AA"),
        ("FR", "75007"),
        ("NL", "1017 CT"),
        ("PT", "1100-148"),
        ("JP", "150-0001"),
        ("KR", "06164"),
        ("CA", "M5V 3L9"),
        ("AE", ""),
        ("AE", "00000"),  # no postal codes: a given one is kept
        ("ZA", "8001"),  # not in the table: any short code
    ],
)
def test_postal_codes_of_the_markets(country, code):
    assert postal_code_error(country, code) is None


@pytest.mark.parametrize(
    ("country", "code", "error"),
    [
        ("US", "1000", "invalid_postal_code"),
        ("FR", "7500", "invalid_postal_code"),
        ("JP", "1500001X", "invalid_postal_code"),
        ("DE", "", "postal_code_required"),
        ("ZA", "1234567890123", "invalid_postal_code"),
    ],
)
def test_wrong_postal_codes_name_the_format(country, code, error):
    problem = postal_code_error(country, code)
    assert problem is not None and problem.code == error and problem.field == "postal_code"


def test_every_address_problem_at_once():
    errors = address_errors({"kind": "home", "country": "XX", "line1": "", "city": ""})
    assert {(e.code, e.field) for e in errors} == {
        ("invalid_address_kind", "kind"),
        ("invalid_country", "country"),
        ("required", "line1"),
        ("required", "city"),
    }


PARIS = {
    "kind": "shipping",
    "label": "Boutique",
    "line1": "12 rue du Bac",
    "city": "Paris",
    "postal_code": "75007",
    "country": "fr",
}


def test_owner_adds_addresses_first_is_default_and_others_read(client, world):
    owner = world.auth("owner@a.test")
    first = client.post("/api/v1/my/addresses", json=PARIS, headers=owner)
    assert first.status_code == 201, first.text
    assert first.json()["is_default"] is True and first.json()["country"] == "FR"
    second = client.post(
        "/api/v1/my/addresses",
        json={**PARIS, "label": "Stock room", "line1": "3 rue Jacob", "make_default": True},
        headers=owner,
    )
    assert second.json()["is_default"] is True
    listed = client.get("/api/v1/my/addresses", headers=world.auth("viewer@a.test")).json()
    assert [(a["label"], a["is_default"]) for a in listed] == [
        ("Stock room", True),
        ("Boutique", False),
    ]
    # The buyer role reads but does not add; company B sees none of A's.
    assert (
        client.post(
            "/api/v1/my/addresses", json=PARIS, headers=world.auth("buyer@a.test")
        ).status_code
        == 403
    )
    assert client.get("/api/v1/my/addresses", headers=world.auth("owner@b.test")).json() == []
    gone = client.delete(
        f"/api/v1/my/addresses/{first.json()['id']}", headers=world.auth("owner@b.test")
    )
    assert gone.status_code == 404


def test_a_wrong_address_is_refused_with_every_error(client, world):
    bad = client.post(
        "/api/v1/my/addresses",
        json={**PARIS, "postal_code": "7500", "city": ""},
        headers=world.auth("owner@a.test"),
    )
    assert bad.status_code == 422
    assert {e["code"] for e in bad.json()["errors"]} == {"invalid_postal_code", "required"}


def test_staff_manage_any_company_addresses(client, world):
    sales = world.auth("sales@seller.test")
    made = client.post(
        f"/api/v1/companies/{world.company_b}/addresses",
        json={**PARIS, "kind": "billing"},
        headers=sales,
    )
    assert made.status_code == 201, made.text
    listed = client.get(f"/api/v1/companies/{world.company_b}/addresses", headers=sales).json()
    assert [a["kind"] for a in listed] == ["billing"]
    retired = client.delete(
        f"/api/v1/companies/{world.company_b}/addresses/{made.json()['id']}", headers=sales
    )
    assert retired.status_code == 200 and retired.json()["is_active"] is False
    assert client.get(f"/api/v1/companies/{world.company_b}/addresses", headers=sales).json() == []
