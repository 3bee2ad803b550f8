"""The pooled (global) model: fitted across series, no look-ahead, the shared contract."""

from __future__ import annotations

from dataclasses import replace
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


def _with_facts(count: int, weeks: int, seed: int) -> list[Series]:
    """Series carrying weekly buyers, orders and prices (NaN in weeks without a sale)."""
    rng = np.random.default_rng(seed)
    out = []
    for s in _growing(count, weeks, seed):
        buyers = np.minimum(s.y, rng.integers(1, 6, weeks)).astype(float)
        price = np.where(s.y > 0, rng.uniform(1, 3, weeks), np.nan)
        out.append(Series(s.unique_id, s.start, s.y, buyers=buyers, orders=buyers, price=price))
    return out


def test_features_at_an_origin_use_no_week_at_or_after_it() -> None:
    """Every feature (lags, windows, market, buyers, orders, prices) at origin t is the
    same whatever happens from week t on: scrambling those weeks changes nothing."""
    series = _with_facts(30, 26, seed=4)
    t = 17
    rng = np.random.default_rng(8)

    def scrambled(values: np.ndarray | None) -> np.ndarray | None:
        if values is None:
            return None
        return np.r_[values[:t], rng.uniform(0, 500, len(values) - t)]

    changed = [
        Series(
            s.unique_id,
            s.start,
            scrambled(s.y),  # type: ignore[arg-type]
            buyers=scrambled(s.buyers),
            orders=scrambled(s.orders),
            price=scrambled(s.price),
        )
        for s in series
    ]
    rows = np.arange(len(series))
    before, scale = pooled_module.features(pooled_module.panel(series), rows, t)
    after, scale_after = pooled_module.features(pooled_module.panel(changed), rows, t)
    assert before.shape[1] == 30  # 23 from the units, the market, 4 buyers, 2 prices
    np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(scale, scale_after)
    # ...and the features do move with the week just before the origin.
    for name in ("y", "buyers", "price"):
        moved = [
            replace(s, **{name: np.r_[getattr(s, name)[: t - 1], [999.0], getattr(s, name)[t:]]})
            for s in series
        ]
        again = pooled_module.features(pooled_module.panel(moved), rows, t)[0]
        assert not np.allclose(before, again), name


def test_buyer_and_price_features_only_when_every_series_has_them() -> None:
    series = _with_facts(25, 20, seed=6)
    rows = np.arange(len(series))
    full = pooled_module.features(pooled_module.panel(series), rows, 12)[0]
    bare = [Series(s.unique_id, s.start, s.y) for s in series]
    partial = [*bare[:-1], series[-1]]
    assert full.shape[1] == 30
    assert pooled_module.features(pooled_module.panel(bare), rows, 12)[0].shape[1] == 24
    assert pooled_module.features(pooled_module.panel(partial), rows, 12)[0].shape[1] == 24
    # A series' weeks cut by ``head`` keep their facts aligned.
    head = series[0].head(7)
    assert head.buyers is not None and head.price is not None
    assert len(head.buyers) == len(head.price) == len(head.y) == 7


def test_pooled_fit_with_buyer_and_price_facts_keeps_the_contract() -> None:
    series = _with_facts(30, 20, seed=2)
    table = fit_predict(series, 6, horizons=(40,))
    model = PooledModel(table)
    for s in series:
        p = model.forecast(s, 6)
        assert p.mean.shape == (6,) and np.all(np.isfinite(p.mean)) and np.all(p.mean >= 0)


def test_series_the_pooled_model_forecasts_take_its_average_with_the_median(monkeypatch) -> None:
    from microbag.forecasting.engine import forecast_series

    series = _growing(24, 20, seed=7)
    table = fit_predict(series, 4)
    results = forecast_series(series, 4, fast=True)
    assert {r.choice.model for r in results} == {"Pooled+RollingMedian"}
    for r, s in zip(results, series, strict=True):
        expected = (table[(s.unique_id, s.week(20))][:4] + np.median(s.y[-6:])) / 2
        np.testing.assert_allclose(r.prediction.mean, expected)
        assert r.choice.wape[4] == r.scores["Pooled+RollingMedian"][4].wape
    # Too few series to pool: the per-class choice, one model per demand class.
    monkeypatch.setattr(pooled_module, "MIN_SERIES", 100)
    alone = forecast_series(series, 4, fast=True)
    by_class: dict[str, set[str]] = {}
    for r in alone:
        by_class.setdefault(r.demand_class, set()).add(r.choice.model)
    assert all(len(models) == 1 for models in by_class.values())
