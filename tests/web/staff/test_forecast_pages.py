"""Staff forecast pages: the run's series and accuracy, one series' chart and table."""

from __future__ import annotations

import re

import pytest

from microbag.forecasting.pages import forecast_chart
from microbag.forecasting.service import run_forecast
from tests.forecasting.conftest import history  # noqa: F401  (weekly history)


def test_chart_shares_one_scale_and_joins_history_to_forecast():
    chart = forecast_chart([0.0, 10.0], [(5.0, 2.0, 20.0)], width=40, height=28, pad=4)
    assert chart.peak == 20.0
    assert chart.history == "4.0,24.0 20.0,14.0"
    # The mean line starts at the last history week and goes to the forecast week.
    assert chart.mean == "20.0,14.0 36.0,19.0"
    assert chart.band == "36.0,22.0 36.0,4.0"
    assert chart.split_x == 36.0
    empty = forecast_chart([], [])
    assert (empty.history, empty.mean, empty.band, empty.split_x) == ("", "", "", 0.0)


@pytest.fixture
def forecasted(db, history):  # noqa: F811
    with db.session(write=True) as s:
        return run_forecast(s, 3, fast=True)


def test_before_any_run_the_page_says_what_to_do(signed_in, world):
    page = signed_in("merch@seller.test").get("/staff/forecasts")
    assert page.status_code == 200
    assert "No forecast yet" in page.text and "microbag forecast run" in page.text


def test_board_lists_series_and_backtest(signed_in, forecasted):
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/forecasts", params={"level": "sku_region"})
    assert page.status_code == 200, page.text
    html = page.text
    assert f"Run {forecasted.run_id} of" in html
    assert 'id="backtest"' in html and "(used)" in html
    links = re.findall(r'href="/staff/forecasts/sku_region/([^"]+)"', html)
    assert "MC-001-BLK/us" in links
    narrowed = merch.get("/staff/forecasts", params={"level": "sku", "q": "RED"}).text
    assert re.findall(r'href="/staff/forecasts/sku/([^"]+)"', narrowed) == ["MT-001-RED"]
    assert merch.get("/staff/forecasts", params={"level": "planet"}).status_code == 422


def test_series_page_has_chart_and_every_number(signed_in, forecasted):
    sales = signed_in("sales@seller.test")
    r = sales.get("/staff/forecasts/sku_region/MC-001-BLK/us")
    assert r.status_code == 200, r.text
    html = r.text
    assert '<polygon class="band"' in html and 'class="mean"' in html
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>", html)
    assert len(rows) >= 3 + 20  # history weeks, then the 3 forecast weeks
    assert "units forecast over the next 3 weeks" in html
    missing = sales.get("/staff/forecasts/sku/NOPE-1")
    assert missing.status_code == 404 and "No forecast for sku NOPE-1" in missing.text


def test_buyers_may_not_see_forecasts(signed_in, forecasted):
    buyer = signed_in("buyer@a.test")
    assert buyer.get("/staff/forecasts").status_code == 403
    assert buyer.get("/staff/forecasts/sku/MT-001-RED").status_code == 403


def test_series_and_levels_by_their_display_names(signed_in, forecasted):
    merch = signed_in("merch@seller.test")
    regions = merch.get("/staff/forecasts", params={"level": "region"}).text
    names = re.findall(r'<a href="/staff/forecasts/region/[^"]+">([^<]+)</a>', regions)
    assert set(names) == {"US", "Europe"}
    assert ">SKU and region</option>" in regions and "Sku region" not in regions
    by_sku = merch.get("/staff/forecasts", params={"level": "sku_region"}).text
    assert '<a href="/staff/forecasts/sku_region/MC-001-BLK/us">MC-001-BLK / US</a>' in by_sku
    one = merch.get("/staff/forecasts/region/us").text
    assert "<h1>US <small" in one and "Forecast: US" in one
