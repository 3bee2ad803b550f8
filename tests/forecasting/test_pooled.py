"""The pooled (global) model: fitted across series, no look-ahead, the shared contract."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from microbag.forecasting import pooled as pooled_module
from microbag.forecasting.policies import RollingMedian, Series, microbag_models, wape
from microbag.forecasting.pooled import PooledModel, fit_predict

MONDAY = date(2024, 1, 1)


@pytest.fixture(autouse=True)
def small_fits(monkeypatch) -> None:
    """Fewer, smaller trees: the tests check behaviour, not the tuned accuracy."""
    monkeypatch.setattr(pooled_module, "MIN_SERIES", 20)
    monkeypatch.setattr(pooled_module, "MAX_ROWS", 4000)
    monkeypatch.setattr(pooled_module, "TREES", pooled_module.TREES | {"max_iter": 30})


def _growing(count: int, weeks: int, seed: int) -> list[Series]:
    """Many short noisy series sharing one pattern: 8 % growth a week, each its own level."""
    rng = np.random.default_rng(seed)
    levels = rng.uniform(5, 40, count)
    curve = 1.08 ** np.arange(weeks)
    return [
        Series(f"s{i}", MONDAY, rng.poisson(levels[i] * curve).astype(float)) for i in range(count)
    ]


def test_pooled_learning_beats_a_local_model() -> None:
    series = _growing(120, 30, seed=3)
    train = [s.head(26) for s in series]
    table = fit_predict(train, 4, horizons=(40,))  # no backtest cuts: the last origin only
    model = PooledModel(table)
    actual = np.concatenate([s.y[26:30] for s in series])
    pooled = np.concatenate([model.forecast(s, 4).mean for s in train])
    local = np.concatenate([RollingMedian(window=6).forecast(s, 4).mean for s in train])
    assert len(table) == len(series)
    assert wape(actual, pooled) < 0.7 * wape(actual, local)


def test_fit_uses_no_week_at_or_after_the_origin() -> None:
    series = _growing(40, 30, seed=5)
    cut = 14  # the only backtest origin of a 30-week series at horizon 16
    table = fit_predict(series, 4, horizons=(16,))
    changed = [Series(s.unique_id, s.start, np.r_[s.y[:cut], s.y[cut:] * 10 + 7]) for s in series]
    again = fit_predict(changed, 4, horizons=(16,))
    for s in series:
        key = (s.unique_id, s.week(cut))
        np.testing.assert_array_equal(table[key], again[key])
    # ...while the forecasts from the end of the history do see the new weeks.
    last = (series[0].unique_id, series[0].week(30))
    assert not np.allclose(table[last], again[last])


def test_fitted_model_keeps_the_contract_and_falls_back_without_a_fit() -> None:
    series = [*_growing(30, 20, seed=9), Series("short", MONDAY, np.array([0.0, 3.0]))]
    model = PooledModel(fit_predict(series, 12, horizons=(40,)))
    for s in series:
        for h in (1, 4, 12):
            p = model.forecast(s, h)
            assert p.mean.shape == (h,) and np.all(np.isfinite(p.mean))
            assert np.all(p.lo >= 0) and np.all(p.lo <= p.mean) and np.all(p.mean <= p.hi)
    unknown = Series("other", MONDAY, np.array([4.0, 9.0, 4.0]))
    np.testing.assert_array_equal(
        PooledModel({}).forecast(unknown, 3).mean, RollingMedian(window=6).forecast(unknown, 3).mean
    )
    names = {m.name for m in microbag_models(fast=True)}
    assert "Pooled+RollingMedian" in names and "Pooled" not in names  # only averaged


def test_too_few_series_are_not_pooled(monkeypatch) -> None:
    monkeypatch.setattr(pooled_module, "MIN_SERIES", 100)
    assert fit_predict(_growing(30, 20, seed=1), 4) == {}
