"""Catalog page extras: the "ships by" filter with its count, the SKU page's quote link,
and the friendly titles of the error pages."""

from __future__ import annotations

import re

from sqlalchemy import update

from microbag.stock.models import StockLevel
from microbag.web.errors import TITLES, friendly_message

from .conftest import csrf_from


def _codes(html: str) -> list[str]:
    return sorted(
        re.findall(r'<a href="/catalog/([A-Z0-9-]+)">', html.split('id="results"', 1)[-1])
    )


def _sell_out(db, world, *codes: str) -> None:
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel)
            .where(StockLevel.sku_id.in_([world.skus[c] for c in codes]))
            .values(on_hand=0)
        )


def test_ships_by_filter_keeps_arriving_skus_and_shows_its_count(signed_in, db, world):
    _sell_out(db, world, "MC-001-GLD", "MT-001-RED")
    c = signed_in("buyer@a.test")
    plain = c.get("/catalog").text
    assert 'id="f-ships_by" name="ships_by" value=""' in plain
    assert 'id="ships_by-count"' not in plain  # no date, no count
    r = c.get("/catalog?ships_by=2030-01-22")
    assert r.status_code == 200
    assert _codes(r.text) == ["CB-001-TAN", "MC-001-BLK", "MC-001-GLD"]
    assert re.search(r'id="ships_by-count">3<', r.text)
    assert 'value="2030-01-22"' in r.text
    assert r.headers["HX-Push-Url"] == "/catalog?ships_by=2030-01-22"
    early = c.get("/catalog?ships_by=2030-01-21").text
    assert _codes(early) == ["CB-001-TAN", "MC-001-BLK"]
    # Combined with a facet; the facet counts are taken under the date.
    gold = c.get("/catalog?ships_by=2030-01-21&color=gold").text
    assert _codes(gold) == [] and re.search(r'id="ships_by-count">0<', gold)
    assert 'id="f-color-black"' in gold
    # A malformed or far-off date is ignored, not an error.
    for bad in ("soon", "2030-02-30", "9999-01-01"):
        r = c.get(f"/catalog?ships_by={bad}")
        assert r.status_code == 200 and len(_codes(r.text)) == 4, bad


def test_pagination_keeps_the_ships_by_date(signed_in, monkeypatch):
    import microbag.catalog.pages as pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    c = signed_in("buyer@a.test")
    html = c.get("/catalog?ships_by=2030-01-22&bag_type=micro_clutch").text
    assert 'href="/catalog?bag_type=micro_clutch&amp;ships_by=2030-01-22&amp;page=2"' in html


def test_sku_page_links_to_a_prefilled_quote_request(signed_in):
    c = signed_in("buyer@a.test")
    html = c.get("/catalog/MC-001-GLD").text
    link = re.search(
        r'<a href="([^"]+)" class="button" id="request-quote">Request a quote</a>', html
    )
    assert link and link.group(1) == "/quotes/new?sku=MC-001-GLD"
    form = c.get(link.group(1))
    assert form.status_code == 200
    assert 'id="sku-1" name="sku" value="MC-001-GLD"' in form.text
    # A viewer may not request quotes, so the page offers no link.
    viewer = signed_in("viewer@a.test").get("/catalog/MC-001-GLD").text
    assert 'id="request-quote"' not in viewer


def test_error_pages_have_friendly_titles(signed_in):
    assert TITLES[413] == "File too large" and 405 in TITLES and 429 in TITLES
    assert friendly_message(405, "Method Not Allowed").startswith("This address does not accept")
    assert friendly_message(413, "The upload is too large: x.") == "The upload is too large: x."
    c = signed_in("buyer@a.test")
    r = c.get("/logout", follow_redirects=False)
    assert r.status_code == 405
    assert "Not allowed here" in r.text and "Method Not Allowed" not in r.text
    assert "use the page&#39;s buttons and forms" in r.text
    # An oversized upload gets the 413 page in the portal's look.
    token = csrf_from(c.get("/quotes/new").text)
    big = b"%PDF-" + b"0" * (11 * 1024 * 1024)
    r = c.post(
        "/quotes/new",
        data={"csrf_token": token, "sku": "MC-001-GLD", "quantity": "6"},
        files={"artwork": ("big.pdf", big, "application/pdf")},
    )
    assert r.status_code == 413
    assert "File too large" in r.text and "The upload is too large" in r.text
