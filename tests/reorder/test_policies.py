"""Reorder rules without a database: worked examples and invariants (Hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microbag.reorder.policies import (
    ReorderLevels,
    demand_over,
    minmax_quantity,
    order_quantity,
    reorder_levels,
    round_to_pack,
    z_for,
)


def test_z_for_known_quantiles() -> None:
    assert z_for(0.5) == pytest.approx(0.0, abs=1e-12)
    assert z_for(0.95) == pytest.approx(1.6449, abs=1e-4)
    assert z_for(0.99) == pytest.approx(2.3263, abs=1e-4)


@pytest.mark.parametrize("level", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_z_for_rejects_levels_outside_0_1(level: float) -> None:
    with pytest.raises(ValueError):
        z_for(level)


def test_levels_worked_example() -> None:
    # 10 a week, sigma 4 a week, lead 3 + review 1 weeks, 95 %:
    # safety = 1.6449 * 4 * sqrt(4) = 13.16 -> 14; reorder point = 30 + 13.16 -> 44;
    # order-up-to = 40 + 13.16 -> 54.
    levels = reorder_levels(
        weekly_mean=[10.0] * 8,
        sigma_per_week=4.0,
        lead_weeks=3,
        review_weeks=1,
        service_level=0.95,
    )
    assert levels == ReorderLevels(safety_stock=14, reorder_point=44, order_up_to=54)


def test_levels_follow_the_forecast_week_by_week() -> None:
    # a rising forecast: the lead time sees weeks 0-2, the protection interval weeks 0-3
    levels = reorder_levels(
        weekly_mean=[1.0, 2.0, 3.0, 4.0, 5.0],
        sigma_per_week=0.0,
        lead_weeks=3,
        review_weeks=1,
        service_level=0.9,
    )
    assert levels == ReorderLevels(safety_stock=0, reorder_point=6, order_up_to=10)


def test_demand_over_fractions_and_short_horizons() -> None:
    assert demand_over([4.0, 8.0], 1.5) == pytest.approx(8.0)
    # beyond the horizon the last week repeats
    assert demand_over([4.0, 8.0], 4) == pytest.approx(28.0)
    assert demand_over([], 3) == 0.0
    # float noise does not add a unit
    levels = reorder_levels(
        weekly_mean=[0.1] * 3, sigma_per_week=0, lead_weeks=3, review_weeks=0, service_level=0.9
    )
    assert levels.reorder_point == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sigma_per_week": -1.0},
        {"lead_weeks": -1.0},
        {"review_weeks": math.nan},
        {"weekly_mean": [1.0, -2.0]},
        {"weekly_mean": [math.inf]},
        {"service_level": 1.0},
    ],
)
def test_levels_reject_bad_input(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "weekly_mean": [1.0],
        "sigma_per_week": 1.0,
        "lead_weeks": 3.0,
        "review_weeks": 1.0,
        "service_level": 0.95,
    }
    args.update(kwargs)
    with pytest.raises(ValueError):
        reorder_levels(**args)  # type: ignore[arg-type]


def test_order_quantity_brings_the_position_up_to_the_level() -> None:
    levels = ReorderLevels(safety_stock=5, reorder_point=20, order_up_to=30)
    assert order_quantity(inventory_position=12, levels=levels) == 18
    assert order_quantity(inventory_position=-4, levels=levels) == 34  # reserved beyond stock
    assert order_quantity(inventory_position=30, levels=levels) == 0
    assert order_quantity(inventory_position=45, levels=levels) == 0


def test_round_to_pack_examples() -> None:
    assert round_to_pack(0, moq=100, case_pack=12) == 0
    assert round_to_pack(1, moq=100, case_pack=12) == 108  # MOQ 100 -> 9 cases
    assert round_to_pack(130, moq=100, case_pack=12) == 132
    assert round_to_pack(120, moq=100, case_pack=12) == 120
    assert round_to_pack(7, moq=0, case_pack=1) == 7
    with pytest.raises(ValueError):
        round_to_pack(-1, moq=1, case_pack=1)
    with pytest.raises(ValueError):
        round_to_pack(5, moq=1, case_pack=0)


def test_minmax_quantity_is_odoos_rule() -> None:
    assert minmax_quantity(inventory_position=9, minimum=10, maximum=30) == 21
    assert minmax_quantity(inventory_position=10, minimum=10, maximum=30) == 0
    assert minmax_quantity(inventory_position=-5, minimum=10, maximum=30) == 35
    # Odoo orders up to the larger of min and max
    assert minmax_quantity(inventory_position=2, minimum=10, maximum=4) == 8
    assert minmax_quantity(inventory_position=0, minimum=0, maximum=0) == 0


@given(
    quantity=st.integers(min_value=0, max_value=100_000),
    moq=st.integers(min_value=0, max_value=5_000),
    case_pack=st.integers(min_value=1, max_value=500),
)
def test_round_to_pack_invariants(quantity: int, moq: int, case_pack: int) -> None:
    rounded = round_to_pack(quantity, moq=moq, case_pack=case_pack)
    if quantity == 0:
        assert rounded == 0
        return
    assert rounded >= quantity
    assert rounded >= moq
    assert rounded % case_pack == 0
    # the smallest such order: one case less breaks a rule
    smaller = rounded - case_pack
    assert smaller < max(quantity, moq)


weekly = st.lists(
    st.floats(min_value=0, max_value=1_000, allow_nan=False, allow_infinity=False),
    min_size=0,
    max_size=12,
)


@given(
    weekly_mean=weekly,
    sigma=st.floats(min_value=0, max_value=500, allow_nan=False),
    lead=st.floats(min_value=0, max_value=12, allow_nan=False),
    review=st.floats(min_value=0, max_value=4, allow_nan=False),
    low=st.floats(min_value=0.01, max_value=0.99),
    high=st.floats(min_value=0.01, max_value=0.99),
)
def test_levels_are_monotone_in_the_service_level(
    weekly_mean: list[float], sigma: float, lead: float, review: float, low: float, high: float
) -> None:
    low, high = min(low, high), max(low, high)
    at_low = reorder_levels(
        weekly_mean=weekly_mean,
        sigma_per_week=sigma,
        lead_weeks=lead,
        review_weeks=review,
        service_level=low,
    )
    at_high = reorder_levels(
        weekly_mean=weekly_mean,
        sigma_per_week=sigma,
        lead_weeks=lead,
        review_weeks=review,
        service_level=high,
    )
    assert 0 <= at_low.safety_stock <= at_high.safety_stock
    assert at_low.reorder_point <= at_high.reorder_point
    assert at_low.order_up_to <= at_high.order_up_to
    for levels in (at_low, at_high):
        assert levels.safety_stock <= levels.reorder_point <= levels.order_up_to


@given(
    lead=st.floats(min_value=0, max_value=12, allow_nan=False),
    review=st.floats(min_value=0, max_value=4, allow_nan=False),
    level=st.floats(min_value=0.01, max_value=0.99),
    horizon=st.integers(min_value=0, max_value=10),
    position=st.integers(min_value=0, max_value=1_000),
)
def test_no_demand_no_stock(
    lead: float, review: float, level: float, horizon: int, position: int
) -> None:
    levels = reorder_levels(
        weekly_mean=[0.0] * horizon,
        sigma_per_week=0.0,
        lead_weeks=lead,
        review_weeks=review,
        service_level=level,
    )
    assert levels == ReorderLevels(safety_stock=0, reorder_point=0, order_up_to=0)
    assert order_quantity(inventory_position=position, levels=levels) == 0


@given(
    position=st.integers(min_value=-1_000, max_value=10_000),
    minimum=st.integers(min_value=0, max_value=5_000),
    extra=st.integers(min_value=0, max_value=5_000),
)
def test_minmax_reaches_max_only_below_min(position: int, minimum: int, extra: int) -> None:
    maximum = minimum + extra
    quantity = minmax_quantity(inventory_position=position, minimum=minimum, maximum=maximum)
    if position < minimum:
        assert position + quantity == maximum
    else:
        assert quantity == 0
