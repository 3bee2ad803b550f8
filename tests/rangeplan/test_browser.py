"""The range plan page in Debian's Chromium: a merchandiser solves a season's plan and
reads it (screenshot for the docs)."""

from __future__ import annotations

import pytest

from tests.web.conftest import browser_sign_in, screenshot

from .test_demand import seed_demand

pytestmark = pytest.mark.browser


def test_solve_a_range_plan_in_the_browser(db, world, browser_page):
    seed_demand(db, world)
    page = browser_page
    browser_sign_in(page, "merch@seller.test")
    page.get_by_role("link", name="Range plans", exact=True).click()
    page.get_by_label("Season").select_option("holiday")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Budget").fill("lots")
    page.get_by_role("button", name="Solve the plan").click()
    assert "Enter an amount in EUR" in page.locator("#f-budget-error").inner_text()
    page.get_by_label("Budget").fill("10000.00")
    page.get_by_label("At most styles").fill("3")
    page.get_by_label("Knowledge file's default shares").uncheck()
    page.get_by_role("button", name="Solve the plan").click()
    status = page.locator("#plan-status")
    assert "Proven optimal" in status.inner_text()
    rows = page.locator("#plan-lines tbody tr")
    assert rows.count() >= 1
    assert "margin" in rows.first.inner_text()
    gold = page.locator('tr[data-sku="MC-001-GLD"]').inner_text()
    assert "80% interval" in gold and "buy " in gold
    screenshot(page, "staff-range-plan")
    page.get_by_role("link", name="← Range plans").click()
    assert page.locator("#range-plans tbody tr").count() == 1
    screenshot(page, "staff-range-plans")
