"""Catalog pages: combinable filters with counts, search, sort, paging, the SKU page."""

from __future__ import annotations

import re

from microbag.catalog.facets import facet_counts
from microbag.catalog.listing import SkuFilters

from .conftest import csrf_from


def _codes(html: str) -> list[str]:
    return re.findall(r'<a href="/catalog/([A-Z0-9-]+)">', html.split('id="results"', 1)[-1])


def _count(html: str, facet: str, value: str) -> int:
    match = re.search(
        rf'id="f-{facet}-{value}"[^>]*>\s*[^<]*<span class="count">([\d,\s\u202f]+)</span>', html
    )
    assert match, f"no count for {facet}={value}"
    return int(re.sub(r"\D", "", match.group(1)))


def test_filters_combine_and_show_counts(signed_in):
    c = signed_in("buyer@b.test")
    everything = c.get("/catalog").text
    assert sorted(_codes(everything)) == ["CB-001-TAN", "MC-001-BLK", "MC-001-GLD", "MT-001-RED"]
    assert _count(everything, "bag_type", "micro_clutch") == 2
    assert _count(everything, "color", "gold") == 1
    r = c.get("/catalog?bag_type=micro_clutch&color=gold")
    assert r.status_code == 200
    assert _codes(r.text) == ["MC-001-GLD"]
    # Counts of one filter are taken under the others: with color=gold, only one clutch.
    assert _count(r.text, "bag_type", "micro_clutch") == 1
    # Values of one filter combine with OR.
    both = c.get("/catalog?bag_type=micro_clutch&bag_type=micro_tote").text
    assert sorted(_codes(both)) == ["MC-001-BLK", "MC-001-GLD", "MT-001-RED"]
    assert 'id="f-bag_type-micro_tote" name="bag_type" value="micro_tote" checked' in both


def test_text_search_sort_and_bad_values(signed_in):
    c = signed_in("buyer@b.test")
    assert _codes(c.get("/catalog?q=tote").text) == ["MT-001-RED"]
    by_name = _codes(c.get("/catalog?sort=name").text)
    assert by_name[0] == "CB-001-TAN"  # City Mini Crossbody sorts first by style name
    # Malformed values are ignored rather than breaking the page.
    r = c.get("/catalog?bag_type=%3Cscript%3E&sort=evil&page=-4&in_stock=1")
    assert r.status_code == 200 and "<script>" not in r.text
    assert len(_codes(r.text)) == 4


def test_in_stock_filter_and_pagination(signed_in, db, world):
    from sqlalchemy import update

    from microbag.stock.models import StockLevel

    with db.session(write=True) as s:
        s.execute(
            update(StockLevel)
            .where(StockLevel.sku_id == world.skus["MT-001-RED"])
            .values(on_hand=0)
        )
    c = signed_in("buyer@b.test")
    html = c.get("/catalog?in_stock=1").text
    assert "MT-001-RED" not in _codes(html) and len(_codes(html)) == 3
    assert "Out of stock" in c.get("/catalog?q=tote").text


def test_pagination_links_keep_the_filters(signed_in, monkeypatch):
    import microbag.catalog.pages as pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    c = signed_in("buyer@b.test")
    first = c.get("/catalog?bag_type=micro_clutch").text
    assert "page 1 of 2" in first
    assert 'href="/catalog?bag_type=micro_clutch&amp;page=2"' in first
    second = c.get("/catalog?bag_type=micro_clutch&page=2").text
    assert _codes(first) != _codes(second)


def test_facet_counts_match_the_listing(db, world):
    with db.session() as s:
        facets = facet_counts(s, SkuFilters(material=("calfskin",)), None)
    assert {f.value: f.count for f in facets["bag_type"]} == {"micro_clutch": 2}
    # Material counts ignore the material filter itself (so other materials can be added).
    assert {f.value: f.count for f in facets["material"]} == {
        "calfskin": 2,
        "canvas": 1,
        "vegan_leather": 1,
    }
    assert {f.value: f.count for f in facets["occasion"]} == {"bridal": 2, "formal": 2}


def test_sku_page_shows_terms_stock_and_other_colors(signed_in):
    c = signed_in("buyer@a.test")
    r = c.get("/catalog/MC-001-GLD")
    assert r.status_code == 200
    html = r.text
    assert "Gala Micro Clutch" in html
    assert "16,0 x 10,0 x 4,0 cm" in html or "16.0 x 10.0 x 4.0 cm" in html
    assert "Minimum order <strong>6</strong>" in html and "cases of <strong>6</strong>" in html
    # Company A pays in EUR, formatted for fr_FR; the MOQ break is the current one.
    current = re.search(r'<tr class="current" aria-current="true">(.*?)</tr>', html, re.S)
    assert current and "45,00" in current.group(1)
    assert "100 available now" in html
    assert "120 expected" in html and "ships" in html
    assert 'href="/catalog/MC-001-BLK"' in html


def test_dimension_units_toggle_is_remembered(signed_in):
    c = signed_in("buyer@a.test")
    page = c.get("/catalog/MC-001-GLD").text
    r = c.post(
        "/preferences/units",
        data={"units": "in", "next": "/catalog/MC-001-GLD", "csrf_token": csrf_from(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/catalog/MC-001-GLD"
    html = c.get("/catalog/MC-001-GLD").text
    assert "6.3 x 3.9 x 1.6 in" in html
    assert "Show in centimetres" in html
    assert "6.3 x 3.9 x 1.6 in" in c.get("/catalog/MC-001-BLK").text


def test_unknown_or_hidden_sku_is_the_not_found_page(signed_in, db, world):
    from sqlalchemy import update

    from microbag.catalog.models import Sku

    with db.session(write=True) as s:
        s.execute(update(Sku).where(Sku.code == "MT-001-RED").values(lifecycle="discontinued"))
    c = signed_in("buyer@a.test")
    for code in ("NOPE-1", "MT-001-RED"):
        r = c.get(f"/catalog/{code}")
        assert r.status_code == 404 and "Page not found" in r.text


def test_viewer_sees_prices_but_no_add_to_cart(signed_in):
    c = signed_in("viewer@a.test")
    html = c.get("/catalog/MC-001-GLD").text
    assert "Your prices" in html and 'action="/cart/add"' not in html
