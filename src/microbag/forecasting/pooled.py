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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Panel:
    """Every series on one weekly calendar (zero before a series' first week and after
    its last), with the market's total units and, where the series carry them, their
    weekly buyers, orders and unit prices (NaN where unknown or no sale)."""

    start: date
    z: np.ndarray
    first: np.ndarray
    end: np.ndarray
    market: np.ndarray
    buyers: np.ndarray | None = None
    orders: np.ndarray | None = None
    price: np.ndarray | None = None


def panel(series: Sequence[Series]) -> Panel:
    start = min(s.start for s in series)
    first = np.array([(s.start - start).days // 7 for s in series], dtype=int)
    end = first + np.array([len(s.y) for s in series], dtype=int)
    weeks = int(end.max())

    def matrix(values: Sequence[np.ndarray | None], fill: float) -> np.ndarray:
        out = np.full((len(series), weeks), fill)
        for i, v in enumerate(values):
            if v is not None:
                out[i, first[i] : end[i]] = v
        return out

    z = matrix([s.y for s in series], 0.0)
    # Buyer and price features only when every series has them (one feature set per fit).
    has_buyers = all(s.buyers is not None and s.orders is not None for s in series)
    has_price = all(s.price is not None for s in series)
    return Panel(
        start,
        z,
        first,
        end,
        z.sum(axis=0),
        matrix([s.buyers for s in series], 0.0) if has_buyers else None,
        matrix([s.orders for s in series], 0.0) if has_buyers else None,
        matrix([s.price for s in series], np.nan) if has_price else None,
    )


def _holiday(start: date, week: np.ndarray) -> np.ndarray:
    months = season_months("holiday", "europe")
    days = np.datetime64(start + timedelta(weeks=lead_weeks()), "D") + week.astype(int) * 7
    month = (days.astype("datetime64[M]").astype(int) % 12) + 1
    return np.isin(month, list(months)).astype(float)


def features(p: Panel, rows: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Features of the series ``rows`` at origin ``t`` (weeks ``< t`` only) and their scale."""
    hist = p.z[rows, :t]
    age = np.maximum(t - p.first[rows], 1)
    count = len(rows)

    def span(w: int) -> np.ndarray:
        return np.asarray(np.minimum(w, age), dtype=float)

    def window(w: int, values: np.ndarray = hist) -> np.ndarray:
        return values[:, max(0, t - w) :]

    scale = window(13).sum(axis=1) / span(13)
    overall = hist.sum(axis=1) / age
    scale = np.where(scale > 0, scale, overall)
    s = np.where(scale > 0, scale, 1.0)
    cols = [hist[:, t - k] / s if t - k >= 0 else np.zeros(count) for k in range(1, 9)]
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
    # The whole market's momentum: last 4 weeks against the last 13 (a season ramping up).
    market = p.market[:t]
    cols.append(np.full(count, (market[-4:].mean() + 1) / (market[-13:].mean() + 1)))
    if p.buyers is not None and p.orders is not None:
        # The buyer-level view: how many buyers order the series lately, and how much
        # an order holds (a few big orders and many small ones behave differently).
        buyers = p.buyers[rows, :t]
        recent, usual = window(4, buyers).mean(axis=1), window(13, buyers).mean(axis=1)
        orders = window(13, p.orders[rows, :t]).sum(axis=1)
        cols += [np.log1p(recent), np.log1p(usual), (recent + 0.1) / (usual + 0.1)]
        cols.append(np.log1p(window(13).sum(axis=1) / np.maximum(orders, 1)))
    if p.price is not None:
        prices = p.price[rows, :t]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # all-NaN windows: no sale, no price
            usual_price = np.nanmedian(window(26, prices), axis=1)
            recent_price = np.nanmedian(window(4, prices), axis=1)
        usual_price = np.nan_to_num(usual_price, nan=1.0)
        recent_price = np.where(np.isnan(recent_price), usual_price, recent_price)
        cols.append(np.log(usual_price + 0.01))
        cols.append(np.log((recent_price + 0.01) / (usual_price + 0.01)))
    return np.column_stack(cols), scale


def _rows(x: np.ndarray, start: date, t: int, weeks: Sequence[int]) -> np.ndarray:
    """The features repeated per week ahead, with the week ahead and its holiday flag."""
    ahead = np.repeat(np.asarray(weeks, dtype=float), len(x))
    flags = _holiday(start, t + ahead - 1)
    return np.column_stack([np.tile(x, (len(weeks), 1)), ahead / AHEAD, flags])


def _fit(p: Panel, origin: int) -> object | None:
    """Gradient-boosted trees (absolute error, weighted by level) on windows before ``origin``."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    xs, ys, ws = [], [], []
    for t in range(max(1, origin - TRAIN_ORIGINS), origin):
        alive = np.where((p.first < t) & (p.end >= origin))[0]
        x, scale = features(p, alive, t)
        keep = scale > 0
        weeks = [k for k in range(1, AHEAD + 1) if t + k <= origin]
        rows = _rows(x[keep], p.start, t, weeks)
        idx = alive[keep]
        target_week = np.repeat(t + np.asarray(weeks) - 1, len(idx))
        series = np.tile(idx, len(weeks))
        level = np.tile(scale[keep], len(weeks))
        xs.append(rows)
        ys.append(p.z[series, target_week] / level)
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
    p = panel(series)
    wanted: dict[int, list[int]] = {}
    for i, s in enumerate(series):
        n = len(s.y)
        for cut in [*origins(n, min(horizons)), n]:
            wanted.setdefault(int(p.first[i]) + cut, []).append(i)
    weeks = list(range(1, max(AHEAD, horizon) + 1))
    table: Table = {}
    for origin in sorted(wanted):
        model = _fit(p, origin)
        if model is None:
            continue
        members = np.asarray(wanted[origin])
        x, scale = features(p, members, origin)
        rows = _rows(x, p.start, origin, [min(k, AHEAD) for k in weeks])
        flags = _holiday(p.start, origin + np.repeat(np.asarray(weeks), len(x)) - 1)
        rows[:, -1] = flags  # the real target week's season, even past week 8
        with threadpool_limits(1):
            pred = model.predict(rows).reshape(len(weeks), len(x)).T  # type: ignore[attr-defined]
        means = np.clip(pred * scale[:, None], 0, None)
        for j, i in enumerate(members):
            table[(series[i].unique_id, series[i].week(origin - int(p.first[i])))] = means[j]
    return table
