"""Charts: Vega-Lite specs rendered to SVG offline, cached by content, with a safe fallback."""

from __future__ import annotations

from datetime import date

import pytest

from microbag.analytics import charts
from microbag.analytics.service import BreakdownRow, Dashboard, MonthFigures, TopSku


@pytest.fixture(autouse=True)
def _empty_cache():
    charts._cache.clear()
    yield
    charts._cache.clear()


def _dashboard(currency: str | None = "EUR") -> Dashboard:
    series = [
        MonthFigures("2026-10", date(2026, 10, 1), 3, 120, 54_000),
        MonthFigures("2026-11", date(2026, 11, 1), 5, 300, 99_950),
    ]
    rows = [BreakdownRow("europe", 300, {"EUR": 99_950}, 0.7), BreakdownRow("us", 120, {}, 0.3)]
    return Dashboard(
        today=date(2026, 11, 27),
        months=2,
        start=date(2026, 10, 1),
        currency=currency,
        currencies=[],
        series=series,
        by_region=rows,
        by_segment=rows,
        by_bag_type=rows,
        top_skus=[TopSku("MC-001-GLD", "Gala <Clutch>", "gold", 420, 1)],
        open_orders={},
        quotes_waiting=0,
        quotes_answered=0,
        low_stock=[],
        low_stock_count=0,
    )


def test_specs_carry_the_data_inline():
    spec = charts.months_spec(
        _dashboard().series,
        measure="revenue",
        title="Revenue (EUR)",
        locale="en_US",
        currency="EUR",
    )
    assert spec["data"]["values"] == [
        {"month": "Oct 26", "value": 540.0},
        {"month": "Nov 26", "value": 999.5},
    ]
    assert "url" not in spec["data"]
    bars = charts.bars_spec([("Europe", 300), ("US", 120)], title="Units")
    assert [v["name"] for v in bars["data"]["values"]] == ["Europe", "US"]
    assert (
        charts.label("japan_korea") == "Japan and Korea"
        and charts.label("top_handle") == "Top handle"
    )


def test_rendering_is_offline_accessible_and_cached(monkeypatch):
    spec = charts.bars_spec([("<script>alert(1)</script>", 3)], title="Units")
    chart = charts.chart("x", "Units by <kind>", spec)
    assert chart.svg is not None
    svg = str(chart.svg)
    assert svg.startswith('<svg role="img" aria-label="Units by &lt;kind&gt;"')
    assert "<script>" not in svg and "&lt;script&gt;" in svg  # text is escaped by vl-convert
    assert " style=" not in svg  # no inline styles (the portal's CSP forbids them)
    calls = []
    monkeypatch.setattr(charts, "_convert", lambda s: calls.append(s) or "<svg ></svg>")
    cached = charts.render_svg(spec)
    assert cached is not None and cached[5:] in svg
    assert calls == []  # the same spec is not rendered twice
    changed = charts.bars_spec([("other", 4)], title="Units")
    charts.render_svg(changed)
    assert len(calls) == 1


def test_external_data_is_refused():
    with pytest.raises(ValueError, match="not allowed"):
        charts._convert({"data": {"url": "http://example.com/data.json"}, "mark": "bar"})


def test_a_failed_rendering_leaves_no_svg(monkeypatch):
    def broken(_spec):
        raise RuntimeError("no JavaScript engine")

    monkeypatch.setattr(charts, "_convert", broken)
    out = charts.dashboard_charts(_dashboard(), "en_US")
    assert set(out) == {"revenue", "units", "region", "segment", "bag_type", "top_skus"}
    assert all(c.svg is None for c in out.values())
    assert "revenue" not in charts.dashboard_charts(_dashboard(currency=None), "en_US")
