"""Trend rules on synthetic weekly series with known slopes and change points."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from microbag.trends.policies import (
    ChangePoint,
    MannKendall,
    TrendParams,
    assess,
    change_points,
    growth,
    label_for,
    mann_kendall,
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
