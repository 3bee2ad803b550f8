"""Staff trend board and evidence pages, and the sparkline geometry."""

from __future__ import annotations

import re

from microbag.trends.pages import line_chart
from microbag.trends.service import run_trends
from tests.trends.conftest import trending  # noqa: F401  (the designed trends)


def test_line_chart_scales_into_the_box():
    chart = line_chart([0, 5, 10], 104, 24, marks=[1, 7], pad=2)
    xs_ys = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert xs_ys == [(2.0, 22.0), (52.0, 12.0), (102.0, 2.0)]
    assert chart.marks == (52.0,)  # marks outside the series are dropped
    assert chart.peak == 10
    flat = line_chart([0, 0], 10, 10)
    assert {p.split(",")[1] for p in flat.points.split()} == {"8.0"}
    assert line_chart([], 10, 10).points == ""
    assert line_chart([-3, 4], 10, 10, pad=0).points.split()[0] == "0.0,10.0"


def test_board_filters_labels_and_links(signed_in, db, trending):  # noqa: F811
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/trends", params={"region": "all", "attribute": "color"})
    assert page.status_code == 200, page.text
    html = page.text
    assert "No stored run yet" in html
    assert 'id="trend-board"' in html and "<polyline" in html
    rows = re.findall(r'<tr data-label="(\w+)">', html)
    assert rows and "rising" in rows
    assert "/staff/trends/color/red?region=all&amp;segment=all&amp;basis=units" in html
    with db.session(write=True) as s:
        run_id = run_trends(s).run_id
    fading = merch.get("/staff/trends", params={"label": "fading"}).text
    assert f"Trends of run {run_id}" in fading
    assert set(re.findall(r'<tr data-label="(\w+)">', fading)) == {"fading"}
    bad = merch.get("/staff/trends", params={"label": "booming"})
    assert bad.status_code == 422


def test_evidence_page_shows_the_numbers_behind_the_label(signed_in, trending):  # noqa: F811
    sales = signed_in("sales@seller.test")
    r = sales.get("/staff/trends/color/red", params={"region": "europe"})
    assert r.status_code == 200, r.text
    html = r.text
    assert 'trend-label trend-rising">rising' in html
    assert 'id="trend-reasons"' in html and "Mann-Kendall" in html
    assert 'id="trend-series"' in html and "2024-01-01" in html  # the table fallback
    missing = sales.get("/staff/trends/color/ultraviolet")
    assert missing.status_code == 404 and "No trend for color ultraviolet" in missing.text


def test_buyers_may_not_see_trends(signed_in, trending):  # noqa: F811
    buyer = signed_in("buyer@a.test")
    assert buyer.get("/staff/trends").status_code == 403
    assert buyer.get("/staff/trends/color/red").status_code == 403
