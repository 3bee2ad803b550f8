"""weekly_units: imported lines and own orders together, by level, with gaps filled."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from microbag.db import Database
from microbag.errors import DomainError
from microbag.history.importer import import_sales
from microbag.history.service import history_span, weekly_units
from tests.factories import add_history_order

from .conftest import HEADER, row, write_csv


def add_order(
    db: Database, company_id: int, sku_id: int, code: str, qty: int, when: datetime, status: str
) -> None:
    with db.session(write=True) as s:
        add_history_order(s, company_id, sku_id, code, qty, when, status)


@pytest.fixture
def mixed(db: Database, world, tmp_path: Path):
    """Imported lines (GB) and own orders (company A: europe/boutique; B: us) for MC-001-GLD."""
    path = write_csv(
        tmp_path,
        "h.csv",
        [
            HEADER,
            # Wednesday 2024-01-03 (week of Monday 2024-01-01)
            row(invoice="1", code="MC-001-GLD", quantity="5", when="2024-01-03 10:00:00"),
            # Sunday 2024-01-21 (week of 2024-01-15): three weeks after the first
            row(invoice="2", code="MC-001-GLD", quantity="4", when="2024-01-21 10:00:00"),
            row(invoice="C3", code="MC-001-GLD", quantity="-1", when="2024-01-21 11:00:00"),
        ],
    )
    with db.session(write=True) as s:
        import_sales(s, [path], "online-retail")
    gld = world.skus["MC-001-GLD"]
    add_order(
        db, world.company_a, gld, "MC-001-GLD", 6, datetime(2024, 1, 2, 9, tzinfo=UTC), "placed"
    )
    add_order(
        db, world.company_b, gld, "MC-001-GLD", 12, datetime(2024, 1, 4, 9, tzinfo=UTC), "delivered"
    )
    add_order(
        db, world.company_a, gld, "MC-001-GLD", 60, datetime(2024, 1, 3, 9, tzinfo=UTC), "draft"
    )
    add_order(
        db, world.company_a, gld, "MC-001-GLD", 24, datetime(2024, 1, 9, 9, tzinfo=UTC), "cancelled"
    )
    return world


def as_rows(frame: pl.DataFrame) -> list[tuple[str, date, float]]:
    return [tuple(r) for r in frame.iter_rows()]


def test_own_orders_and_imported_lines_add_up(db: Database, mixed) -> None:
    with db.session() as s:
        frame = weekly_units(s, "sku")
    assert frame.columns == ["unique_id", "ds", "y"]
    assert frame.schema == {"unique_id": pl.String, "ds": pl.Date, "y": pl.Float64}
    # 5 imported + 6 placed + 12 delivered; the draft never counts, the cancelled order
    # and the C invoice are cancellations, not negative units.
    assert as_rows(frame) == [
        ("MC-001-GLD", date(2024, 1, 1), 23.0),
        ("MC-001-GLD", date(2024, 1, 8), 0.0),
        ("MC-001-GLD", date(2024, 1, 15), 4.0),
    ]
    assert all(d.weekday() == 0 for d in frame["ds"])


def test_cancellations_are_their_own_measure(db: Database, mixed) -> None:
    with db.session() as s:
        frame = weekly_units(s, "total", measure="cancellations", fill_zeros=False)
    assert as_rows(frame) == [("total", date(2024, 1, 8), 24.0), ("total", date(2024, 1, 15), 1.0)]


def test_levels_and_filters(db: Database, mixed) -> None:
    with db.session() as s:
        assert weekly_units(s, "style")["unique_id"].unique().to_list() == ["MC-001"]
        assert weekly_units(s, "type")["unique_id"].unique().to_list() == ["micro_clutch"]
        by_region = weekly_units(s, "region", fill_zeros=False)
        assert as_rows(by_region) == [
            ("europe", date(2024, 1, 1), 11.0),
            ("europe", date(2024, 1, 15), 4.0),
            ("us", date(2024, 1, 1), 12.0),
        ]
        sku_region = weekly_units(s, "sku_region", region="us")
        assert sku_region["unique_id"].unique().to_list() == ["MC-001-GLD/us"]
        # us stops in week 1 but is filled up to the last week of all its series
        assert sku_region["ds"].to_list() == [date(2024, 1, 1)]
        boutique = weekly_units(s, "total", segment="boutique", fill_zeros=False)
        assert as_rows(boutique) == [("total", date(2024, 1, 1), 6.0)]
        imported_only = weekly_units(s, "total", sources=["online-retail"], fill_zeros=False)
        assert imported_only["y"].to_list() == [5.0, 4.0]
        cut = weekly_units(s, "total", until=date(2024, 1, 15))
        assert cut["ds"].to_list() == [date(2024, 1, 1)]
        assert history_span(s) == (date(2024, 1, 1), date(2024, 1, 15))


def test_unknown_level_is_an_error(db: Database) -> None:
    with db.session() as s, pytest.raises(DomainError):
        weekly_units(s, "planet")  # type: ignore[arg-type]


def test_empty_history(db: Database) -> None:
    with db.session() as s:
        assert weekly_units(s, "sku").is_empty()
        assert history_span(s) == (None, None)
