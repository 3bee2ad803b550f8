"""The buyer's account page: company terms, addresses (the owner adds and retires them,
errors next to their fields), the link to the e-mail settings."""

from __future__ import annotations

from tests.web.conftest import csrf_from, new_client, signed_in

__all__ = ["new_client", "signed_in"]


def test_owner_adds_an_address_and_others_read(signed_in):
    owner = signed_in("owner@a.test")
    page = owner.get("/account")
    assert page.status_code == 200
    assert "Atelier Petit (Paris)" in page.text and "/account/notifications" in page.text
    assert "No addresses yet" in page.text
    token = csrf_from(page.text)
    bad = owner.post(
        "/account/addresses",
        data={
            "csrf_token": token,
            "kind": "shipping",
            "line1": "12 rue du Bac",
            "city": "Paris",
            "postal_code": "7500",
            "country": "FR",
        },
    )
    assert bad.status_code == 422
    assert 'id="f-postal_code-error"' in bad.text and "expected 5 digits" in bad.text
    added = owner.post(
        "/account/addresses",
        data={
            "csrf_token": token,
            "kind": "shipping",
            "label": "Boutique",
            "line1": "12 rue du Bac",
            "city": "Paris",
            "postal_code": "75007",
            "country": "FR",
        },
        follow_redirects=True,
    )
    assert added.status_code == 200 and "12 rue du Bac" in added.text and "Default" in added.text
    viewer = signed_in("viewer@a.test").get("/account")
    assert "12 rue du Bac" in viewer.text and "Add an address" not in viewer.text
    # Another company's users never see it.
    assert "12 rue du Bac" not in signed_in("owner@b.test").get("/account").text


def test_only_the_owner_changes_addresses(signed_in):
    buyer = signed_in("buyer@a.test")
    page = buyer.get("/account")
    refused = buyer.post(
        "/account/addresses",
        data={
            "csrf_token": csrf_from(page.text),
            "kind": "shipping",
            "line1": "x",
            "city": "y",
            "postal_code": "75007",
            "country": "FR",
        },
    )
    assert refused.status_code == 403
    assert signed_in("admin@seller.test").get("/account").status_code == 403
