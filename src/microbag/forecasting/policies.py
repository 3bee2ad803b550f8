"""Forecasting rules in pure code: models behind one interface, metrics, backtest, choice.

Every model answers ``forecast(series, h) -> Prediction`` (a mean and an 80 % interval
per week), like statsforecast's ``forecast(y, h, level=[80])``. statsforecast's models
are wrapped (``StatsModel``); microbag's own are a robust rolling median (wholesale
demand comes in lumps: one big order must not lift the next weeks), the same with the
holiday calendar (``SeasonAdjusted``) and a median ensemble. ``backtest`` scores every
candidate on rolling origins in the last weeks; ``choose_models`` picks one per series
by pooled WAPE of its demand class (smooth / intermittent / erratic / lumpy).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Protocol

import numpy as np

from microbag.forecasting.calendars import lead_weeks, season_months

LEVEL = 80
HORIZONS = (4, 8)
BACKTEST_WEEKS = 16
BACKTEST_STEP = 4
DEFAULT_MODEL = "RollingMedian"
MIN_TRAIN = 4
BAND_WEEKS = 26

log = logging.getLogger(__name__)


def log_model_failure(model: str, series: str, exc: BaseException) -> None:
    """A model that raised on a series: say which, so it is not silently dropped."""
    log.warning(
        "forecast model %s failed on series %s: %s: %s",
        model,
        series,
        type(exc).__name__,
        exc,
    )


@dataclass(frozen=True)
class Series:
    """One weekly series: ``y[0]`` is the week starting Monday ``start``."""

    unique_id: str
    start: date
    y: np.ndarray
    region: str | None = None
    # The holiday / off-season level ratio of the whole market (the total series):
    # a series' own ratio is judged against it.
    holiday_ratio: float = 1.0
    # Optional weekly facts aligned with ``y`` (the pooled model's buyer and price
    # features): distinct buyers, orders (invoices) and the mean unit price (NaN in
    # weeks without a sale). None where the history does not say.
    buyers: np.ndarray | None = None
    orders: np.ndarray | None = None
    price: np.ndarray | None = None

    def head(self, n: int) -> Series:
        def cut(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else values[:n]

        return replace(
            self,
            y=self.y[:n],
            buyers=cut(self.buyers),
            orders=cut(self.orders),
            price=cut(self.price),
        )

    def week(self, i: int) -> date:
        return self.start + timedelta(weeks=i)


@dataclass
class Prediction:
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def tidy(mean: Any, lo: Any, hi: Any) -> Prediction:
    """No NaN, no negative quantities, and the interval always contains the mean."""
    m = np.clip(np.nan_to_num(np.asarray(mean, dtype=float), nan=0.0, posinf=0.0), 0, None)
    low = np.clip(np.nan_to_num(np.asarray(lo, dtype=float), nan=0.0), 0, None)
    high = np.nan_to_num(np.asarray(hi, dtype=float), nan=0.0)
    return Prediction(mean=m, lo=np.minimum(low, m), hi=np.maximum(high, m))


def empirical_band(y: np.ndarray, mean: np.ndarray) -> Prediction:
    """An 80 % band from the 10th and 90th percentiles of the recent weeks."""
    recent = np.sort(y[-BAND_WEEKS:]) if len(y) else np.zeros(1)
    lo = np.full_like(mean, _quantile(recent, 0.1))
    hi = np.full_like(mean, _quantile(recent, 0.9))
    return tidy(mean, lo, hi)


def _quantile(ordered: np.ndarray, q: float) -> float:
    """np.quantile's linear rule on an already sorted array (much cheaper per call)."""
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (pos - low))


class ForecastModel(Protocol):
    name: str

    def forecast(self, series: Series, h: int) -> Prediction: ...


