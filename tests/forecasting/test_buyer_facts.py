"""Weekly buyers, orders and prices per forecast series, read from the sales history."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from microbag.forecasting.buyer_facts import weekly_facts, with_facts
from microbag.forecasting.policies import Series
from tests.forecasting.conftest import WEEKS

MONDAY = date(2024, 1, 1)  # the week of the fixture's first order


def test_weekly_buyers_orders_and_prices_per_level(db, history) -> None:
    with db.session() as s:
        sku = weekly_facts(s, "sku")
        by_region = weekly_facts(s, "sku_region")
        early = weekly_facts(s, "sku", until=MONDAY + timedelta(weeks=3))
        styles = weekly_facts(s, "style")
    black = sku.filter(unique_id="MC-001-BLK").sort("ds")
    assert black.height == WEEKS
    # Company B every week, company A (a 120-unit order) every fifth week.
    expected = [2.0 if i % 5 == 0 else 1.0 for i in range(WEEKS)]
    assert black["buyers"].to_list() == expected
    assert black["orders"].to_list() == expected
    assert black["price"].to_list() == [45.0] * WEEKS  # EUR 45.00 a unit, in major units
    us = by_region.filter(unique_id="MC-001-BLK/us")
    assert us["buyers"].to_list() == [1.0] * WEEKS
    assert by_region.filter(unique_id="MC-001-BLK/europe").height == len(range(0, WEEKS, 5))
    assert early["ds"].max() == MONDAY + timedelta(weeks=2)  # until is exclusive
    assert set(styles["unique_id"].to_list()) >= {"MC-001", "MT-001"}


def test_series_get_their_facts_aligned_on_their_weeks(db, history) -> None:
    tan = Series("CB-001-TAN", MONDAY, np.array([25.0, 0.0, 25.0, 0.0]))
    unknown = Series("NOPE", MONDAY, np.array([1.0, 2.0]))
    with db.session() as s:
        got = with_facts(s, [tan, unknown], {"CB-001-TAN": ("sku", "CB-001-TAN")})
    assert got[0].buyers is not None and got[0].orders is not None and got[0].price is not None
    np.testing.assert_array_equal(got[0].buyers, [1.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(got[0].price[[0, 2]], [45.0, 45.0])
    assert np.isnan(got[0].price[[1, 3]]).all()  # no sale, no price
    np.testing.assert_array_equal(got[1].buyers, [0.0, 0.0])  # no facts: zeros, NaN prices
    assert np.isnan(got[1].price).all()
