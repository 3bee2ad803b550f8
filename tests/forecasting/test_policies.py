"""Models, metrics, backtest and model choice on synthetic series (no database)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from microbag.forecasting.calendars import in_season, season_months
from microbag.forecasting.policies import (
    RollingMedian,
    Score,
    SeasonAdjusted,
    Series,
    backtest,
    bare_models,
    choose_models,
    demand_class,
    mase_scale,
    microbag_models,
    origins,
    wape,
)

MONDAY = date(2024, 1, 1)
RNG = np.random.default_rng(7)

SHAPES = {
    "smooth": RNG.poisson(30, 60).astype(float),
    "intermittent": np.where(RNG.random(60) < 0.3, RNG.poisson(8, 60), 0).astype(float),
    "lumpy": np.where(np.arange(60) % 7 == 0, 500.0, 3.0),
    "zeros_after_start": np.r_[5.0, np.zeros(40)],
    "short": np.array([4.0, 0.0, 7.0]),
    "one_week": np.array([12.0]),
    "trend": 10.0 + 3.0 * np.arange(60),
}
MODELS = microbag_models()


@pytest.mark.parametrize("model", MODELS, ids=[m.name for m in MODELS])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_model_keeps_the_contract(model, shape) -> None:
    series = Series(shape, MONDAY, SHAPES[shape], region="europe")
    for h in (1, 4, 8):
        p = model.forecast(series, h)
        for arr in (p.mean, p.lo, p.hi):
            assert arr.shape == (h,)
            assert np.all(np.isfinite(arr))
        assert np.all(p.mean >= 0), "no negative means"
        assert np.all(p.lo >= 0)
        assert np.all(p.lo <= p.mean) and np.all(p.mean <= p.hi), "interval contains the mean"


def test_candidate_set_has_the_issue_models() -> None:
    names = {m.name for m in MODELS}
    assert {
        "WindowAverage",
        "SeasonalNaive",
        "AutoETS",
        "AutoTheta",
        "CrostonOptimized",
        "ADIDA",
        "IMAPA",
        "TSB",
        "RollingMedian",
        "RollingMedian+holiday",
        "MedianEnsemble",
    } <= names
    assert len({m.name for m in bare_models(fast=True)}) == 6


def test_rolling_median_ignores_a_one_off_order() -> None:
    y = np.r_[np.full(20, 10.0), 900.0]
    p = RollingMedian(window=6).forecast(Series("x", MONDAY, y), 4)
    assert list(p.mean) == [10.0] * 4
    assert p.hi[0] >= 10.0


def test_metrics() -> None:
    assert wape(np.array([10.0, 10.0]), np.array([5.0, 15.0])) == pytest.approx(0.5)
    assert math.isnan(wape(np.zeros(3), np.ones(3)))
    assert mase_scale(np.array([1.0, 3.0, 2.0])) == pytest.approx(1.5)
    s = Score()
    s.add(np.array([10.0, 10.0]), np.array([7.0, 13.0]), scale=2.0)
    s.add(np.array([0.0, 0.0]), np.array([1.0, 1.0]), scale=0.0)  # no MASE without a scale
    assert s.wape == pytest.approx(8 / 20)
    assert s.mase == pytest.approx(1.5) and s.origins == 2


def test_origins_are_in_the_last_16_weeks() -> None:
    assert origins(54, 4) == [38, 42, 46, 50]
    assert origins(54, 8) == [38, 42, 46]
    assert origins(10, 4) == [6]  # a short series keeps the cuts after MIN_TRAIN weeks
    assert origins(5, 8) == []


def test_backtest_scores_each_horizon_on_its_own_origins() -> None:
    series = Series("s", MONDAY, SHAPES["smooth"])
    scores = backtest(series, [RollingMedian()], horizons=(4, 8))
    assert scores["RollingMedian"][4].origins == 4
    assert scores["RollingMedian"][8].origins == 3
    assert scores["RollingMedian"][4].actual == pytest.approx(SHAPES["smooth"][44:60].sum())


def test_selection_finds_the_known_best_model() -> None:
    """Lumps every 7 weeks: the median wins; a clean trend: ETS / Theta win."""
    models = {m.name: m for m in bare_models()} | {"RollingMedian": RollingMedian()}
    pool = [models[n] for n in ("WindowAverage", "IMAPA", "AutoETS", "AutoTheta", "RollingMedian")]
    lumpy = Series("lumpy", MONDAY, SHAPES["lumpy"])
    trend = Series("trend", MONDAY, SHAPES["trend"] + RNG.normal(0, 1, 60))
    per_series = {s.unique_id: backtest(s, pool) for s in (lumpy, trend)}
    names = [m.name for m in pool]
    chosen = choose_models(per_series, {"lumpy": "a", "trend": "b"}, names, mode="series")
    assert chosen["lumpy"].model == "RollingMedian"
    assert chosen["trend"].model in ("AutoETS", "AutoTheta")
    assert chosen["trend"].wape[4] is not None and chosen["trend"].wape[4] < 0.05
    assert chosen["lumpy"].mase[8] is not None
    # By class: both series in one class get the one model with the lowest pooled WAPE.
    pooled = choose_models(per_series, {"lumpy": "a", "trend": "a"}, names, mode="class")
    assert pooled["lumpy"].model == pooled["trend"].model


def test_series_without_backtest_gets_the_default() -> None:
    s = Series("new", MONDAY, np.array([3.0, 4.0]))
    scores = {"new": backtest(s, [RollingMedian()])}
    assert choose_models(scores, {"new": "new"}, ["RollingMedian"])["new"].model == "RollingMedian"


def test_demand_classes() -> None:
    assert demand_class(SHAPES["smooth"]) == "smooth"
    assert demand_class(SHAPES["lumpy"]) == "erratic"
    assert demand_class(np.tile([0, 0, 0, 5.0], 10)) == "intermittent"
    assert demand_class(np.tile([0, 0, 0, 5.0, 0, 0, 90.0], 6)) == "lumpy"
    assert demand_class(np.array([1.0, 2.0])) == "new"


def test_season_calendars_are_data() -> None:
    assert season_months("holiday") == {11, 12}
    assert season_months("summer", "latin_america") == {12, 1, 2}
    assert season_months("wedding") == {5, 6, 7, 8, 9}
    assert in_season(date(2024, 11, 4), "holiday")
    assert not in_season(date(2024, 10, 7), "holiday")
    assert in_season(date(2024, 10, 7), "holiday", lead=4)  # orders come ahead


def test_season_adjustment_lifts_holiday_sellers_only_in_season() -> None:
    weeks = 104
    days = np.datetime64("2023-01-02") + np.arange(weeks) * 7
    months = days.astype("datetime64[M]").astype(int) % 12 + 1
    y = np.where(np.isin(months, [10, 11]), 40.0, 10.0)  # ordering for the holidays
    series = Series("xmas", date(2023, 1, 2), y[:84])  # forecasts from 2024-08-12
    adjusted = SeasonAdjusted(RollingMedian(), "holiday", alpha=0.5).forecast(series, 12)
    base = RollingMedian().forecast(series, 12)
    assert adjusted.mean[0] == base.mean[0]  # August (orders for September): not yet
    assert adjusted.mean[-1] > base.mean[-1] * 1.5  # November orders: lifted
    flat = Series("flat", date(2023, 1, 2), np.full(84, 10.0))
    f = SeasonAdjusted(RollingMedian(), "holiday").forecast(flat, 12)
    assert np.allclose(f.mean, 10.0)
