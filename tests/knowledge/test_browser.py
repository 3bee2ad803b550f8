"""The knowledge page in Debian's Chromium: a merchandiser edits a fact, sees the error
next to the field, saves, and the table shows the seller's value."""

from __future__ import annotations

import pytest

from tests.web.conftest import browser_sign_in, screenshot

pytestmark = pytest.mark.browser


def test_edit_a_fact_in_the_browser(db, world, browser_page):
    page = browser_page
    browser_sign_in(page, "merch@seller.test")
    page.get_by_role("link", name="Knowledge", exact=True).click()
    row = page.locator('tr[data-fact="segment_types.boutique"]')
    assert "brief: Table 4, Table 9" in row.inner_text()
    screenshot(page, "staff-knowledge")
    row.get_by_role("link", name="Edit segment_types.boutique").click()
    page.get_by_label("Belt bag").fill("7")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#f-belt_bag-error")
    assert "less than or equal to 5" in error.inner_text()
    screenshot(page, "staff-knowledge-fact-error")
    page.get_by_label("Belt bag").fill("1.4")
    page.get_by_role("button", name="Save").click()
    page.locator("#notice").wait_for()
    row = page.locator('tr[data-fact="segment_types.boutique"]')
    assert "edited by merch@seller.test" in row.inner_text()
    assert row.locator('strong[title="shipped: 0.7"]').inner_text() == "1.4"
