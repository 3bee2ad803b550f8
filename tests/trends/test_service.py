"""Trends over the history: own orders and imported lines, scopes, stored runs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from microbag.db import Database
from microbag.history.importer import import_sales
from microbag.trends.policies import TrendParams
from microbag.trends.service import (
    TrendFilters,
    compute_trends,
    list_trends,
    run_trends,
    trend_detail,
)

from ..history.conftest import HEADER, row, write_csv
from .conftest import WEEKS


def by_key(rows):
    return {(r.attribute, r.value, r.region, r.segment): r for r in rows}


def test_labels_follow_the_orders(db: Database, trending) -> None:
    with db.session() as s:
        result = compute_trends(s)
    rows = by_key(result.rows)
    # The last week (a Wednesday's orders) is incomplete, so it is left out.
    assert result.last_week == date(2024, 1, 1) + (WEEKS - 2) * (
        date(2024, 1, 8) - date(2024, 1, 1)
    )
    assert rows[("color", "red", "all", "all")].label == "rising"
    assert rows[("bag_type", "tote", "all", "all")].label == "rising"
    assert rows[("size_class", "micro", "all", "all")].label == "rising"
    assert rows[("color", "black", "all", "all")].label == "steady"
    assert rows[("occasion", "bridal", "all", "all")].label == "steady"
    assert rows[("price_tier", "luxury", "all", "all")].label == "steady"
    assert rows[("bag_type", "crossbody", "all", "all")].label == "fading"
    assert rows[("material", "canvas", "all", "all")].label == "fading"
    # Scopes: region and segment series exist where the buyers are.
    assert rows[("color", "red", "europe", "all")].label == "rising"
    assert rows[("color", "red", "all", "boutique")].label == "rising"
    assert rows[("color", "black", "us", "all")].label == "steady"
    assert ("color", "red", "us", "all") not in rows
    red = rows[("color", "red", "all", "all")]
    assert len(red.series) == WEEKS - 1
    assert red.evidence["mann_kendall"]["trend"] == "increasing"
    assert red.evidence["growth_pct"] == red.growth_pct > 10
    assert red.evidence["reasons"]


def test_imported_bags_feed_the_same_trends(db: Database, tmp_path: Path) -> None:
    lines = [HEADER]
    for week in range(20):
        day = date(2011, 1, 4) + timedelta(weeks=week)  # Tuesdays
        when = f"{day.isoformat()} 10:00:00"
        lines.append(
            row(
                invoice=f"A{week}",
                code="85099B",
                description="JUMBO BAG RED RETROSPOT",
                quantity=str(10 + 5 * week),
                when=when,
            )
        )
        lines.append(
            row(
                invoice=f"B{week}",
                code="21212",
                description="PACK OF 72 CAKE CASES",
                quantity="50",
                when=when,
            )
        )
    with db.session(write=True) as s:
        import_sales(s, [write_csv(tmp_path, "imp.csv", lines)], "online-retail")
    with db.session() as s:
        rows = by_key(compute_trends(s).rows)
    assert rows[("bag_type", "bag", "all", "all")].label == "rising"
    assert rows[("size_class", "large", "europe", "all")].label == "rising"
    # Not bags (cake cases) are left out; imported lines have no segment.
    assert all(r.value != "other" for r in rows.values())
    assert all(r.segment == "all" for r in rows.values())


def test_run_is_stored_and_read_back(db: Database, trending) -> None:
    with db.session(write=True) as s:
        stored = run_trends(s, TrendParams(window_weeks=6))
    assert stored.run_id is not None and stored.rows
    with db.session() as s:
        rows, total, run = list_trends(s, TrendFilters(label="rising", region="all", segment="all"))
        assert run is not None and run.id == stored.run_id and run.window_weeks == 6
        assert total == len(rows) and {("color", "red")} <= {(r.attribute, r.value) for r in rows}
        assert all(r.label == "rising" for r in rows)
        detail, _run = trend_detail(s, "color", "red")
        assert detail.evidence["window_weeks"] == 6
        page, total_all, _ = list_trends(s, TrendFilters(), offset=0, limit=5)
        assert len(page) == 5 and total_all == len(stored.rows)


def test_empty_database_has_no_trends(db: Database) -> None:
    with db.session() as s:
        result = compute_trends(s)
    assert result.rows == [] and result.last_week is None


def test_signal_series_get_labels_on_their_own_calendar(db: Database) -> None:
    from microbag.signals.importer import store_points

    monday = date(2024, 1, 1)
    points = []
    for week in range(30):
        day = monday + timedelta(weeks=week)
        base = {"attribute": "size_class", "region": "all", "period_start": day}
        points.append(
            base | {"metric": "listings", "term": "mini", "value": 5.0 + 4 * week, "unit": "count"}
        )
        points.append(
            base | {"metric": "median_price", "term": "mini", "value": 9000.0, "unit": "HKD"}
        )
    with db.session(write=True) as s:
        store_points(s, points, source="resale", fmt="csv")
    with db.session() as s:
        result = compute_trends(s)
        without = compute_trends(s, include_signals=False)
    rows = {(r.basis, r.value): r for r in result.rows}
    assert rows[("signal:resale:listings", "mini")].label == "rising"
    assert rows[("signal:resale:median_price", "mini")].label == "steady"
    assert len(rows[("signal:resale:listings", "mini")].series) == 30
    assert result.last_week is None  # no sales history
    assert without.rows == []
