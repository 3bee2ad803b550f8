"""Staff pages that create a price list and a warehouse, with errors next to the fields."""

from __future__ import annotations

import re

from sqlalchemy import select

from microbag.pricing.models import PriceList
from microbag.stock.models import Warehouse

from .conftest import field_errors, general_errors, post


def _new_list(client, **fields):
    data = {"name": "Boutiques EUR", "currency": "EUR", "assign": "segment", "segment": "boutique"}
    data.update(fields)
    return post(client, "/staff/prices/new", data, page="/staff/prices/new")


def test_price_list_form_errors_next_to_fields(signed_in):
    sales = signed_in("sales@seller.test")
    assert 'href="/staff/prices/new"' in sales.get("/staff/prices").text
    r = _new_list(sales, name="", currency="EURO", segment="", min_order_value="lots")
    assert r.status_code == 422
    assert field_errors(r.text, "f-name") == "This field is required."
    assert field_errors(r.text, "f-currency") == (
        "Enter a 3-letter ISO 4217 currency code, e.g. EUR."
    )
    assert field_errors(r.text, "f-segment") == "Choose a segment."
    assert "Enter an amount" in field_errors(r.text, "f-min_order_value")
    none = _new_list(sales, assign="")
    assert field_errors(none.text, "f-assign") == "Choose who buys from this list."
    # The company must buy in the list's currency (a rule of the core, shown on its field).
    other = _new_list(sales, assign="company", company_id="2", currency="EUR")  # Big Store: USD
    assert other.status_code == 422
    assert "buys in USD" in field_errors(other.text, "f-currency")
    # A second active default list for EUR conflicts with the existing one.
    dup = _new_list(sales, name="Another EUR", assign="default", is_active="1")
    assert dup.status_code == 409 and "already active" in field_errors(dup.text, "f-assign")
    taken = _new_list(sales, name="Default EUR")
    assert "exists" in field_errors(taken.text, "f-name")


def test_price_list_is_created(signed_in, db):
    sales = signed_in("sales@seller.test")
    r = _new_list(sales, min_order_value="250.00", is_active="1")
    assert r.status_code == 303, r.text[-2000:]
    list_id = int(re.match(r"/staff/prices/(\d+)\?done=created", r.headers["location"]).group(1))
    with db.session() as s:
        pl = s.get(PriceList, list_id)
        assert (pl.name, pl.currency, pl.segment, pl.company_id) == (
            "Boutiques EUR",
            "EUR",
            "boutique",
            None,
        )
        assert pl.min_order_value_minor == 25_000 and pl.is_active
    assert "Price list created" in sales.get(r.headers["location"]).text
    company = _new_list(sales, name="Atelier contract", assign="company", company_id="1")
    assert company.status_code == 303


def test_only_pricing_staff_create_price_lists(signed_in):
    merch = signed_in("merch@seller.test")
    assert 'href="/staff/prices/new"' not in merch.get("/staff/prices").text
    assert merch.get("/staff/prices/new").status_code == 403


def _new_warehouse(client, **fields):
    data = {"code": "EU-2", "name": "Lyon hub", "country": "FR"}
    data.update(fields)
    return post(client, "/staff/stock/warehouses", data, page="/staff/stock")


def test_warehouse_form(signed_in, db):
    merch = signed_in("merch@seller.test")
    assert 'id="warehouse-form"' in merch.get("/staff/stock").text
    r = _new_warehouse(merch, code="", name="", country="")
    assert r.status_code == 422
    assert field_errors(r.text, "wh-code").startswith("Enter a code")
    assert field_errors(r.text, "wh-name") == "Enter the warehouse's name."
    bad = _new_warehouse(merch, code="eu 2!", country="ZZ")
    assert bad.status_code == 422
    assert "upper-case letters" in field_errors(bad.text, "wh-code")
    assert "ISO 3166" in field_errors(bad.text, "wh-country")
    taken = _new_warehouse(merch, code="MAIN")
    assert taken.status_code == 409 and "exists" in field_errors(taken.text, "wh-code")
    assert general_errors(taken.text) == ""
    ok = _new_warehouse(merch, code="eu-2")  # upper-cased
    assert ok.status_code == 303
    page = merch.get(ok.headers["location"]).text
    assert "Warehouse added." in page and 'data-warehouse="EU-2"' in page
    with db.session() as s:
        assert s.scalar(select(Warehouse.name).where(Warehouse.code == "EU-2")) == "Lyon hub"
    sales = signed_in("sales@seller.test")
    assert 'id="warehouse-form"' not in sales.get("/staff/stock").text
    assert _new_warehouse(sales, code="X1").status_code == 403
