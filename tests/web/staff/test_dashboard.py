"""The staff dashboard page: figures, charts with table fallbacks, roles."""

from __future__ import annotations

import re

from microbag.analytics import charts

from .test_order_pages import place


def test_dashboard_shows_figures_charts_and_tables(signed_in):
    buyer = signed_in("buyer@a.test")
    place(buyer, "MC-001-GLD", 24)
    staff = signed_in("merch@seller.test")  # every staff role reads the dashboard
    r = staff.get("/staff")
    assert r.status_code == 200
    html = r.text
    assert re.search(r"<span class=\"kpi-label\">Units sold</span><strong>24</strong>", html)
    assert 'href="/staff/orders?status=placed">1</a>' in html
    for chart_id in ("revenue", "units", "region", "segment", "bag_type", "top_skus"):
        figure = html.split(f'id="chart-{chart_id}"', 1)[1].split("</figure>", 1)[0]
        assert '<svg role="img"' in figure, chart_id
        assert "<details>" in figure and "<table>" in figure  # the fallback table
    assert '<th scope="row">Europe</th><td class="num">24</td>' in html
    assert 'href="/staff/catalog/skus/MC-001-GLD"' in html
    assert "Revenue (EUR) by month" in html


def test_period_and_currency(signed_in):
    place(signed_in("buyer@a.test"), "MC-001-GLD", 24)
    place(signed_in("buyer@b.test"), "CB-001-TAN", 60)
    staff = signed_in("admin@seller.test")
    html = staff.get("/staff?months=3&currency=USD").text
    assert '<option value="3" selected>' in html
    assert '<option value="USD" selected>' in html and "Revenue (USD) by month" in html
    assert staff.get("/staff?currency=usd").status_code == 422
    # An unknown period falls back to twelve months.
    assert '<option value="12" selected>' in staff.get("/staff?months=7").text


def test_without_charts_the_tables_stand_in(signed_in, monkeypatch):
    def broken(_spec):
        raise RuntimeError("renderer unavailable")

    place(signed_in("buyer@a.test"), "MC-001-GLD", 24)
    charts._cache.clear()
    monkeypatch.setattr(charts, "_convert", broken)
    html = signed_in("sales@seller.test").get("/staff").text
    assert "<svg" not in html
    assert html.count("The chart could not be drawn") == 6
    assert "<details open>" in html


def test_buyers_never_see_the_dashboard(signed_in, new_client):
    r = signed_in("owner@a.test").get("/staff")
    assert r.status_code == 403 and "This page is for the seller" in r.text
    anonymous = new_client().get("/staff", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
