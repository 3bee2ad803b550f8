"""The replay simulation on series small enough to follow by hand, and a short replay
of the real UCI demand."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from microbag.reorder.replay import (
    WeeklyDemand,
    compare,
    microbag_rule,
    minmax_levels,
    read_weekly_demand,
    refit_forecasts,
    replay,
    simulate,
    weekly_from_rows,
)

MONDAY = date(2011, 1, 3)


def _constant(units: float = 10.0, weeks: int = 30) -> WeeklyDemand:
    return WeeklyDemand(["A"], MONDAY, np.full((1, weeks), units), np.zeros(1, dtype=int))


def test_weekly_matrix_from_rows_is_zero_filled() -> None:
    data = weekly_from_rows(
        ["B", "A", "A", "B"],
        [MONDAY, MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=2), MONDAY],
        [1.0, 2.0, 3.0, 4.0],
    )
    assert data.codes == ["A", "B"]
    assert data.units.tolist() == [[0.0, 0.0, 5.0], [5.0, 0.0, 0.0]]
    assert data.first.tolist() == [2, 0]
    assert data.week(2) == MONDAY + timedelta(weeks=2)


def test_short_stock_is_lost_not_backordered() -> None:
    demand = np.full((1, 3), 10.0)
    outcome = simulate(
        demand,
        first_week=0,
        last_week=3,
        start_stock=np.array([12.0]),
        rule=lambda week, position: np.zeros_like(position),
    )
    # week 0: 12 -> 2 (mean 7); week 1: 2 -> 0 (mean 1); week 2: 0 (mean 0)
    assert outcome.demanded == 30
    assert outcome.shipped == 12
    assert outcome.fill_rate == pytest.approx(0.4)
    assert outcome.avg_stock == pytest.approx(8 / 3)
    assert outcome.orders == 0


def test_an_order_arrives_after_the_lead_time() -> None:
    demand = np.full((1, 8), 10.0)

    def once(week: int, position: np.ndarray) -> np.ndarray:
        return np.full_like(position, 100.0 if week == 0 else 0.0)

    outcome = simulate(
        demand, first_week=0, last_week=8, start_stock=np.zeros(1), rule=once, lead_weeks=3
    )
    # ordered at the review closing week 0: weeks 1, 2, 3 pass, it is there in week 4
    assert outcome.stock_by_week[:4] == (0.0, 0.0, 0.0, 0.0)
    assert outcome.stock_by_week[4] == pytest.approx((100 + 90) / 2)
    assert outcome.shipped == 40  # weeks 4..7


def test_minmax_levels_are_odoos_rule_of_thumb() -> None:
    demand = np.array([[0.0] * 4 + [8.0] * 8, [16.0] * 12])
    minimum, maximum = minmax_levels(demand, week=11, lead_weeks=3)
    assert minimum.tolist() == [24.0, 48.0]  # 3 weeks of the 8-week average
    assert maximum.tolist() == [56.0, 112.0]  # + 4 weeks


def test_constant_demand_worked_by_hand() -> None:
    """10 units a week, lead 3 weeks, start stock = the min/max rule's max (70).

    microbag: order-up-to 40 (4 weeks of 10, no error so no safety stock): it orders
    10 a week from week 3 and never runs short; stock falls 65, 55, ... to 5 a week.
    min/max (30/70): it orders 50 once the position is under 30 (week 4: 20), which
    lasts 2 of the 3 weeks in transit, so week 7 is lost; likewise week 13.
    """
    data = _constant()
    forecasts = refit_forecasts(data, range(0, 30), 4)
    ours, baseline = compare(data, forecasts, first_week=20, last_week=30, service_level=0.9)
    assert ours.fill_rate == 1.0
    assert ours.stock_by_week == (65, 55, 45, 35, 25, 15, 5, 5, 5, 5)
    assert ours.avg_stock == pytest.approx(26.0)
    assert baseline.demanded == 100 and baseline.shipped == 90
    assert baseline.stock_by_week == (65, 55, 45, 35, 25, 15, 5, 0, 45, 35)
    assert baseline.avg_stock == pytest.approx(32.5)


def test_replay_picks_the_service_level_before_the_replay_weeks() -> None:
    data = _constant(weeks=60)
    result = replay(data, replay_weeks=20, calibration_weeks=14, default_service_level=0.95)
    # constant demand: the lowest level already beats min/max on the calibration weeks
    assert result.service_level == 0.6
    assert list(result.calibration) == [0.6]
    assert result.microbag.fill_rate == 1.0 > result.minmax.fill_rate
    assert result.stock_reduction > 0.2
    assert result.skus == 1
    assert result.first_week == data.week(40)
    assert result.at_default is not None and result.at_default.fill_rate == 1.0


def test_replay_needs_history_before_it() -> None:
    with pytest.raises(ValueError):
        replay(_constant(weeks=30), replay_weeks=20, calibration_weeks=14)


def test_replay_only_reads_weeks_up_to_each_review() -> None:
    """Scrambling the weeks after a review leaves that review's order unchanged."""
    rng = np.random.default_rng(3)
    units = rng.poisson(5, size=(3, 40)).astype(float)
    data = WeeklyDemand(["A", "B", "C"], MONDAY, units, np.zeros(3, dtype=int))
    changed = units.copy()
    changed[:, 31:] = rng.poisson(50, size=(3, 9))
    other = WeeklyDemand(["A", "B", "C"], MONDAY, changed, np.zeros(3, dtype=int))
    position = np.array([10.0, 0.0, 30.0])
    orders = []
    for d in (data, other):
        rule = microbag_rule(d, refit_forecasts(d, range(0, 40), 4), 0.9)
        orders.append(rule(30, position))
    assert np.array_equal(orders[0], orders[1])
    assert orders[0].sum() > 0


