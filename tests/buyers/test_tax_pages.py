"""A company's tax identity on the portal: the staff company page's panel (expiry warning)
and its form, the details form's country check, and the buyer's read-only /account."""

from __future__ import annotations

from datetime import timedelta

import pytest

from microbag.buyers import service
from microbag.buyers.tax import today_utc
from tests.orders.conftest import who
from tests.web.conftest import csrf_from, new_client, signed_in

__all__ = ["new_client", "signed_in", "who"]

pytestmark = pytest.mark.db

ADMIN, SALES, MERCH = "admin@seller.test", "sales@seller.test", "merch@seller.test"


def in_days(days: int):
    return today_utc() + timedelta(days=days)


def test_staff_company_page_shows_and_edits_the_tax_identity(signed_in, db, world, who):
    sales = signed_in(SALES)
    url = f"/staff/companies/{world.company_b}"
    page = sales.get(url)
    assert page.status_code == 200
    assert "No VAT number or resale certificate on file." in page.text
    assert 'id="tax-form"' in page.text
    token = csrf_from(page.text)
    soon = in_days(10)
    form = {
        "csrf_token": token,
        "vat_number": "",
        "resale_certificate_number": "123",
        "resale_certificate_state": "ZZ",
        "resale_certificate_expires": soon.isoformat(),
    }
    bad = sales.post(f"{url}/tax-identity", data=form)
    assert bad.status_code == 422
    assert 'id="tax-resale_certificate_state-error"' in bad.text
    assert "not a US state" in bad.text
    bad_date = sales.post(
        f"{url}/tax-identity", data={**form, "resale_certificate_expires": "31/01/2027"}
    )
    assert bad_date.status_code == 422 and "YYYY-MM-DD" in bad_date.text
    saved = sales.post(
        f"{url}/tax-identity",
        data={**form, "resale_certificate_state": "ca"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    page = sales.get(saved.headers["location"])
    assert "Tax identity saved." in page.text
    assert f"resale certificate CA-123 expires {soon.isoformat()}" in page.text
    assert 'id="tax-warning"' in page.text and "expires in 10 days" in page.text
    merch = signed_in(MERCH).get(url)
    assert "resale certificate CA-123" in merch.text and 'id="tax-form"' not in merch.text
    # the company details form still saves, and a country change that breaks the VAT number
    # is shown next to the country
    with db.session(write=True) as s:
        service.update_company(
            s, world.company_a, {"vat_number": "FR40303265045"}, actor=who(ADMIN)
        )
    page_a = sales.get(f"/staff/companies/{world.company_a}")
    assert "VAT FR40303265045 (valid)" in page_a.text
    details = {
        "csrf_token": csrf_from(page_a.text),
        "name": "Atelier Petit (Paris)",
        "segment": "boutique",
        "country": "DE",
        "region": "",
        "currency": "EUR",
        "locale": "fr_FR",
        "payment_terms_days": "30",
        "credit_limit": "50000.00",
        "is_active": "1",
    }
    refused = sales.post(f"/staff/companies/{world.company_a}", data=details)
    assert refused.status_code == 422
    assert 'id="f-country-error"' in refused.text and "VAT number of France" in refused.text
    ok = sales.post(
        f"/staff/companies/{world.company_a}",
        data={**details, "country": "FR"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with db.session() as s:
        assert service.get_company(s, world.company_a).vat_number == "FR40303265045"


def test_account_page_shows_the_tax_identity_read_only(signed_in, db, world, who):
    with db.session(write=True) as s:
        service.set_tax_identity(
            s,
            world.company_a,
            vat_number="FR40303265045",
            resale_certificate_number=None,
            resale_certificate_state=None,
            resale_certificate_expires=None,
            actor=who(ADMIN),
        )
    page = signed_in("viewer@a.test").get("/account")
    assert page.status_code == 200
    assert "VAT FR40303265045 (valid)" in page.text
    assert 'name="vat_number"' not in page.text
    other = signed_in("owner@b.test").get("/account")
    assert "FR40303265045" not in other.text and "none on file" in other.text
