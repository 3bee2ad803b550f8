"""Replaying real weekly demand through two reorder policies (no database).

The proof the issue asks for: the UCI Online Retail demand is replayed week by week,
once with microbag's order-up-to levels (``reorder.policies``, forecasts refitted every
week on the history up to it) and once with a min/max rule like Odoo's reordering
rules, on the same SKUs, the same starting stock and the same lead time. Each week of
the replay, for every SKU:

1. orders due this week arrive (an order placed at the review closing week ``t``
   arrives at the start of week ``t + lead + 1``: ``lead`` whole weeks of demand pass
   while it travels, the lead time both policies plan for);
2. the week's demand ships from stock on hand; what stock cannot cover is lost (no
   backorders: a wholesale buyer short-shipped buys elsewhere);
3. the review: the inventory position (on hand + on order) is compared with the
   policy's levels and an order is placed.

Fill rate = units shipped from stock / units demanded, over every SKU and week.
Average stock = the mean over the weeks of the units on hand (all SKUs), each week
counted as the mean of its opening stock (after arrivals) and its closing stock.

microbag's levels: the SKU's forecast for the coming weeks is microbag's own, refitted
every week on the history up to it: as the forecasting engine does for a catalog of 100
series or more, the average of the pooled model (one fit per week over every SKU) and
RollingMedian (``forecasting.pooled``, ``forecasting.policies``). The error spread
``sigma`` is the root mean square of the SKU's last 13 errors of that forecast summed
over the protection interval (lead + review weeks: the forecast made at week ``o``
against the units of weeks ``o+1 .. o+lead+review``, only errors already known at the
review), and ``reorder_levels`` gives the order-up-to level at the service level.

The min/max rule (Odoo's reordering rule, its levels recomputed every week, which is
kinder to it than a rule set by hand once): min = mean weekly demand of the last 8 weeks
x lead weeks, max = min + 4 weeks of that mean; when the position falls below min,
order up to max.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from microbag.forecasting.policies import RollingMedian, Series
from microbag.forecasting.pooled import fit_predict
from microbag.history.policies import load_mapping
from microbag.reorder.policies import (
    minmax_quantity,
    order_quantity,
    reorder_levels,
)

LEAD_WEEKS = 3
REVIEW_WEEKS = 1
REPLAY_WEEKS = 20
MINMAX_WINDOW = 8  # weeks averaged by the min/max rule
MINMAX_COVER = 4  # max = min + this many weeks of the average
ERROR_ORIGINS = 13  # past forecast errors behind sigma
# The pooled model's backtest horizons: none (one fit, at the origin itself).
NO_BACKTEST = (10**6,)

# An order rule: (week index, inventory positions per SKU) -> units to order per SKU.
OrderRule = Callable[[int, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class WeeklyDemand:
    """Units per SKU and week: ``units[i, w]`` is SKU ``codes[i]`` in the week starting
    Monday ``start + w weeks``; ``first[i]`` is the week of its first sale."""

    codes: list[str]
    start: date
    units: np.ndarray
    first: np.ndarray

    @property
    def weeks(self) -> int:
        return int(self.units.shape[1])

    def week(self, w: int) -> date:
        return self.start + timedelta(weeks=w)

    def subset(self, rows: np.ndarray) -> WeeklyDemand:
        return WeeklyDemand(
            [self.codes[i] for i in rows], self.start, self.units[rows], self.first[rows]
        )


def read_weekly_demand(folder: Path, mapping: str = "online-retail") -> WeeklyDemand:
    """Gross weekly units per stock code from the UCI files (``online_retail_*.csv.gz``),
    cleaned by the history import's mapping: cancellation invoices, negative quantities
    (returns) and non-product codes (postage, fees, gift vouchers) are dropped."""
    rules = load_mapping(mapping)
    files = sorted(folder.glob("online_retail_*.csv.gz"))
    if not files:
        raise FileNotFoundError(f"no online_retail_*.csv.gz files in {folder}")
    text = pl.String
    frame = pl.concat(
        [pl.read_csv(f, schema_overrides={"InvoiceNo": text, "StockCode": text}) for f in files]
    )
    keep = ~pl.col("InvoiceNo").str.starts_with(rules.cancellation_prefix) & (
        pl.col("Quantity") > 0
    )
    keep &= ~pl.col("StockCode").is_in(sorted(rules.non_product_codes))
    if rules.non_product_patterns:
        pattern = "|".join(f"(?:{p})" for p in rules.non_product_patterns)
        keep &= ~pl.col("StockCode").str.contains(pattern)
    weekly = (
        frame.filter(keep)
        .with_columns(
            ds=pl.col("InvoiceDate")
            .str.to_datetime(rules.datetime_formats[0])
            .dt.truncate("1w")
            .dt.date()
        )
        .group_by("StockCode", "ds")
        .agg(y=pl.col("Quantity").sum().cast(pl.Float64))
    )
    return weekly_from_rows(
        weekly["StockCode"].to_list(), weekly["ds"].to_list(), weekly["y"].to_list()
    )


def weekly_from_rows(
    codes: Sequence[str], weeks: Sequence[date], units: Sequence[float]
) -> WeeklyDemand:
    """(code, Monday, units) rows -> a zero-filled SKU x week matrix."""
    start = min(weeks)
    n_weeks = (max(weeks) - start).days // 7 + 1
    names = sorted(set(codes))
    index = {c: i for i, c in enumerate(names)}
    matrix = np.zeros((len(names), n_weeks))
    for code, monday, value in zip(codes, weeks, units, strict=True):
        matrix[index[code], (monday - start).days // 7] += value
    first = np.argmax(matrix > 0, axis=1)
    return WeeklyDemand(names, start, matrix, first)


# ---- the simulation ------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyOutcome:
    policy: str
    demanded: float
    shipped: float
    avg_stock: float
    orders: int  # orders placed (SKU-weeks with an order)
    stock_by_week: tuple[float, ...]

    @property
    def fill_rate(self) -> float:
        return self.shipped / self.demanded if self.demanded else 1.0


def simulate(
    demand: np.ndarray,
    *,
    first_week: int,
    last_week: int,
    start_stock: np.ndarray,
    rule: OrderRule,
    lead_weeks: int = LEAD_WEEKS,
    policy: str = "",
) -> PolicyOutcome:
    """Weeks ``first_week .. last_week - 1`` of ``demand`` (SKU x week): arrivals, then
    shipping (lost sales when short), then the review and its order (see the module)."""
    n = demand.shape[0]
    on_hand = start_stock.astype(float).copy()
    arriving = np.zeros((n, last_week + lead_weeks + 2))
    demanded = shipped = 0.0
    orders = 0
    stock: list[float] = []
    for week in range(first_week, last_week):
        on_hand += arriving[:, week]
        opening = float(on_hand.sum())
        wanted = demand[:, week]
        sent = np.minimum(on_hand, wanted)
        on_hand -= sent
        demanded += float(wanted.sum())
        shipped += float(sent.sum())
        stock.append((opening + float(on_hand.sum())) / 2)
        position = on_hand + arriving[:, week + 1 :].sum(axis=1)
        quantity = np.maximum(rule(week, position), 0)
        orders += int((quantity > 0).sum())
        arriving[:, week + lead_weeks + 1] += quantity
    return PolicyOutcome(
        policy,
        demanded,
        shipped,
        float(np.mean(stock)) if stock else 0.0,
        orders,
        tuple(stock),
    )


def minmax_levels(
    demand: np.ndarray, week: int, lead_weeks: int = LEAD_WEEKS
) -> tuple[np.ndarray, np.ndarray]:
    """Odoo-like min and max per SKU from the 8 weeks up to and including ``week``."""
    recent = demand[:, max(0, week - MINMAX_WINDOW + 1) : week + 1]
    average = recent.sum(axis=1) / MINMAX_WINDOW
    minimum = np.ceil(average * lead_weeks - 1e-9)
    maximum = minimum + np.ceil(average * MINMAX_COVER - 1e-9)
    return minimum, maximum


def minmax_rule(demand: np.ndarray, lead_weeks: int = LEAD_WEEKS) -> OrderRule:
    def rule(week: int, position: np.ndarray) -> np.ndarray:
        minimum, maximum = minmax_levels(demand, week, lead_weeks)
        return np.array(
            [
                minmax_quantity(inventory_position=math.floor(p), minimum=int(lo), maximum=int(hi))
                for p, lo, hi in zip(position, minimum, maximum, strict=True)
            ],
            dtype=float,
        )

    return rule


# ---- microbag's forecasts and levels -------------------------------------------------


@dataclass(frozen=True)
class Forecasts:
    """``mean[o][i]``: SKU i's forecast per coming week made at the end of week ``o``
    (weeks ``o+1 ..``), for every origin ``o`` in ``origins``."""

    origins: range
    mean: dict[int, np.ndarray]  # origin -> (SKU x horizon)


def refit_forecasts(
    data: WeeklyDemand,
    origins: range,
    horizon: int,
    *,
    pooled: bool = True,
    rows: np.ndarray | None = None,
) -> Forecasts:
    """microbag's forecasts refitted at every origin on the weeks up to it, for the SKUs
    ``rows`` of ``data`` (all when None).

    As the forecasting engine does for a catalog of 100 series or more
    (``engine.assemble``): the average of the pooled model (``pooled.fit_predict``,
    one fit per origin over every SKU with a sale by then, features from the weeks
    before the origin only) and RollingMedian (the median of the last 6 weeks). Each
    SKU's series starts at its first sale. Where the pooled model has no forecast (too
    few series or rows), or with ``pooled=False``, RollingMedian alone."""
    chosen = np.arange(len(data.codes)) if rows is None else rows
    model = RollingMedian(window=6)
    out: dict[int, np.ndarray] = {}
    for origin in origins:
        alive = np.where(data.first <= origin)[0]
        series = {
            int(i): Series(
                data.codes[i],
                data.week(int(data.first[i])),
                data.units[i, data.first[i] : origin + 1],
            )
            for i in (alive if pooled else np.intersect1d(alive, chosen))
        }
        table = fit_predict(list(series.values()), horizon, NO_BACKTEST) if pooled else {}
        means = np.zeros((len(chosen), horizon))
        next_week = data.week(origin + 1)
        for j, i in enumerate(chosen):
            one = series.get(int(i))
            if one is None:
                continue  # no sale yet: nothing to forecast
            median = model.forecast(one, horizon).mean
            learnt = table.get((one.unique_id, next_week))
            means[j] = median if learnt is None else (median + learnt[:horizon]) / 2
        out[origin] = means
    return Forecasts(origins, out)


def protection_sigma(
    data: WeeklyDemand, forecasts: Forecasts, week: int, protection: int
) -> np.ndarray:
    """Per SKU: the root mean square of the last ERROR_ORIGINS errors of the forecast
    summed over the protection interval, using only outcomes known at ``week``. A SKU
    without a known error yet gets its own forecast over the interval (CV of 1)."""
    n = len(data.codes)
    total = np.zeros(n)
    count = np.zeros(n)
    last = week - protection
    for origin in range(max(forecasts.origins.start, last - ERROR_ORIGINS + 1), last + 1):
        made = forecasts.mean[origin][:, :protection].sum(axis=1)
        actual = data.units[:, origin + 1 : origin + 1 + protection].sum(axis=1)
        valid = data.first <= origin
        total += np.where(valid, (actual - made) ** 2, 0.0)
        count += valid
    fallback = forecasts.mean[week][:, :protection].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rmse = np.sqrt(total / count)
    return np.where(count > 0, rmse, fallback)


def microbag_rule(
    data: WeeklyDemand,
    forecasts: Forecasts,
    service_level: float,
    lead_weeks: int = LEAD_WEEKS,
    review_weeks: int = REVIEW_WEEKS,
) -> OrderRule:
    protection = lead_weeks + review_weeks
    root = math.sqrt(protection)

    def rule(week: int, position: np.ndarray) -> np.ndarray:
        sigma_protection = protection_sigma(data, forecasts, week, protection)
        mean = forecasts.mean[week]
        out = np.zeros(len(position))
        for i, p in enumerate(position):
            levels = reorder_levels(
                weekly_mean=mean[i].tolist(),
                sigma_per_week=float(sigma_protection[i]) / root,
                lead_weeks=lead_weeks,
                review_weeks=review_weeks,
                service_level=service_level,
            )
            out[i] = order_quantity(inventory_position=math.floor(p), levels=levels)
        return out

    return rule


def _rows(forecasts: Forecasts, rows: np.ndarray) -> Forecasts:
    return Forecasts(forecasts.origins, {o: m[rows] for o, m in forecasts.mean.items()})


# ---- the comparison ------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayResult:
    skus: int
    first_week: date
    weeks: int
    service_level: float  # chosen on the calibration weeks (before the replay)
    microbag: PolicyOutcome
    minmax: PolicyOutcome
    calibration: dict[float, tuple[float, float]]  # service level -> (fill, avg stock)
    calibration_minmax: tuple[float, float]
    at_default: PolicyOutcome | None  # microbag at the configured default service level
    pooled: bool  # forecasts: pooled model + RollingMedian (else RollingMedian alone)

    @property
    def stock_reduction(self) -> float:
        """1 - microbag's average stock / min/max's."""
        if not self.minmax.avg_stock:
            return 0.0
        return 1.0 - self.microbag.avg_stock / self.minmax.avg_stock


def active_skus(data: WeeklyDemand, before_week: int) -> np.ndarray:
    """SKUs with demand in the MINMAX_WINDOW weeks before ``before_week`` (the ones a
    min/max rule has levels for; both policies replay the same ones)."""
    window = data.units[:, max(0, before_week - MINMAX_WINDOW) : before_week]
    return np.where(window.sum(axis=1) > 0)[0]


def compare(
    data: WeeklyDemand,
    forecasts: Forecasts,
    *,
    first_week: int,
    last_week: int,
    service_level: float,
    lead_weeks: int = LEAD_WEEKS,
    review_weeks: int = REVIEW_WEEKS,
) -> tuple[PolicyOutcome, PolicyOutcome]:
    """Both policies over the same weeks, SKUs and starting stock (the min/max rule's
    max at the start, for both)."""
    _, start_stock = minmax_levels(data.units, first_week - 1, lead_weeks)
    ours = simulate(
        data.units,
        first_week=first_week,
        last_week=last_week,
        start_stock=start_stock,
        rule=microbag_rule(data, forecasts, service_level, lead_weeks, review_weeks),
        lead_weeks=lead_weeks,
        policy="microbag",
    )
    baseline = simulate(
        data.units,
        first_week=first_week,
        last_week=last_week,
        start_stock=start_stock,
        rule=minmax_rule(data.units, lead_weeks),
        lead_weeks=lead_weeks,
        policy="minmax",
    )
    return ours, baseline


def replay(
    data: WeeklyDemand,
    *,
    replay_weeks: int = REPLAY_WEEKS,
    calibration_weeks: int = 14,
    service_levels: Sequence[float] = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95),
    default_service_level: float | None = 0.95,
    lead_weeks: int = LEAD_WEEKS,
    review_weeks: int = REVIEW_WEEKS,
    max_skus: int | None = None,
    pooled: bool = True,
) -> ReplayResult:
    """The last ``replay_weeks`` weeks, microbag against min/max.

    The service level is chosen before the replay, as a shop moving off a min/max rule
    could: on the ``calibration_weeks`` weeks just before it, the lowest level of
    ``service_levels`` whose fill rate there reaches the min/max rule's (the highest
    when none does). No week of the replay informs any choice. ``max_skus`` keeps the
    largest SKUs by volume before each window (a quick run); ``pooled=False`` forecasts
    with RollingMedian alone (no pooled fits: seconds instead of minutes)."""
    protection = lead_weeks + review_weeks
    replay_start = data.weeks - replay_weeks
    calibration_start = replay_start - calibration_weeks
    if calibration_start - protection - MINMAX_WINDOW < 0:
        raise ValueError("not enough weeks of history before the replay")
    replay_rows = _largest(data, active_skus(data, replay_start), replay_start, max_skus)
    calibration_rows = _largest(
        data, active_skus(data, calibration_start), calibration_start, max_skus
    )
    rows = np.union1d(replay_rows, calibration_rows)
    first_origin = max(0, calibration_start - protection - ERROR_ORIGINS)
    union = data.subset(rows)
    forecasts = refit_forecasts(
        data, range(first_origin, data.weeks), protection, pooled=pooled, rows=rows
    )

    def window(selected: np.ndarray) -> tuple[WeeklyDemand, Forecasts]:
        at = np.searchsorted(rows, selected)
        return union.subset(at), _rows(forecasts, at)

    cal_data, cal_forecasts = window(calibration_rows)
    calibration: dict[float, tuple[float, float]] = {}
    calibration_minmax = (0.0, 0.0)
    chosen = max(service_levels)
    for level in sorted(service_levels):
        ours, baseline = compare(
            cal_data,
            cal_forecasts,
            first_week=calibration_start,
            last_week=replay_start,
            service_level=level,
            lead_weeks=lead_weeks,
            review_weeks=review_weeks,
        )
        calibration[level] = (ours.fill_rate, ours.avg_stock)
        calibration_minmax = (baseline.fill_rate, baseline.avg_stock)
        if ours.fill_rate >= baseline.fill_rate:
            chosen = level
            break
    rep_data, rep_forecasts = window(replay_rows)
    ours, baseline = compare(
        rep_data,
        rep_forecasts,
        first_week=replay_start,
        last_week=data.weeks,
        service_level=chosen,
        lead_weeks=lead_weeks,
        review_weeks=review_weeks,
    )
    at_default = None
    if default_service_level is not None and default_service_level != chosen:
        at_default, _ = compare(
            rep_data,
            rep_forecasts,
            first_week=replay_start,
            last_week=data.weeks,
            service_level=default_service_level,
            lead_weeks=lead_weeks,
            review_weeks=review_weeks,
        )
    return ReplayResult(
        skus=len(replay_rows),
        first_week=data.week(replay_start),
        weeks=replay_weeks,
        service_level=chosen,
        microbag=ours,
        minmax=baseline,
        calibration=calibration,
        calibration_minmax=calibration_minmax,
        at_default=at_default,
        pooled=pooled,
    )


def _largest(
    data: WeeklyDemand, rows: np.ndarray, before_week: int, limit: int | None
) -> np.ndarray:
    if limit is None or len(rows) <= limit:
        return rows
    volume = data.units[rows, :before_week].sum(axis=1)
    return np.sort(rows[np.argsort(-volume, kind="stable")[:limit]])