class StatsModel:
    """A statsforecast model (``WindowAverage``, ``IMAPA``, ``AutoETS``...) as a ForecastModel.

    Intervals come from the model where it has them (ETS, Theta, SeasonalNaive), else
    from the recent weeks' spread. Too short a series (or a model that fails on it)
    falls back to the mean of the last 8 weeks.
    """

    def __init__(self, model: Any, name: str | None = None, min_length: int = 2) -> None:
        self.model = model
        self.name = name or str(model)
        self.min_length = min_length
        self.has_level = True

    def forecast(self, series: Series, h: int) -> Prediction:
        y = series.y
        if len(y) >= self.min_length:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                out = self._call(series, h)
            if out is not None and np.all(np.isfinite(out["mean"])):
                mean = np.asarray(out["mean"], dtype=float)
                if f"lo-{LEVEL}" in out:
                    return tidy(mean, out[f"lo-{LEVEL}"], out[f"hi-{LEVEL}"])
                return empirical_band(y, mean)
        return empirical_band(y, np.full(h, float(y[-8:].mean()) if len(y) else 0.0))

    def _call(self, series: Series, h: int) -> dict[str, Any] | None:
        """The model's forecast, or None (logged) when it raises: the caller falls back."""
        y = series.y
        if self.has_level:
            try:
                return dict(self.model.forecast(y=y, h=h, level=[LEVEL]))
            except Exception as exc:
                if "prediction_intervals" not in str(exc):
                    log_model_failure(self.name, series.unique_id, exc)
                    return None
                self.has_level = False  # the model has no intervals of its own
        try:
            return dict(self.model.forecast(y=y, h=h))
        except Exception as exc:
            log_model_failure(self.name, series.unique_id, exc)
            return None


class RollingMedian:
    """The median of the last ``window`` weeks: what a lumpy series usually does.

    It minimises the absolute error (WAPE's measure) where a mean chases last month's
    one-off order; on the UCI data it is the strongest single rule.
    """

    def __init__(self, window: int = 6, name: str = "RollingMedian") -> None:
        self.window = window
        self.name = name

    def forecast(self, series: Series, h: int) -> Prediction:
        y = series.y
        level = float(np.median(y[-self.window :])) if len(y) else 0.0
        return empirical_band(y, np.full(h, level))


class SeasonAdjusted:
    """A base model lifted (or lowered) in the weeks of a known season.

    The series' own in-season / off-season level ratio, relative to the market's
    (``Series.holiday_ratio``), clipped to [1/3, 3] and damped by ``alpha``, multiplies
    the forecast of weeks whose orders fall in the season (the calendar's lead).
    """

    def __init__(self, base: ForecastModel, season: str = "holiday", alpha: float = 0.25) -> None:
        self.base = base
        self.season = season
        self.alpha = alpha
        self.name = f"{base.name}+{season}"

    def flags(self, series: Series, first: int, count: int) -> np.ndarray:
        """Which weeks ``first .. first+count-1`` of the series order for the season."""
        months = season_months(self.season, series.region)
        start = np.datetime64(series.start + timedelta(weeks=first + lead_weeks()), "D")
        days = start + np.arange(count) * 7
        month = (days.astype("datetime64[M]").astype(int) % 12) + 1
        return np.isin(month, list(months))

    def factor(self, series: Series) -> float:
        y = series.y
        flags = self.flags(series, 0, len(y))
        if not flags.any() or flags.all():
            return 1.0
        ratio = (y[flags].mean() + 1.0) / (y[~flags].mean() + 1.0) / max(series.holiday_ratio, 1e-9)
        return float(float(np.clip(ratio, 1 / 3, 3.0)) ** self.alpha)

    def forecast(self, series: Series, h: int) -> Prediction:
        p = self.base.forecast(series, h)
        factor = self.factor(series)
        if factor == 1.0:
            return p
        scale = np.where(self.flags(series, len(series.y), h), factor, 1.0)
        return tidy(p.mean * scale, p.lo * scale, p.hi * scale)


class MedianEnsemble:
    """The median, week by week, of several models' means and bounds."""

    def __init__(self, models: Sequence[ForecastModel], name: str = "MedianEnsemble") -> None:
        self.models = list(models)
        self.name = name

    def forecast(self, series: Series, h: int) -> Prediction:
        preds = [m.forecast(series, h) for m in self.models]
        return tidy(
            np.median([p.mean for p in preds], axis=0),
            np.median([p.lo for p in preds], axis=0),
            np.median([p.hi for p in preds], axis=0),
        )


# ---- metrics -------------------------------------------------------------------------------


def wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |error| / sum actual (NaN if no actuals)."""
    total = float(np.sum(actual))
    return float(np.sum(np.abs(actual - predicted)) / total) if total > 0 else math.nan


def mase_scale(history: np.ndarray) -> float:
    """The in-sample mean absolute error of the naive (last week) forecast."""
    return float(np.mean(np.abs(np.diff(history)))) if len(history) > 1 else 0.0


@dataclass
class Score:
    """Backtest errors summed over origins: WAPE pools them, MASE averages per origin."""

    abs_error: float = 0.0
    actual: float = 0.0
    mase_sum: float = 0.0
    mase_n: int = 0
    origins: int = 0

    def add(self, actual: np.ndarray, predicted: np.ndarray, scale: float) -> None:
        err = np.abs(actual - predicted)
        self.abs_error += float(err.sum())
        self.actual += float(actual.sum())
        self.origins += 1
        if scale > 0:
            self.mase_sum += float(err.mean()) / scale
            self.mase_n += 1

    def merge(self, other: Score) -> None:
        self.abs_error += other.abs_error
        self.actual += other.actual
        self.mase_sum += other.mase_sum
        self.mase_n += other.mase_n
        self.origins += other.origins

    @property
    def wape(self) -> float | None:
        return self.abs_error / self.actual if self.actual > 0 else None

    @property
    def mase(self) -> float | None:
        return self.mase_sum / self.mase_n if self.mase_n else None


def origins(
    n: int, horizon: int, window: int = BACKTEST_WEEKS, step: int = BACKTEST_STEP
) -> list[int]:
    """Training lengths (cut points) in the last ``window`` weeks with ``horizon`` weeks after."""
    return [c for c in range(n - window, n - horizon + 1, step) if c >= MIN_TRAIN]


Scores = dict[str, dict[int, Score]]


def backtest(
    series: Series,
    models: Sequence[ForecastModel],
    horizons: Sequence[int] = HORIZONS,
    window: int = BACKTEST_WEEKS,
    step: int = BACKTEST_STEP,
) -> Scores:
    """Rolling-origin errors per model and horizon (one fit per origin serves all horizons)."""
    y = series.y
    n = len(y)
    scores: Scores = {m.name: {h: Score() for h in horizons} for m in models}
    failed: set[str] = set()
    for cut in origins(n, min(horizons), window, step):
        train = series.head(cut)
        scale = mase_scale(y[:cut])
        hmax = min(max(horizons), n - cut)
        for model in models:
            if model.name in failed:
                continue
            try:
                pred = model.forecast(train, hmax)
            except Exception as exc:
                # Logged and left out of this series' choice, not the whole run's end.
                log_model_failure(model.name, series.unique_id, exc)
                failed.add(model.name)
                del scores[model.name]
                continue
            for h in horizons:
                if cut + h <= n:
                    scores[model.name][h].add(y[cut : cut + h], pred.mean[:h], scale)
    return scores


# ---- demand classes and model choice --------------------------------------------------------


def demand_class(y: np.ndarray) -> str:
    """Syntetos-Boylan: ADI (weeks per order week) 1.32 and CV² of order sizes 0.49."""
    if len(y) < 8:
        return "new"
    nonzero = y[y > 0]
    if len(nonzero) == 0:
        return "intermittent"
    adi = len(y) / len(nonzero)
    cv2 = float((nonzero.std() / nonzero.mean()) ** 2) if len(nonzero) > 1 else 0.0
    if adi <= 1.32:
        return "smooth" if cv2 <= 0.49 else "erratic"
    return "intermittent" if cv2 <= 0.49 else "lumpy"


@dataclass
class Choice:
    model: str
    wape: dict[int, float | None] = field(default_factory=dict)
    mase: dict[int, float | None] = field(default_factory=dict)


def pooled(scores: Sequence[Scores]) -> Scores:
    """Sum several series' scores per model and horizon."""
    out: Scores = {}
    for s in scores:
        for model, by_h in s.items():
            for h, score in by_h.items():
                out.setdefault(model, {}).setdefault(h, Score()).merge(score)
    return out


def best_model(scores: Scores, candidates: Sequence[str]) -> str | None:
    """Lowest WAPE over all horizons together; candidates order breaks ties."""
    best, best_value = None, math.inf
    for name in candidates:
        by_h = scores.get(name)
        if not by_h:
            continue
        actual = sum(s.actual for s in by_h.values())
        if actual <= 0:
            continue
        value = sum(s.abs_error for s in by_h.values()) / actual
        if value < best_value - 1e-12:
            best, best_value = name, value
    return best


