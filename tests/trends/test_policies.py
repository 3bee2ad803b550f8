"""Trend rules on synthetic weekly series with known slopes and change points."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from microbag.trends.policies import (
    LABEL_REASONS,
    ChangePoint,
    MannKendall,
    TrendParams,
    assess,
    change_points,
    growth,
    label_for,
    label_reason,
    mann_kendall,
    one_spike,
)

WEEKS = 40


def poisson(mean: np.ndarray, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    return [float(x) for x in rng.poisson(np.maximum(mean, 0))]


def mondays(n: int, start: date = date(2024, 1, 1)) -> list[date]:
    return [start + timedelta(weeks=i) for i in range(n)]


t = np.arange(WEEKS)


@pytest.mark.parametrize("seed", range(5))
def test_rising_slope_is_rising(seed: int) -> None:
    evidence = assess(poisson(10 + 1.5 * t, seed), mondays(WEEKS))
    assert evidence is not None
    assert evidence.label == "rising"
    assert evidence.growth_pct is not None and evidence.growth_pct > 10
    assert evidence.mann_kendall is not None
    assert evidence.mann_kendall.trend == "increasing" and evidence.mann_kendall.p < 0.05
    assert evidence.mann_kendall.slope == pytest.approx(1.5, abs=0.6)


@pytest.mark.parametrize("seed", range(5))
def test_fading_slope_is_fading(seed: int) -> None:
    evidence = assess(poisson(80 - 1.5 * t, seed), mondays(WEEKS))
    assert evidence is not None and evidence.label == "fading"
    assert evidence.mann_kendall is not None and evidence.mann_kendall.trend == "decreasing"
    assert evidence.mann_kendall.slope == pytest.approx(-1.5, abs=0.6)


@pytest.mark.parametrize("seed", range(5))
def test_flat_series_is_steady_without_change_points(seed: int) -> None:
    evidence = assess(poisson(np.full(WEEKS, 40.0), seed), mondays(WEEKS))
    assert evidence is not None and evidence.label == "steady"
    assert evidence.change_points == []


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("step_at", [12, 20, 31])
def test_step_change_is_found_at_the_right_week(seed: int, step_at: int) -> None:
    weeks = mondays(WEEKS)
    values = poisson(np.where(t < step_at, 20.0, 60.0), seed)
    evidence = assess(values, weeks)
    assert evidence is not None
    assert evidence.change_points, "the step was not detected"
    nearest = min(evidence.change_points, key=lambda c: abs(c.index - step_at))
    assert abs(nearest.index - step_at) <= 2
    assert nearest.week == weeks[nearest.index].isoformat()
    assert nearest.before_mean == pytest.approx(20, rel=0.25)
    assert nearest.after_mean == pytest.approx(60, rel=0.25)


@pytest.mark.parametrize("seed", range(5))
def test_recent_step_up_is_rising_and_step_down_fading(seed: int) -> None:
    up = assess(poisson(np.where(t < 34, 20.0, 60.0), seed))
    down = assess(poisson(np.where(t < 34, 60.0, 20.0), seed))
    assert up is not None and up.label == "rising"
    assert down is not None and down.label == "fading"


def test_change_points_scale_free() -> None:
    base = poisson(np.where(t < 25, 5.0, 15.0), 3)
    assert change_points(base) == change_points([v * 1000 for v in base])


def test_growth_windows() -> None:
    values = [1.0] * 4 + [2.0] * 4 + [3.0] * 4
    assert growth(values, 4) == (12.0, 8.0, 50.0)
    assert growth([0.0] * 4 + [5.0] * 4, 4) == (20.0, 0.0, None)


def test_mann_kendall_needs_data() -> None:
    assert mann_kendall([1.0, 2.0, 3.0]) is None
    assert mann_kendall([4.0] * 20) is None
    result = mann_kendall([float(i) for i in range(20)])
    assert result is not None and result.trend == "increasing" and result.p < 0.001


def test_too_little_data_gives_no_evidence() -> None:
    assert assess([1.0] * 10) is None  # shorter than two windows
    assert assess([0.0] * 30 + [1.0] * 5) is None  # below min_total in the lookback


def test_label_rules_need_growth_and_a_test() -> None:
    params = TrendParams()
    up = MannKendall("mk", "increasing", 0.001, 0.5, 3.0, 100.0, 1.0, 26)
    none = replace(up, trend="no trend", p=0.6)
    step_up = ChangePoint(30, "2024-07-22", 10.0, 20.0, 100.0)
    assert label_for(30.0, 130, 100, up, None, params)[0] == "rising"
    assert label_for(30.0, 130, 100, none, None, params)[0] == "steady"  # growth alone
    assert label_for(30.0, 130, 100, none, step_up, params)[0] == "rising"  # a recent step
    assert label_for(5.0, 105, 100, up, None, params)[0] == "steady"  # test alone
    down = replace(up, trend="decreasing")
    assert label_for(30.0, 130, 100, down, step_up, params)[0] == "steady"  # contradiction
    assert label_for(None, 10, 0, None, None, params)[0] == "rising"  # new
    label, reasons = label_for(-40.0, 60, 100, down, None, params)
    assert label == "fading" and any("Mann-Kendall" in r for r in reasons)


def test_evidence_is_json_ready() -> None:
    evidence = assess(poisson(10 + 1.5 * t, 0), mondays(WEEKS))
    assert evidence is not None
    data = json.loads(json.dumps(evidence.as_dict()))
    assert data["label"] == "rising"
    assert set(data) >= {"growth_pct", "mann_kendall", "change_points", "reasons", "window_weeks"}
    assert data["recent_from"] == mondays(WEEKS)[WEEKS - 8].isoformat()


def test_window_parameter() -> None:
    params = TrendParams(window_weeks=4)
    evidence = assess(poisson(10 + 1.5 * t, 1), params=params)
    assert evidence is not None and evidence.window_weeks == 4
    with pytest.raises(ValueError):
        TrendParams(window_weeks=0)


# ---- label reasons: why a label next to a growth that seems to say otherwise ----------------


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("spike_at", [29, 35, 38])
def test_one_spike_is_steady_because_of_one_spike(seed: int, spike_at: int) -> None:
    """A flat series with one big week: a big growth (or fall), labelled steady, and why.

    In the last three weeks the spike used to pass for a change point (a "new level"
    of three weeks) and label the series rising.
    """
    weeks = mondays(WEEKS)
    values = poisson(np.full(WEEKS, 20.0), seed)
    values[spike_at] += 180
    evidence = assess(values, weeks)
    assert evidence is not None
    assert evidence.growth_pct is not None and abs(evidence.growth_pct) > 40
    assert evidence.label == "steady"
    assert evidence.label_reason == "one spike"
    assert any(f"the week of {weeks[spike_at].isoformat()}" in r for r in evidence.reasons)


def test_large_growth_without_a_significant_test_is_not_significant() -> None:
    """Lumpy weeks (big orders now and then, more of them lately): +112%, no trend."""
    earlier = [10, 12, 58, 10, 11, 10, 61, 10]
    previous = [10, 60, 10, 10, 12, 10, 10, 11]
    recent = [58, 10, 12, 62, 10, 61, 57, 12]
    evidence = assess([float(v) for v in earlier * 3 + previous + recent])
    assert evidence is not None
    assert evidence.growth_pct == pytest.approx(112.03)
    assert evidence.mann_kendall is not None and evidence.mann_kendall.p > 0.05
    assert evidence.label == "steady"
    assert evidence.label_reason == "not significant"


@pytest.mark.parametrize("seed", [0, 1, 2, 5, 6])
def test_moderate_growth_on_a_sustained_trend_is_rising_and_says_so(seed: int) -> None:
    evidence = assess(poisson(40 + 1.0 * t, seed))
    assert evidence is not None
    assert evidence.growth_pct is not None and 10 <= evidence.growth_pct < 30
    assert evidence.label == "rising"
    assert evidence.label_reason == "sustained trend"


def test_a_better_window_inside_a_long_decline_is_against_the_trend() -> None:
    values = [100 - 2.5 * i for i in range(32)] + [33, 38, 35, 37, 36, 34, 38, 36]
    evidence = assess([float(v) for v in values])
    assert evidence is not None
    assert evidence.growth_pct is not None and evidence.growth_pct > 10
    assert evidence.label == "steady" and evidence.label_reason == "against the trend"


@pytest.mark.parametrize("seed", [1, 2, 3])  # seed 0 draws +18% by chance: "not significant"
def test_flat_series_needs_no_reason(seed: int) -> None:
    evidence = assess(poisson(np.full(WEEKS, 40.0), seed))
    assert evidence is not None and evidence.label == "steady"
    assert evidence.label_reason is None
    assert evidence.as_dict()["label_reason"] is None


def test_label_reason_rules() -> None:
    params = TrendParams()
    up = MannKendall("mk", "increasing", 0.001, 0.5, 3.0, 100.0, 1.0, 26)
    none = replace(up, trend="no trend", p=0.6)
    down = replace(up, trend="decreasing")
    assert label_reason("rising", 20.0, 120, up).reason == "sustained trend"
    assert label_reason("rising", 20.0, 120, none).reason == "step change"
    assert label_reason("fading", -20.0, 80, down).reason == "sustained trend"
    assert label_reason("fading", -20.0, 80, replace(up, p=0.2)).reason == "step change"
    assert label_reason("steady", 5.0, 105, up).reason is None  # they agree
    assert label_reason("steady", 40.0, 140, none).reason == "not significant"
    assert label_reason("steady", 40.0, 140, down).reason == "against the trend"
    assert label_reason("steady", -40.0, 60, up).reason == "against the trend"
    assert label_reason("steady", None, 0, none).reason == "no recent sales"
    assert label_reason("rising", None, 12, None).reason is None  # "new" says it
    spike = one_spike([10.0] * 8 + [10.0] * 7 + [100.0], 8, params.min_growth_pct)
    why = label_reason("steady", 112.5, 170, none, spike, params=params)
    assert why.reason == "one spike" and why.detail and "week of #16 had 100" in why.detail
    assert set(LABEL_REASONS) >= {"one spike", "not significant", "sustained trend"}


def test_one_spike_finds_the_week_that_carries_the_change() -> None:
    flat = [10.0] * 16
    assert one_spike(flat, 8, 10.0) is None  # no change to carry
    rise = one_spike([10.0] * 15 + [100.0], 8, 10.0)
    assert rise is not None and rise.index == 15 and rise.typical == 10
    assert rise.growth_without == 0.0
    fall = one_spike([10.0] * 3 + [100.0] + [10.0] * 12, 8, 10.0)  # a spike before
    assert fall is not None and fall.index == 3
    broad = one_spike([10.0] * 8 + [30.0] * 8, 8, 10.0)  # every week higher: no spike
    assert broad is None
    # +130% that would be +20% without its biggest week: that week carries the change;
    # +60% that would still be +20% is more than one week's doing.
    mostly = one_spike([10.0] * 8 + [12.0] * 7 + [100.0], 8, 10.0)
    assert mostly is not None and mostly.growth_without == pytest.approx(20.0)
    assert one_spike([10.0] * 8 + [12.0] * 7 + [44.0], 8, 10.0) is None


def test_a_spike_is_no_step() -> None:
    params = TrendParams()
    none = MannKendall("mk", "no trend", 0.6, 0.1, 0.5, 10.0, 0.0, 26)
    step_up = ChangePoint(37, None, 20.0, 80.0, 300.0)
    spike = one_spike([20.0] * 15 + [200.0], 8, params.min_growth_pct)
    assert label_for(112.5, 340, 160, none, step_up, params)[0] == "rising"
    label, reasons = label_for(112.5, 340, 160, none, step_up, params, spike)
    assert label == "steady"
    assert not any("growth alone" in r for r in reasons)
