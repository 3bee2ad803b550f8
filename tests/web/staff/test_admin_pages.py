"""Staff pages for prices, stock, companies and staff users: actions, errors, roles."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from microbag.accounts.models import User
from microbag.buyers.models import Company
from microbag.pricing.models import PriceListItem
from microbag.stock.models import IncomingStock, StockLevel
from microbag.timeutil import utcnow

from .conftest import field_errors, general_errors, post

# ---- prices ------------------------------------------------------------------------------------


def _terms(client, world, sku: str, moq: str, pack: str, tiers: list[tuple[str, str]]):
    data = {
        "moq": moq,
        "case_pack": pack,
        "min_quantity": [q for q, _ in tiers],
        "price": [p for _, p in tiers],
    }
    return post(client, f"/staff/prices/{world.price_lists['EUR']}/items/{sku}", data)


def test_price_lists_and_tiers(signed_in, db, world):
    sales = signed_in("sales@seller.test")
    lists = sales.get("/staff/prices").text
    assert f'data-list="{world.price_lists["EUR"]}"' in lists and "Default EUR" in lists
    eur = world.price_lists["EUR"]
    page = sales.get(f"/staff/prices/{eur}?sku=MC-001-GLD").text
    assert 'data-sku="MC-001-GLD"' in page and 'data-sku="MT-001-RED"' not in page
    form = sales.get(f"/staff/prices/{eur}/items/MC-001-GLD").text
    assert 'name="min_quantity" value="6"' in form
    # Every broken invariant is reported; nothing changes.
    bad = _terms(sales, world, "MC-001-GLD", "5", "6", [("6", "10.00"), ("24", "12.00")])
    assert bad.status_code == 422
    assert "not a multiple of the case pack" in field_errors(bad.text, "f-moq")
    assert "Unit price rises" in general_errors(bad.text)
    typo = _terms(sales, world, "MC-001-GLD", "6", "6", [("6", "ten")])
    assert typo.status_code == 422
    assert field_errors(typo.text, "tier-1") == "Enter an amount in EUR, e.g. 12.50."
    ok = _terms(sales, world, "MC-001-GLD", "12", "6", [("12", "9.50"), ("48", "8.75")])
    assert ok.status_code == 303
    with db.session() as s:
        item = s.scalar(
            select(PriceListItem).where(
                PriceListItem.price_list_id == eur, PriceListItem.sku_id == world.skus["MC-001-GLD"]
            )
        )
        assert (item.moq, [(t.min_quantity, t.unit_price_minor) for t in item.tiers]) == (
            12,
            [(12, 950), (48, 875)],
        )
    # The buyer's SKU page shows the new tiers.
    assert "8,75" in signed_in("buyer@a.test").get("/catalog/MC-001-GLD").text
    # Minimum order value of the list.
    r = post(sales, f"/staff/prices/{eur}", {"min_order_value": "-3", "is_active": "1"})
    assert r.status_code == 422 and "negative" in field_errors(r.text, "f-min_order_value")
    assert (
        post(
            sales, f"/staff/prices/{eur}", {"min_order_value": "250", "is_active": "1"}
        ).status_code
        == 303
    )
    removed = post(sales, f"/staff/prices/{eur}/items/CB-001-TAN/remove")
    assert removed.status_code == 303
    assert (
        "CB-001-TAN is not on this list yet"
        in sales.get(f"/staff/prices/{eur}/items/CB-001-TAN").text
    )


def test_price_roles(signed_in, world):
    merch = signed_in("merch@seller.test")
    page = merch.get(f"/staff/prices/{world.price_lists['EUR']}/items/MC-001-GLD")
    assert page.status_code == 200 and "Save terms" not in page.text
    assert _terms(merch, world, "MC-001-GLD", "6", "6", [("6", "1.00")]).status_code == 403
    assert signed_in("buyer@a.test").get("/staff/prices").status_code == 403


# ---- stock -------------------------------------------------------------------------------------


def test_stock_set_incoming_and_receive(signed_in, db, world):
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/stock?sku=MC-001-GLD").text
    assert 'data-sku="MC-001-GLD" data-warehouse="MAIN"' in page
    bad = post(merch, "/staff/stock/set", {"sku": "NOPE", "warehouse": "MAIN", "on_hand": "5"})
    assert bad.status_code == 422 and "not found" in field_errors(bad.text, "set-sku")
    neg = post(
        merch, "/staff/stock/set", {"sku": "MC-001-GLD", "warehouse": "MAIN", "on_hand": "-1"}
    )
    assert neg.status_code == 422 and "negative" in field_errors(neg.text, "set-on_hand")
    ok = post(
        merch, "/staff/stock/set", {"sku": "MC-001-GLD", "warehouse": "MAIN", "on_hand": "250"}
    )
    assert ok.status_code == 303
    past = (utcnow().date() - timedelta(days=2)).isoformat()
    late = post(
        merch,
        "/staff/stock/incoming",
        {"sku": "MC-001-GLD", "warehouse": "MAIN", "quantity": "60", "expected_date": past},
    )
    assert late.status_code == 422 and "before today" in field_errors(late.text, "in-expected_date")
    soon = (utcnow().date() + timedelta(days=10)).isoformat()
    added = post(
        merch,
        "/staff/stock/incoming",
        {
            "sku": "MC-001-GLD",
            "warehouse": "MAIN",
            "quantity": "60",
            "expected_date": soon,
            "note": "PO 7",
        },
    )
    assert added.status_code == 303
    page = merch.get("/staff/stock?sku=MC-001-GLD").text
    incoming_id = int(re.search(r'data-incoming="(\d+)"', page)[1])
    assert "PO 7" in page
    assert post(merch, f"/staff/stock/incoming/{incoming_id}/receive").status_code == 303
    again = post(merch, f"/staff/stock/incoming/{incoming_id}/receive")
    assert again.status_code == 409 and "already received" in general_errors(again.text)
    with db.session() as s:
        level = s.scalar(select(StockLevel).where(StockLevel.sku_id == world.skus["MC-001-GLD"]))
        assert level.on_hand == 310
        assert s.get(IncomingStock, incoming_id).received_at is not None


def test_stock_roles(signed_in):
    sales = signed_in("sales@seller.test")
    assert "Save count" not in sales.get("/staff/stock").text
    r = post(sales, "/staff/stock/set", {"sku": "MC-001-GLD", "warehouse": "MAIN", "on_hand": "1"})
    assert r.status_code == 403


# ---- companies ---------------------------------------------------------------------------------

COMPANY = {
    "name": "Souk Minis (Dubai)",
    "segment": "boutique",
    "country": "AE",
    "region": "",
    "currency": "AED",
    "locale": "ar_AE",
    "payment_terms_days": "30",
    "credit_limit": "20000",
    "is_active": "1",
}


def test_create_edit_company_and_users(signed_in, db):
    sales = signed_in("sales@seller.test")
    bad = post(sales, "/staff/companies/new", {**COMPANY, "country": "XX", "segment": "cafe"})
    assert bad.status_code == 422
    assert "ISO 3166" in field_errors(bad.text, "f-country")
    assert "segment 'cafe'" in field_errors(bad.text, "f-segment").lower()
    taken = post(sales, "/staff/companies/new", {**COMPANY, "name": "Big Store (NYC)"})
    assert taken.status_code == 409 and "exists" in field_errors(taken.text, "f-name")
    ok = post(sales, "/staff/companies/new", COMPANY)
    assert ok.status_code == 303
    company_id = int(re.search(r"/staff/companies/(\d+)", ok.headers["location"])[1])
    with db.session() as s:
        company = s.get(Company, company_id)
        assert (company.region, company.credit_limit_minor) == ("middle_east", 2_000_000)
    edit = {**COMPANY, "payment_terms_days": "", "credit_limit": "0"}
    assert post(sales, f"/staff/companies/{company_id}", edit).status_code == 303
    with db.session() as s:
        assert s.get(Company, company_id).payment_terms_days is None  # prepaid now
    weak = post(
        sales,
        f"/staff/companies/{company_id}/users",
        {"email": "layla@souk.test", "role": "owner", "password": "short"},
    )
    assert weak.status_code == 422 and "at least" in field_errors(weak.text, "user-password")
    added = post(
        sales,
        f"/staff/companies/{company_id}/users",
        {
            "email": "layla@souk.test",
            "role": "owner",
            "name": "Layla",
            "password": "a long enough pass",
        },
    )
    assert added.status_code == 303
    assert 'data-user="layla@souk.test"' in sales.get(f"/staff/companies/{company_id}").text


def test_deactivating_a_buyer_signs_them_out(signed_in, db, world):
    buyer = signed_in("buyer@a.test")
    assert buyer.get("/catalog").status_code == 200
    with db.session() as s:
        user_id = s.scalar(select(User.id).where(User.email == "buyer@a.test"))
    sales = signed_in("sales@seller.test")
    r = post(sales, f"/staff/companies/{world.company_a}/users/{user_id}/active", {"active": "0"})
    assert r.status_code == 303
    assert buyer.get("/catalog", follow_redirects=False).status_code == 303  # to /login
    # A user of another company cannot be reached through this company's URL.
    r = post(sales, f"/staff/companies/{world.company_b}/users/{user_id}/active", {"active": "1"})
    assert r.status_code == 404


def test_company_roles(signed_in, world):
    merch = signed_in("merch@seller.test")
    assert merch.get(f"/staff/companies/{world.company_a}").status_code == 200
    assert merch.get("/staff/companies/new").status_code == 403
    assert post(merch, f"/staff/companies/{world.company_a}", COMPANY).status_code == 403
    assert signed_in("owner@a.test").get(f"/staff/companies/{world.company_a}").status_code == 403


# ---- staff users -------------------------------------------------------------------------------


def test_staff_users_are_for_admins(signed_in, db):
    admin = signed_in("admin@seller.test")
    page = admin.get("/staff/users").text
    assert 'data-user="merch@seller.test"' in page
    bad = post(
        admin, "/staff/users", {"email": "not-an-email", "role": "sales", "password": "x" * 12}
    )
    assert bad.status_code == 422 and "not a valid e-mail" in field_errors(bad.text, "f-email")
    ok = post(
        admin,
        "/staff/users",
        {"email": "nora@seller.test", "role": "merchandiser", "password": "x" * 12},
    )
    assert ok.status_code == 303
    with db.session() as s:
        nora = s.scalar(select(User).where(User.email == "nora@seller.test"))
        assert nora.role == "merchandiser" and nora.company_id is None
        admin_id = s.scalar(select(User.id).where(User.email == "admin@seller.test"))
    assert post(admin, f"/staff/users/{nora.id}", {"role": "sales"}).status_code == 303
    # The last admin cannot demote themself.
    last = post(admin, f"/staff/users/{admin_id}", {"role": "sales"})
    assert last.status_code == 409 and "last active admin" in general_errors(
        last.text, "row-errors"
    )
    sales = signed_in("sales@seller.test")
    assert sales.get("/staff/users").status_code == 403
    assert "Staff users" not in sales.get("/staff/orders").text
    assert post(sales, f"/staff/users/{nora.id}", {"role": "admin"}).status_code == 403
