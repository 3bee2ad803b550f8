"""The audit log in Debian's Chromium, with its screenshot in docs/screenshots: the
merchandiser saves a stock count on the stock page; the admin finds it in the audit
log (before → after), narrows the log to that SKU's stock through the entry's link,
and downloads the filtered entries as CSV."""

from __future__ import annotations

import pytest

from tests.web.conftest import browser_sign_in, screenshot

from .changes import make_changes

pytestmark = pytest.mark.browser


def test_a_stock_count_shows_in_the_audit_log(db, world, browser_page) -> None:
    make_changes(db, world)  # some history: terms, counts, a role change
    page = browser_page
    browser_sign_in(page, "merch@seller.test")
    page.goto("/staff/stock?sku=CB-001-TAN")
    form = page.locator("#set-form")
    form.get_by_label("SKU code").fill("CB-001-TAN")
    form.get_by_label("On hand").fill("64")
    form.get_by_role("button", name="Save count").click()
    page.wait_for_url("**done=set")
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/staff/audit")
    rows = page.locator("#audit-log tbody tr")
    assert rows.count() == 4  # a merchandiser does not see the role change
    browser_page.context.clear_cookies()

    browser_sign_in(page, "admin@seller.test")
    page.goto("/staff/audit")
    assert rows.count() == 5
    newest = rows.first
    assert "merch@seller.test" in newest.inner_text()
    change = newest.locator('li[data-field="on_hand"]')
    assert change.locator(".before").inner_text() == "100"
    assert change.locator(".after").inner_text() == "64"
    screenshot(page, "audit-log")
    newest.get_by_role("link", name="CB-001-TAN@MAIN").click()
    page.wait_for_url("**entity_id=CB-001-TAN%40MAIN")
    assert rows.count() == 1
    assert page.get_by_label("What").input_value() == "stock_level"
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("entry_id,at,actor,") and text.count("\n") == 2
    assert "CB-001-TAN@MAIN" in text and "merch@seller.test" in text
