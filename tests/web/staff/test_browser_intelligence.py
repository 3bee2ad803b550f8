"""Issue 4's staff pages in Debian's Chromium: the trend board, a trend's evidence,
the forecasts with their backtest, and one series' forecast chart."""

from __future__ import annotations

import pytest

from microbag.forecasting.service import run_forecast
from microbag.trends.service import run_trends
from tests.forecasting.conftest import history  # noqa: F401  (weekly history)

from ..conftest import browser_sign_in, screenshot

pytestmark = pytest.mark.browser


def test_trends_and_forecasts_in_the_browser(db, history, browser_page):  # noqa: F811
    with db.session(write=True) as s:
        run_trends(s)
        run_forecast(s, 4, fast=True)
    page = browser_page
    browser_sign_in(page, "merch@seller.test")
    page.get_by_role("link", name="Trends", exact=True).click()
    page.get_by_label("Attribute").select_option("color")
    page.get_by_label("Region", exact=True).select_option("all")
    page.get_by_role("button", name="Show").click()
    board = page.locator("#trend-board")
    assert board.locator("svg.spark").count() >= 2
    screenshot(page, "staff-trend-board")
    page.locator("#trend-board tr[data-label=rising] a").first.click()
    page.locator("#trend-reasons").wait_for()
    assert "rising" in page.locator("h1").inner_text()
    screenshot(page, "staff-trend-evidence")

    page.get_by_role("link", name="Forecasts", exact=True).click()
    page.get_by_label("Level").select_option("sku_region")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#backtest tr.chosen").count() >= 1
    screenshot(page, "staff-forecasts")
    page.locator("#forecast-series a").first.click()
    page.locator("svg.forecast-chart polygon.band").wait_for(state="attached")
    assert "units forecast over the next 4 weeks" in page.locator("#forecast-summary").inner_text()
    screenshot(page, "staff-forecast-series")
