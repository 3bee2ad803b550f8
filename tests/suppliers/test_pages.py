"""Supplier staff pages: list with filters and certificate warnings, new, details with
edit, prices (add, end, landed cost), certificates (upload, file, delete), import; other
staff read, buyers are kept out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from microbag.config import get_settings
from microbag.rangeplan import service as rangeplan
from microbag.suppliers import certificates
from tests.sourcing_data import add_supplier
from tests.web.conftest import csrf_from

NEW = {
    "code": "VN-01",
    "name": "Saigon Bags",
    "kind": "factory",
    "country": "VN",
    "region": "Ho Chi Minh City",
    "currency": "USD",
    "monthly_capacity_units": "12000",
    "default_lead_time_days": "35",
    "payment_terms": "30% deposit",
    "contacts": "Nguyen An | sales | an@saigon.example | +84 28",
    "bag_types": "micro_tote, belt_bag",
    "materials": "canvas",
    "hardware": "",
    "oem": "1",
    "notes": "",
}


@pytest.fixture(autouse=True)
def fixed_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    s = get_settings()
    monkeypatch.setattr(s, "base_currency", "USD")
    monkeypatch.setattr(s, "fx_rates", {"USD": 1.0, "EUR": 1.1})
    monkeypatch.setattr(s, "landed_fx_buffer_percent", 0.0)
    monkeypatch.setattr(s, "landed_freight_percent", 10.0)
    monkeypatch.setattr(s, "landed_duty_percent", 0.0)


def test_merchandiser_creates_prices_and_certifies_a_supplier(db, world, signed_in) -> None:
    merch = signed_in("merch@seller.test")
    form = merch.get("/staff/suppliers/new")
    assert form.status_code == 200 and 'id="supplier-form"' in form.text
    token = csrf_from(form.text)
    bad = merch.post("/staff/suppliers/new", data={**NEW, "country": "XX", "csrf_token": token})
    assert bad.status_code == 422 and "ISO 3166" in bad.text
    made = merch.post(
        "/staff/suppliers/new", data={**NEW, "csrf_token": token}, follow_redirects=False
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"].split("?")[0]
    page = merch.get(url)
    assert "Saigon Bags" in page.text and "an@saigon.example" in page.text
    assert "OEM" in page.text
    # a price: 12.00 USD + 10% freight = 13.20 landed
    priced = merch.post(
        f"{url}/prices",
        data={
            "target": "MC-001-GLD",
            "unit_cost": "12.00",
            "currency": "USD",
            "moq": "50",
            "case_pack": "10",
            "lead_time_days": "",
            "valid_from": "2026-01-01",
            "valid_until": "",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert priced.status_code == 303, priced.text
    page = merch.get(url)
    assert "$13.20" in page.text and "$12.00" in page.text
    with db.session() as s:
        assert rangeplan.current_cost(s, "MC-001-GLD").unit_cost_minor == 1_320
    wrong = merch.post(
        f"{url}/prices",
        data={"target": "NOPE", "unit_cost": "abc", "currency": "USD", "csrf_token": token},
    )
    assert wrong.status_code == 422 and "Enter an amount in USD" in wrong.text
    unknown = merch.post(
        f"{url}/prices",
        data={"target": "style:NOPE", "unit_cost": "1", "currency": "USD", "csrf_token": token},
    )
    assert unknown.status_code == 422 and "style NOPE does not exist" in unknown.text
    # end the price
    price_id = page.text.split('data-price="')[1].split('"')[0]
    ended = merch.post(
        f"/staff/supplier-prices/{price_id}/end",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert ended.status_code == 303, ended.text
    assert 'status-confirmed">current' not in merch.get(url).text
    # a certificate with a file, then a bad file
    cert = merch.post(
        f"{url}/certificates",
        data={
            "kind": "bsci",
            "issuer": "amfori",
            "valid_until": str(date.today() + timedelta(days=10)),
            "csrf_token": token,
        },
        files={"file": ("bsci.pdf", b"%PDF-1.4 audit", "application/pdf")},
        follow_redirects=False,
    )
    assert cert.status_code == 303, cert.text
    bad_file = merch.post(
        f"{url}/certificates",
        data={"kind": "bsci", "csrf_token": token},
        files={"file": ("x.pdf", b"GIF89a", "application/pdf")},
    )
    assert bad_file.status_code == 422 and "Choose the file again" in bad_file.text
    listing = merch.get("/staff/suppliers")
    assert 'id="certificate-warnings"' in listing.text and "VN-01" in listing.text
    page = merch.get(url)
    cert_id = page.text.split('data-certificate="')[1].split('"')[0]
    got = merch.get(f"/staff/supplier-certificates/{cert_id}")
    assert got.status_code == 200 and got.content == b"%PDF-1.4 audit"
    # edit
    edited = merch.post(
        url,
        data={**NEW, "name": "Saigon Bags Ltd", "active": "1", "csrf_token": token},
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text
    assert "Saigon Bags Ltd" in merch.get(url).text
    deleted = merch.post(
        f"/staff/supplier-certificates/{cert_id}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    with db.session() as s:
        assert certificates.list_certificates(s, int(url.rsplit("/", 1)[1])) == []


def test_filters_roles_and_import(db, world, signed_in) -> None:
    with db.session(write=True) as s:
        add_supplier(s, "GZ-01", country="CN", currency="USD")
        add_supplier(s, "IT-01", country="IT", currency="EUR", capabilities={"odm": True})
    sales = signed_in("sales@seller.test")
    listing = sales.get("/staff/suppliers?country=IT")
    assert listing.status_code == 200
    assert 'data-supplier="IT-01"' in listing.text and 'data-supplier="GZ-01"' not in listing.text
    assert 'id="new-supplier"' not in listing.text
    assert 'data-supplier="IT-01"' in sales.get("/staff/suppliers?capability=odm").text
    token = csrf_from(listing.text)
    refused = sales.post("/staff/suppliers/new", data={**NEW, "csrf_token": token})
    assert refused.status_code == 403
    assert sales.get("/staff/suppliers/import").status_code == 403
    buyer = signed_in("buyer@a.test")
    assert buyer.get("/staff/suppliers").status_code == 403
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/suppliers/import")
    assert page.status_code == 200 and 'id="import-form"' in page.text
    token = csrf_from(page.text)
    good = (
        b"supplier,sku,unit_cost,currency,moq,case_pack,valid_from\n"
        b"IT-01,MC-001-GLD,10.00,EUR,12,6,2026-01-01\n"
    )
    done = merch.post(
        "/staff/suppliers/import",
        data={"csrf_token": token},
        files={"file": ("p.csv", good, "text/csv")},
    )
    assert done.status_code == 200 and 'id="import-done"' in done.text, done.text
    bad = merch.post(
        "/staff/suppliers/import",
        data={"csrf_token": token},
        files={"file": ("p.csv", good.replace(b"IT-01", b"NOPE"), "text/csv")},
    )
    assert bad.status_code == 422 and 'data-line="2"' in bad.text
    no_csrf = merch.post("/staff/suppliers/import", files={"file": ("p.csv", good, "text/csv")})
    assert no_csrf.status_code == 403
    assert merch.get("/staff/suppliers/999").status_code == 404


def test_the_supplier_page_shows_its_standing(db, world, signed_in, monkeypatch) -> None:
    from microbag.scorecards.service import Standing
    from microbag.suppliers import staff_forms

    with db.session(write=True) as s:
        new_id = add_supplier(s, "GZ-01").id
        bad_id = add_supplier(s, "WZ-09").id
    sales = signed_in("sales@seller.test")
    fresh = sales.get(f"/staff/suppliers/{new_id}")
    assert fresh.status_code == 200
    assert 'id="standing"' in fresh.text and "Unrated" in fresh.text

    def very_poor(_session, supplier_id, _today=None):
        return Standing("very_poor", 22.0, "on-time 30% over the last 2 quarters")

    monkeypatch.setattr(staff_forms, "standing_for", very_poor)
    page = sales.get(f"/staff/suppliers/{bad_id}")
    assert "Very poor" in page.text and "score 22/100" in page.text
    assert "new purchase orders are blocked" in page.text
