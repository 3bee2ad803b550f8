"""The staff scorecard pages: standings with metrics, trend and reasons; the ranking with
TOPSIS scores, weights linking to the knowledge and the sensitivity table; buyers out."""

from __future__ import annotations

from microbag.timeutil import utcnow
from tests.sourcing_data import add_supplier, add_supplier_price

from .history import known_history


def _data(db, world) -> None:
    with db.session(write=True) as s:
        good = known_history(s, world, today=utcnow().date()).supplier
        other = add_supplier(s, "ZJ-02", country="CN", region="Zhejiang")
        add_supplier_price(s, good, world.skus["MC-001-GLD"], 1_200)
        add_supplier_price(s, other, world.skus["MC-001-GLD"], 1_000, moq=100)


def test_scorecards_page_shows_standings_trend_and_reasons(db, world, signed_in) -> None:
    _data(db, world)
    sales = signed_in("sales@seller.test")
    page = sales.get("/staff/scorecards")
    assert page.status_code == 200
    assert 'id="standings"' in page.text and 'id="trend"' in page.text
    assert 'id="scorecard-GZ-01"' in page.text and "delivered lines" in page.text
    assert 'id="scorecard-ZJ-02" data-level="unrated"' in page.text
    assert "too thin a record" in page.text
    assert "Very poor blocks new purchase orders" in page.text


def test_ranking_page_with_weights_and_sensitivity(db, world, signed_in) -> None:
    _data(db, world)
    merch = signed_in("merch@seller.test")
    empty = merch.get("/staff/scorecards/ranking")
    assert empty.status_code == 200 and 'id="ranking-form"' in empty.text
    page = merch.get("/staff/scorecards/ranking?sku=MC-001-GLD")
    assert page.status_code == 200, page.text
    assert 'id="rank-GZ-01"' in page.text and 'id="rank-ZJ-02"' in page.text
    assert 'id="weights"' in page.text and 'href="/staff/knowledge"' in page.text
    assert "/staff/knowledge/supplier_criteria.price" in page.text
    assert 'id="sensitivity"' in page.text and "Kendall" in page.text
    assert 'id="stability"' in page.text
    bad = merch.get("/staff/scorecards/ranking?sku=NOPE")
    assert bad.status_code == 422 and "SKU NOPE not found" in bad.text
    by_capability = merch.get("/staff/scorecards/ranking?capability=odm")
    assert by_capability.status_code == 200 and 'id="no-candidates"' in by_capability.text


def test_buyers_never_see_the_pages(db, world, signed_in) -> None:
    buyer = signed_in("buyer@a.test")
    for url in ("/staff/scorecards", "/staff/scorecards/ranking"):
        r = buyer.get(url, follow_redirects=False)
        assert r.status_code in (302, 303, 403, 404)
