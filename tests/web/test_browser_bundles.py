"""Chromium: staff make a bundle offer from a mined pair on /staff/bundles; the buyer sees
"often ordered together" on the SKU page and in the cart, with the offer's discount line
(screenshots in docs/screenshots/)."""

from __future__ import annotations

import pytest

from tests.bundles.helpers import BLK, GLD, RED, basket_history, mine

from .conftest import browser_sign_in, screenshot

pytestmark = pytest.mark.browser


def test_often_ordered_together_in_chromium(db, world, tmp_path, browser_page):
    basket_history(db, tmp_path)
    mine(db)
    page = browser_page
    browser_sign_in(page, "sales@seller.test")
    page.goto("/staff/bundles")
    pair = page.locator("#pair-table tbody tr").first
    assert pair.get_attribute("data-pair") in (f"{GLD}+{RED}", f"{RED}+{GLD}")
    pair.get_by_label("Offer name").fill("Gala clutch + petite tote")
    pair.get_by_label("Price list").select_option(label="Default EUR (EUR)")
    pair.get_by_label("Bundle price").fill("80.00")
    screenshot(page, "staff-bundles")
    pair.get_by_role("button", name="Create offer").click()
    page.wait_for_load_state()
    assert "created and active" in page.locator("#notice").inner_text()
    assert page.locator("#offer-table tr[data-active='true']").count() == 1
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")

    browser_sign_in(page, "buyer@a.test")
    page.goto(f"/catalog/{GLD}")
    block = page.locator("#often-together")
    assert block.get_by_role("heading", name="Often ordered together").is_visible()
    assert block.locator("li").evaluate_all("els => els.map(e => e.dataset.sku)") == [RED, BLK]
    screenshot(page, "sku-often-ordered-together")

    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart")
    page.goto(f"/catalog/{RED}")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart")
    assert (
        page.locator("tr.bundle-discount")
        .inner_text()
        .startswith("Bundle: Gala clutch + petite tote")
    )
    assert page.locator("#often-together li").count() == 1  # BLK: the cart holds the rest
    screenshot(page, "cart-bundle-discount")
