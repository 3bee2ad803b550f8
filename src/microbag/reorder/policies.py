"""Reorder rules, pure: safety stock, reorder point, order-up-to level, pack rounding,
and Odoo's min/max rule as the baseline.

microbag replenishes with a periodic-review order-up-to policy. Stock is reviewed every
``review_weeks``; an order placed now arrives after ``lead_weeks``, and the next chance
to order comes one review later, so an order must protect ``lead + review`` weeks (the
protection interval):

- safety stock  = z(service level) * sigma per week * sqrt(lead + review weeks)
- reorder point = forecast demand over the lead time + safety stock
- order-up-to   = forecast demand over lead + review + safety stock

``sigma_per_week`` is the spread of a week's forecast error (not of demand itself: a
forecast that follows the demand needs less cover than the demand's raw spread). At a
review, the order brings the inventory position (on hand + on order - reserved) back to
the order-up-to level; the reorder point is the position below which the stock will not
last the lead time at the chosen service level (the urgent ones).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

# Float sums such as 0.1 * 3 land a hair above a whole unit; rounding up must not turn
# 3.0000000000000004 units into 4.
_CEIL_SLACK = 1e-9


def z_for(service_level: float) -> float:
    """The standard normal quantile of a cycle service level (0.95 -> 1.645)."""
    if not (0.0 < service_level < 1.0) or math.isnan(service_level):
        raise ValueError(f"service level must lie strictly between 0 and 1, got {service_level!r}")
    return NormalDist().inv_cdf(service_level)


@dataclass(frozen=True)
class ReorderLevels:
    safety_stock: int
    reorder_point: int
    order_up_to: int


def demand_over(weekly_mean: Sequence[float], weeks: float) -> float:
    """Forecast demand over the next ``weeks`` (fractions allowed: part of a week counts
    pro rata). Beyond the forecast's horizon its last week repeats; no forecast is no
    demand."""
    if weeks < 0 or math.isnan(weeks):
        raise ValueError(f"weeks must be >= 0, got {weeks!r}")
    if not weekly_mean:
        return 0.0
    total = 0.0
    whole = math.floor(weeks)
    for week in range(whole):
        total += weekly_mean[min(week, len(weekly_mean) - 1)]
    part = weeks - whole
    if part > 0:
        total += part * weekly_mean[min(whole, len(weekly_mean) - 1)]
    return total


def _ceil_units(value: float) -> int:
    return max(0, math.ceil(value - _CEIL_SLACK))


def reorder_levels(
    *,
    weekly_mean: Sequence[float],
    sigma_per_week: float,
    lead_weeks: float,
    review_weeks: float,
    service_level: float,
) -> ReorderLevels:
    """Safety stock, reorder point and order-up-to level in whole units (rounded up).

    ``weekly_mean`` is the forecast per coming week (index 0 = next week). The safety
    stock is never negative (a service level under 50 % would ask for one).
    """
    for name, value in (
        ("sigma_per_week", sigma_per_week),
        ("lead_weeks", lead_weeks),
        ("review_weeks", review_weeks),
    ):
        if math.isnan(value) or math.isinf(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    if any(math.isnan(m) or math.isinf(m) or m < 0 for m in weekly_mean):
        raise ValueError("weekly_mean must hold finite numbers >= 0")
    z = z_for(service_level)
    protection = lead_weeks + review_weeks
    safety = max(0.0, z * sigma_per_week * math.sqrt(protection))
    lead_demand = demand_over(weekly_mean, lead_weeks)
    protection_demand = demand_over(weekly_mean, protection)
    safety_stock = _ceil_units(safety)
    reorder_point = _ceil_units(lead_demand + safety)
    order_up_to = max(reorder_point, _ceil_units(protection_demand + safety))
    return ReorderLevels(
        safety_stock=safety_stock, reorder_point=reorder_point, order_up_to=order_up_to
    )


def order_quantity(*, inventory_position: int, levels: ReorderLevels) -> int:
    """Units to order at a review: back up to the order-up-to level, nothing when the
    position already reaches it (before MOQ and case-pack rounding)."""
    return max(0, levels.order_up_to - inventory_position)


def round_to_pack(quantity: int, *, moq: int, case_pack: int) -> int:
    """An order the supplier accepts: 0 stays 0; else at least the MOQ, rounded UP to a
    whole number of case packs (never below the quantity asked for)."""
    if quantity < 0:
        raise ValueError(f"quantity must be >= 0, got {quantity}")
    if moq < 0:
        raise ValueError(f"moq must be >= 0, got {moq}")
    if case_pack < 1:
        raise ValueError(f"case_pack must be >= 1, got {case_pack}")
    if quantity == 0:
        return 0
    wanted = max(quantity, moq)
    return -(-wanted // case_pack) * case_pack


def minmax_quantity(*, inventory_position: int, minimum: int, maximum: int) -> int:
    """Odoo's reordering rule: when the forecasted position falls below the minimum,
    order up to the maximum (Odoo takes the larger of the two as the target); else
    nothing."""
    if minimum < 0 or maximum < 0:
        raise ValueError("minimum and maximum must be >= 0")
    if inventory_position >= minimum:
        return 0
    return max(minimum, maximum) - inventory_position
