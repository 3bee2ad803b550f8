"""A global (pooled) model: one model learnt across every series at once.

Local models see one short, noisy series each; the pooled model learns from all of
them how a SKU's next weeks relate to its recent weeks. For a forecast origin (the
week a training history ends), training rows come from every series' past windows
that end before the origin (no week at or after it is used): features are the series'
recent weeks scaled by its own level (mean of the last 13 weeks since its first sale),
rolling means, medians and quartiles over 4/8/13/26 weeks, the share of zero weeks,
weeks since the last sale, age, the week ahead (1-8) and the holiday flag of the target
week (``calendars``, with the ordering lead); the target is the week's units on the same
scale. The model is gradient-boosted trees with the absolute error, on rows drawn with
probability by the series' level: so the loss is the absolute error in units, what WAPE
sums.

The fit needs all series, so it runs once per origin on the driver
(``fit_predict``); the chunks (local or Dask) get each series' predicted weeks
(``PooledModel.table``), so both engines give the same numbers.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from microbag.forecasting.calendars import lead_weeks, season_months
from microbag.forecasting.policies import (
    HORIZONS,
    Prediction,
    RollingMedian,
    Series,
    empirical_band,
    origins,
)

NAME = "Pooled"
AHEAD = 8  # weeks ahead learnt (a longer horizon reuses week 8's features)
TRAIN_ORIGINS = 20  # past origins per fit
MAX_ROWS = 60_000  # training rows kept per fit (a fixed-seed sample)
MIN_ROWS = 200  # fewer rows: no fit, the pooled model falls back to the rolling median
MIN_SERIES = 100  # fewer series: nothing to pool (and no fit's cost)
TREES: dict[str, Any] = {
    "loss": "absolute_error",
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 50,
    "early_stopping": False,
    "random_state": 0,
}

Table = dict[tuple[str, date], np.ndarray]


class PooledModel:
    """The pooled model's forecasts, looked up per series and origin.

    ``table[(unique_id, origin week)]`` holds the weeks predicted by the fit for that
    origin (``fit_predict``). A series or origin without a fit gets the rolling median.
    """

    name = NAME

    def __init__(self, table: Table | None = None) -> None:
        self.table = table or {}
        self.fallback = RollingMedian(window=6)

    def forecast(self, series: Series, h: int) -> Prediction:
        y = series.y
        known = self.table.get((series.unique_id, series.week(len(y))))
        if known is None or len(known) < h:
            return self.fallback.forecast(series, h)
        return empirical_band(y, known[:h])


def _calendar(series: Sequence[Series]) -> tuple[date, np.ndarray, np.ndarray, np.ndarray]:
    """(first Monday, Z[series x weeks] zero-filled, first week, end week) on one calendar."""
    start = min(s.start for s in series)
    first = np.array([(s.start - start).days // 7 for s in series], dtype=int)
    end = first + np.array([len(s.y) for s in series], dtype=int)
    z = np.zeros((len(series), int(end.max())))
    for i, s in enumerate(series):
        z[i, first[i] : end[i]] = s.y
    return start, z, first, end


def _holiday(start: date, week: np.ndarray) -> np.ndarray:
    months = season_months("holiday", "europe")
    days = np.datetime64(start + timedelta(weeks=lead_weeks()), "D") + week.astype(int) * 7
    month = (days.astype("datetime64[M]").astype(int) % 12) + 1
    return np.isin(month, list(months)).astype(float)


def features(z: np.ndarray, first: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Features of every row of ``z`` at origin ``t`` (weeks ``< t`` only) and its scale."""
    hist = z[:, :t]
    age = np.maximum(t - first, 1)

    def span(w: int) -> np.ndarray:
        return np.asarray(np.minimum(w, age), dtype=float)

    def window(w: int) -> np.ndarray:
        return hist[:, max(0, t - w) :]

    scale = window(13).sum(axis=1) / span(13)
    overall = hist.sum(axis=1) / age
    scale = np.where(scale > 0, scale, overall)
    s = np.where(scale > 0, scale, 1.0)
    cols = [hist[:, t - k] / s if t - k >= 0 else np.zeros(len(z)) for k in range(1, 9)]
    for w in (4, 8, 13, 26):
        cols.append(window(w).sum(axis=1) / span(w) / s)
        cols.append(np.median(window(w), axis=1) / s)
    for w in (13, 26):
        cols.append(np.quantile(window(w), 0.75, axis=1) / s)
    cols.append(np.quantile(window(26), 0.25, axis=1) / s)
    cols.append((window(13) > 0).sum(axis=1) / span(13))
    sold = np.where(hist > 0, np.arange(t)[None, :], -1).max(axis=1)
    cols.append(np.minimum(np.where(sold >= 0, t - sold, 52), 26) / 26)
    cols.append(np.minimum(age, 52) / 52)
    cols.append(np.log1p(scale))
    return np.column_stack(cols), scale


