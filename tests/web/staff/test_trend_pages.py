"""Staff trend board and evidence pages, and the sparkline geometry."""

from __future__ import annotations

import re
from datetime import timedelta

from microbag.trends.pages import line_chart
from microbag.trends.service import run_trends
from tests.trends.conftest import START, order, trending  # noqa: F401  (the designed trends)


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


def test_board_and_evidence_print_display_names_not_codes(signed_in, trending):  # noqa: F811
    merch = signed_in("merch@seller.test")
    html = merch.get("/staff/trends", params={"attribute": "bag_type", "region": "us"}).text
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert "Bag type" in cells and "US" in cells and "All segments" in cells
    by_segment = merch.get("/staff/trends", params={"segment": "department_store"}).text
    cells += re.findall(r"<td>([^<]*)</td>", by_segment)
    assert "Department store" in cells and "All regions" in cells
    assert not {"Us", "us", "department_store", "Department_store", "all"} & set(cells)
    assert ">Clutch</a>" in html and ">clutch<" not in html
    # The filters' options too.
    assert ">Japan and Korea</option>" in html and ">Latin America</option>" in html
    materials = merch.get("/staff/trends", params={"attribute": "material"}).text
    assert ">Vegan leather</a>" in materials and "vegan_leather</a>" not in materials
    page = merch.get("/staff/trends/material/vegan_leather", params={"region": "europe"}).text
    assert "<h1>Material: Vegan leather" in page
    assert "Trend: Material: Vegan leather" in page  # the window's title
    assert "Europe · all segments" in page


def test_board_says_why_a_label_seems_to_disagree_with_the_growth(
    signed_in,
    db,
    trending,  # noqa: F811
):
    """One big week in the flat black clutch: a big growth, labelled steady because of
    one spike, with the evidence one click away; the rising red tote says why too."""
    with db.session(write=True) as s:
        order(
            s,
            trending.company_b,
            trending.skus["MC-001-BLK"],
            "MC-001-BLK",
            400,
            START + timedelta(weeks=25),
        )
    merch = signed_in("merch@seller.test")
    html = merch.get("/staff/trends", params={"attribute": "color", "region": "us"}).text
    row = re.search(r'<tr data-label="steady">.*?</tr>', html, re.S)
    assert row, html
    growth = re.search(r'<td class="num">\+(\d+)%</td>', row.group(0))
    assert growth and int(growth.group(1)) > 50
    reason = re.search(r'<a class="label-reason" href="([^"]+)"[^>]*>([^<]+)</a>', row.group(0))
    assert reason and reason.group(2) == "one spike"
    href = reason.group(1).replace("&amp;", "&")
    assert href.startswith("/staff/trends/color/black?region=us&segment=all&basis=units")
    evidence = merch.get(href)
    assert evidence.status_code == 200
    assert 'id="label-reason">one spike' in evidence.text
    assert "one week carries the change: the week of 2024-06-24" in evidence.text
    rising = merch.get("/staff/trends", params={"attribute": "color", "region": "europe"}).text
    red = re.search(r'<tr data-label="rising">.*?</tr>', rising, re.S)
    assert red and 'class="label-reason"' in red.group(0) and "sustained trend" in red.group(0)


def test_agreeing_label_and_growth_need_no_reason(signed_in, trending):  # noqa: F811
    html = signed_in("merch@seller.test").get("/staff/trends", params={"region": "us"}).text
    steady = re.findall(r'<tr data-label="steady">.*?</tr>', html, re.S)
    assert steady and all("label-reason" not in row for row in steady)
