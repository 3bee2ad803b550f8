"""Suggested orders: the pure pieces of the ranking (no database, no web layer).

A buyer's own history is summarised per SKU as a :class:`RepeatStats` (how many orders,
over what span, how long ago, how many units each time); the features the ranking blends
and the plain-words reasons on every line are computed from it here, so they can be
unit-tested without a model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Recency weighting of past orders: an order this many days old counts half.
HALF_LIFE_DAYS = 90.0
# A repeat SKU whose last order is this many intervals ago is treated as lapsed.
LAPSED_INTERVALS = 2.5
DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class RepeatStats:
    """One buyer's history of one SKU, as of the fit date."""

    orders: int  # distinct invoices with the SKU
    first_age_days: int  # days from the first such order to the fit date
    last_age_days: int  # days from the last such order to the fit date
    median_units: int  # units per order (median over the orders)

    @property
    def interval_days(self) -> float | None:
        """Mean days between orders; None for a SKU ordered once."""
        if self.orders < 2:
            return None
        return max(1.0, (self.first_age_days - self.last_age_days) / (self.orders - 1))


def recency_weights(age_days: np.ndarray, half_life: float = HALF_LIFE_DAYS) -> np.ndarray:
    """exp2(-age / half-life): today's order weighs 1, a half-life old one 0.5."""
    return np.asarray(np.exp2(-np.maximum(age_days, 0) / half_life), dtype=np.float64)


def dueness(
    orders: np.ndarray, first_age: np.ndarray, last_age: np.ndarray, horizon_days: float
) -> np.ndarray:
    """How due a repeat is within the horizon, 0..1 (0 for SKUs ordered once).

    With a mean interval I between orders and d days since the last one, the next order
    is expected around d = I: the score is (d + horizon) / I capped at 1, fading once the
    SKU has not been reordered for ``LAPSED_INTERVALS`` intervals (the buyer moved on).
    """
    orders = np.asarray(orders, dtype=np.float64)
    repeat = orders >= 2
    span = np.asarray(first_age, dtype=np.float64) - np.asarray(last_age, dtype=np.float64)
    interval = np.where(repeat, np.maximum(span, 1.0) / np.maximum(orders - 1, 1.0), 1.0)
    last = np.asarray(last_age, dtype=np.float64)
    due = np.minimum(1.0, (last + horizon_days) / interval)
    overdue = np.maximum(0.0, last - LAPSED_INTERVALS * interval) / interval
    return np.where(repeat, due * np.exp(-overdue), 0.0)


def typical_units(units: Sequence[int]) -> int:
    """The median order quantity, rounded, at least 1."""
    if not units:
        return 1
    return max(1, round(float(np.median(np.asarray(units, dtype=np.float64)))))


def weeks_text(days: float) -> str:
    weeks = max(1, round(days / DAYS_PER_WEEK))
    return "1 week" if weeks == 1 else f"{weeks} weeks"


def repeat_reason(stats: RepeatStats) -> str:
    """ "reordered every 6 weeks, 48 units each time" or "ordered once, 5 weeks ago (24 units)"."""
    units = f"{stats.median_units} unit{'s' if stats.median_units != 1 else ''}"
    interval = stats.interval_days
    if interval is None:
        return f"ordered once, {weeks_text(stats.last_age_days)} ago ({units})"
    every = "several times a week" if interval < DAYS_PER_WEEK else f"every {weeks_text(interval)}"
    return f"reordered {every} ({stats.orders} orders), {units} each time"


def due_reason(stats: RepeatStats) -> str | None:
    """ "due: last ordered 7 weeks ago" when the usual interval has (nearly) passed."""
    interval = stats.interval_days
    if interval is None or interval < DAYS_PER_WEEK:
        return None
    if stats.last_age_days >= 0.8 * interval and stats.last_age_days <= LAPSED_INTERVALS * interval:
        return f"due: last ordered {weeks_text(stats.last_age_days)} ago"
    return None


def similar_reason(anchor_sku: str | None) -> str:
    if anchor_sku:
        return f"buyers who order {anchor_sku} also order this"
    return "buyers with similar baskets order this"


def popularity_reason(buyers_recent: int, buyers_before: int, weeks: int, where: str) -> str:
    """ "ordered by 40 buyers in Europe in the last 4 weeks, up from 25"."""
    where_text = f" in {where}" if where else ""
    text = f"ordered by {buyers_recent} buyer{'s' if buyers_recent != 1 else ''}{where_text}"
    text += f" in the last {weeks} weeks"
    if buyers_recent > buyers_before * 1.2 and buyers_before > 0:
        text += f", up from {buyers_before}"
    return text


def prior_reason(segment: str, attribute: str, value: str) -> str:
    """ "the market brief rates totes highly for boutiques"."""
    return (
        f"the market brief rates {value.replace('_', ' ')} highly for {segment.replace('_', ' ')}"
    )


def minmax(values: np.ndarray) -> np.ndarray:
    """Scaled to 0..1 (all zeros when flat)."""
    if values.size == 0:
        return values
    low = float(values.min())
    high = float(values.max())
    if not math.isfinite(high - low) or high - low <= 0:
        return np.zeros_like(values, dtype=np.float64)
    return (values - low) / (high - low)