def choose_models(
    per_series: dict[str, Scores],
    classes: dict[str, str],
    candidates: Sequence[str],
    mode: str = "class",
    default: str = DEFAULT_MODEL,
) -> dict[str, Choice]:
    """The model for each series, with its own backtest WAPE and MASE per horizon.

    ``mode="class"``: the model with the lowest pooled WAPE over the series' demand
    class (per-series errors on 3-4 origins are too noisy to trust alone: on the UCI
    data choosing per series loses to choosing per class). ``mode="series"``: each
    series' own best. Series without backtest actuals get ``default``.
    """
    by_class: dict[str, str | None] = {}
    if mode == "class":
        for cls in set(classes.values()):
            members = [per_series[u] for u, c in classes.items() if c == cls and u in per_series]
            by_class[cls] = best_model(pooled(members), candidates)
    choices: dict[str, Choice] = {}
    for uid, scores in per_series.items():
        own = best_model(scores, candidates)
        name = (by_class.get(classes.get(uid, "")) if mode == "class" else own) or default
        if name not in scores:
            name = default if default in scores else next(iter(scores), default)
        chosen = scores.get(name, {})
        choices[uid] = Choice(
            model=name,
            wape={h: s.wape for h, s in chosen.items()},
            mase={h: s.mase for h, s in chosen.items()},
        )
    return choices


# ---- the candidate set -----------------------------------------------------------------------

ModelFactory = Callable[[], list[ForecastModel]]


def bare_models(fast: bool = False) -> list[ForecastModel]:
    """statsforecast's models, bare (the benchmark's single-model baselines)."""
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        TSB,
        AutoETS,
        AutoTheta,
        CrostonOptimized,
        SeasonalNaive,
        WindowAverage,
    )

    models: list[ForecastModel] = [
        StatsModel(WindowAverage(window_size=8), "WindowAverage"),
        StatsModel(SeasonalNaive(season_length=52), "SeasonalNaive", min_length=52),
        StatsModel(CrostonOptimized(), "CrostonOptimized"),
        StatsModel(ADIDA(), "ADIDA"),
        StatsModel(IMAPA(), "IMAPA"),
        StatsModel(TSB(alpha_d=0.2, alpha_p=0.2), "TSB"),
    ]
    if not fast:
        models += [
            StatsModel(AutoETS(season_length=1), "AutoETS", min_length=8),
            StatsModel(AutoTheta(season_length=1), "AutoTheta", min_length=8),
        ]
    return models


def microbag_models(
    fast: bool = False, pooled: dict[tuple[str, date], np.ndarray] | None = None
) -> list[ForecastModel]:
    """The candidates microbag chooses from: the bare models plus its own.

    ``pooled``: the global model's forecasts (``pooled.fit_predict``, fitted on all
    series on the driver); without them the pooled model falls back to the rolling median.
    """
    from microbag.forecasting.pooled import PooledModel

    median = RollingMedian(window=6)
    models = bare_models(fast)
    by_name = {m.name: m for m in models}
    global_model = PooledModel(pooled)
    own: list[ForecastModel] = [
        median,
        SeasonAdjusted(median, "holiday"),
        MedianEnsemble([median, by_name["IMAPA"], by_name["WindowAverage"]]),
        # The median of two is their average: the pooled model and the rolling median.
        # (The pooled model alone is no candidate: on the UCI data the inner backtest
        # picked it for most series and lost to the average out of sample.)
        MedianEnsemble([global_model, median], name="Pooled+RollingMedian"),
    ]
    return models + own


SLOW_MODELS = frozenset({"AutoETS", "AutoTheta"})
SLOW_CLASSES = frozenset({"smooth"})


def models_for(series: Series, models: Sequence[ForecastModel]) -> list[ForecastModel]:
    """ETS and Theta only for smooth series: on lumpy ones they cost much and lose."""
    if demand_class(series.y) in SLOW_CLASSES:
        return list(models)
    return [m for m in models if m.name not in SLOW_MODELS]