def _rows(x: np.ndarray, start: date, t: int, weeks: Sequence[int]) -> np.ndarray:
    """The features repeated per week ahead, with the week ahead and its holiday flag."""
    ahead = np.repeat(np.asarray(weeks, dtype=float), len(x))
    flags = _holiday(start, t + ahead - 1)
    return np.column_stack([np.tile(x, (len(weeks), 1)), ahead / AHEAD, flags])


def _fit(
    z: np.ndarray, first: np.ndarray, end: np.ndarray, start: date, origin: int
) -> object | None:
    """Gradient-boosted trees (absolute error, weighted by level) on windows before ``origin``."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    xs, ys, ws = [], [], []
    for t in range(max(1, origin - TRAIN_ORIGINS), origin):
        alive = np.where((first < t) & (end >= origin))[0]
        x, scale = features(z[alive, :origin], first[alive], t)
        keep = scale > 0
        weeks = [k for k in range(1, AHEAD + 1) if t + k <= origin]
        rows = _rows(x[keep], start, t, weeks)
        idx = alive[keep]
        target_week = np.repeat(t + np.asarray(weeks) - 1, len(idx))
        series = np.tile(idx, len(weeks))
        level = np.tile(scale[keep], len(weeks))
        xs.append(rows)
        ys.append(z[series, target_week] / level)
        ws.append(level)
    if not xs or sum(len(v) for v in ys) < MIN_ROWS:
        return None
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    # Rows drawn with probability by level (fixed seed): the same loss as weighting
    # them, without the trees' weighted binning (slow) and with a bounded sample.
    pick = np.random.default_rng(0).choice(len(y), min(len(y), MAX_ROWS), p=w / w.sum())
    model = HistGradientBoostingRegressor(**TREES)
    # One thread: OpenMP's threads fight the other work on a busy 2-core machine.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        model.fit(x[pick], y[pick])
    fitted: object = model
    return fitted


def fit_predict(
    series: Sequence[Series], horizon: int, horizons: Sequence[int] = HORIZONS
) -> Table:
    """Fit once per origin (the backtest's cuts and the end of each history) and
    predict every series ending there: ``{(unique_id, origin week): weeks}``."""
    if len(series) < MIN_SERIES:
        return {}
    start, z, first, end = _calendar(series)
    wanted: dict[int, list[int]] = {}
    for i, s in enumerate(series):
        n = len(s.y)
        for cut in [*origins(n, min(horizons)), n]:
            wanted.setdefault(int(first[i]) + cut, []).append(i)
    weeks = list(range(1, max(AHEAD, horizon) + 1))
    table: Table = {}
    for origin in sorted(wanted):
        model = _fit(z, first, end, start, origin)
        if model is None:
            continue
        members = np.asarray(wanted[origin])
        x, scale = features(z[members, :origin], first[members], origin)
        rows = _rows(x, start, origin, [min(k, AHEAD) for k in weeks])
        flags = _holiday(start, origin + np.repeat(np.asarray(weeks), len(x)) - 1)
        rows[:, -1] = flags  # the real target week's season, even past week 8
        with threadpool_limits(1):
            pred = model.predict(rows).reshape(len(weeks), len(x)).T  # type: ignore[attr-defined]
        means = np.clip(pred * scale[:, None], 0, None)
        for j, i in enumerate(members):
            table[(series[i].unique_id, series[i].week(origin - int(first[i])))] = means[j]
    return table
