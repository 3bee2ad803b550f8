"""The staff range plan pages: the form solves and shows the plan with its reasons, an
infeasible request names the conflict, other staff read, buyers are kept out."""

from __future__ import annotations

from tests.web.conftest import csrf_from

from .test_service import with_costs

FORM = {
    "season": "holiday",
    "year": "2026",
    "region": "",
    "segment": "",
    "currency": "EUR",
    "budget": "10000.00",
    "max_styles": "3",
    "min_styles": "",
    "time_limit": "5",
}


def test_a_merchandiser_solves_a_plan_on_the_page(db, world, signed_in) -> None:
    with_costs(db)
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/range-plans")
    assert page.status_code == 200 and 'id="range-plan-form"' in page.text
    answer = merch.post(
        "/staff/range-plans",
        data={**FORM, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    plan_page = merch.get(answer.headers["location"])
    assert "Proven optimal" in plan_page.text
    assert 'id="plan-lines"' in plan_page.text and "margin" in plan_page.text
    csv = merch.get(answer.headers["location"] + "/export.csv")
    assert csv.status_code == 200 and csv.text.startswith("rank,sku,style")
    sales = signed_in("sales@seller.test")
    listing = sales.get("/staff/range-plans")
    assert "Plan 1" in listing.text and 'id="range-plan-form"' not in listing.text
    assert sales.get(answer.headers["location"]).status_code == 200


def test_bad_fields_and_conflicts_are_shown(db, world, signed_in) -> None:
    with_costs(db)
    merch = signed_in("merch@seller.test")
    token = csrf_from(merch.get("/staff/range-plans").text)
    bad = merch.post("/staff/range-plans", data={**FORM, "budget": "lots", "csrf_token": token})
    assert bad.status_code == 422 and "Enter an amount in EUR" in bad.text
    tight = merch.post(
        "/staff/range-plans",
        data={**FORM, "max_styles": "0", "min_styles": "1", "csrf_token": token},
    )
    assert tight.status_code == 422  # min above max: refused before solving
    none = merch.post("/staff/range-plans", data={**FORM, "min_styles": "4", "csrf_token": token})
    assert none.status_code == 422


def test_an_infeasible_plan_page_names_the_conflict(db, world, signed_in) -> None:
    with_costs(db)
    merch = signed_in("merch@seller.test")
    token = csrf_from(merch.get("/staff/range-plans").text)
    answer = merch.post(
        "/staff/range-plans",
        data={**FORM, "max_styles": "", "min_styles": "9", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = merch.get(answer.headers["location"])
    assert 'id="plan-conflicts"' in page.text and "at least 9 styles" in page.text


def test_buyers_may_not_see_range_plans(db, world, signed_in) -> None:
    buyer = signed_in("owner@a.test")
    assert buyer.get("/staff/range-plans").status_code in (403, 404)


def test_the_sku_page_sets_a_landed_cost_and_shows_margins(db, world, signed_in) -> None:
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/catalog/skus/MC-001-GLD")
    assert "No cost yet" in page.text and "no cost" in page.text
    form = {
        "unit_cost": "18.00",
        "cost_currency": "EUR",
        "effective_from": "2026-01-01",
        "supplier_moq": "12",
        "supplier_case_pack": "0",
        "csrf_token": csrf_from(page.text),
    }
    bad = merch.post("/staff/catalog/skus/MC-001-GLD/cost", data=form)
    assert bad.status_code == 422 and "case pack must be 1 or more" in bad.text
    form["supplier_case_pack"] = "6"
    saved = merch.post("/staff/catalog/skus/MC-001-GLD/cost", data=form, follow_redirects=False)
    assert saved.status_code == 303
    page = merch.get(saved.headers["location"])
    assert "Landed cost saved" in page.text
    margins = page.text[page.text.index('id="sku-margins"') :]
    assert "€27.00 (60%)" in margins  # the EUR list's €45.00 tier
    assert "no cost" in margins  # the USD and JPY lists: the cost is in EUR
    sales = signed_in("sales@seller.test")
    assert 'id="cost-form"' not in sales.get("/staff/catalog/skus/MC-001-GLD").text
    assert (
        sales.post(
            "/staff/catalog/skus/MC-001-GLD/cost", data={**form, "csrf_token": csrf_from(page.text)}
        ).status_code
        == 403
    )


def test_the_price_list_page_shows_margins(db, world, signed_in) -> None:
    with_costs(db)
    admin = signed_in("admin@seller.test")
    eur = admin.get(f"/staff/prices/{world.price_lists['EUR']}")
    assert eur.status_code == 200 and "(60%)" in eur.text
    usd = admin.get(f"/staff/prices/{world.price_lists['USD']}")
    assert "no cost" in usd.text