def test_short_replay_of_the_real_uci_demand(shared_data: Path) -> None:
    started = time.perf_counter()
    data = read_weekly_demand(shared_data / "online-retail-uci")
    # the history import's cleaning: no cancellations, returns or non-product codes
    assert data.start == date(2010, 11, 29)
    assert data.weeks == 54
    assert data.units.min() >= 0
    assert "POST" not in data.codes and "M" not in data.codes
    assert int(data.units.sum()) == 5_645_128
    # RollingMedian alone: the pooled fits (one per week over every SKU) take minutes
    result = replay(data, replay_weeks=6, calibration_weeks=4, max_skus=40, pooled=False)
    assert result.skus == 40
    assert result.first_week == date(2011, 10, 31)
    for outcome in (result.microbag, result.minmax):
        assert 0.0 < outcome.fill_rate <= 1.0
        assert outcome.avg_stock > 0
        assert len(outcome.stock_by_week) == 6
    assert result.microbag.demanded == result.minmax.demanded
    assert time.perf_counter() - started < 60


def test_pooled_forecasts_read_no_week_after_their_origin() -> None:
    """With 100+ series the forecast is the average of the pooled model and
    RollingMedian; scrambling the weeks after an origin moves none of its forecasts."""
    rng = np.random.default_rng(7)
    units = rng.poisson(rng.uniform(1, 30, size=(120, 1)), size=(120, 36)).astype(float)
    codes = [f"S{i:03d}" for i in range(120)]
    data = WeeklyDemand(codes, MONDAY, units, np.zeros(120, dtype=int))
    changed = units.copy()
    changed[:, 31:] = rng.poisson(200, size=(120, 5))
    other = WeeklyDemand(codes, MONDAY, changed, np.zeros(120, dtype=int))
    rows = np.array([0, 5, 99])
    ours = refit_forecasts(data, range(30, 31), 4, rows=rows)
    again = refit_forecasts(other, range(30, 31), 4, rows=rows)
    median_only = refit_forecasts(data, range(30, 31), 4, rows=rows, pooled=False)
    assert ours.mean[30].shape == (3, 4)
    assert np.array_equal(ours.mean[30], again.mean[30])
    assert not np.array_equal(ours.mean[30], median_only.mean[30])
    assert np.all(ours.mean[30] >= 0)
