"""Demand for reorder suggestions: the latest SKU-level forecast run's weekly means and
error spread, the sales fallback, and which warehouse ships a SKU's demand (read-only;
reorder.service puts them together)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.forecasting.models import Forecast, ForecastRun
from microbag.history.policies import week_start
from microbag.history.service import weekly_units
from microbag.orders.models import Order, OrderAllocation, OrderLine
from microbag.reorder.lines import Demand

# z of the 90th percentile: an 80 % interval is mean +- 1.2816 sigma.
Z80 = 1.2816
FALLBACK_WEEKS = 12
# Allocations older than this do not decide which warehouse ships a SKU.
SHARE_DAYS = 365
CHUNK = 500
# Orders whose allocations show where a SKU ships from (not drafts, not cancelled).
SHIPPING_STATUSES = ("placed", "confirmed", "partly_shipped", "shipped", "delivered")


def chunks(ids: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def latest_sku_run(session: Session) -> ForecastRun | None:
    return session.scalars(
        select(ForecastRun)
        .where(
            select(Forecast.id)
            .where(Forecast.run_id == ForecastRun.id, Forecast.level == "sku")
            .exists()
        )
        .order_by(ForecastRun.id.desc())
        .limit(1)
    ).first()


def forecast_demand(
    session: Session, codes: Sequence[str], today: date, protection_weeks: float
) -> tuple[dict[str, Demand], int | None]:
    """SKU code -> demand from the latest run with SKU forecasts (and the run's id)."""
    run = latest_sku_run(session)
    if run is None:
        return {}, None
    rows: dict[str, list[tuple[date, float, float, float]]] = defaultdict(list)
    for part in chunks(list(codes)):
        for uid, day, mean, lo, hi in session.execute(
            select(
                Forecast.unique_id, Forecast.week_start, Forecast.mean, Forecast.lo80, Forecast.hi80
            )
            .where(Forecast.run_id == run.id, Forecast.level == "sku", Forecast.unique_id.in_(part))
            .order_by(Forecast.unique_id, Forecast.week_start)
        ):
            rows[str(uid)].append((day, float(mean), float(lo), float(hi)))
    this_week = week_start(today)
    cover = max(1, math.ceil(protection_weeks))
    out: dict[str, Demand] = {}
    for code, weeks in rows.items():
        ahead = [w for w in weeks if w[0] >= this_week]
        warnings: tuple[str, ...] = ()
        if not ahead:
            # A stale run: its weeks are past, but they are still the best guess there is.
            ahead = weeks
            warnings = (f"forecast run {run.id} ends before this week ({weeks[-1][0]})",)
        means = [max(0.0, m) for _d, m, _lo, _hi in ahead]
        sigmas = [max(0.0, hi - lo) / (2 * Z80) for _d, _m, lo, hi in ahead[:cover]]
        out[code] = Demand(
            weekly_mean=means,
            sigma_per_week=sum(sigmas) / len(sigmas),
            basis=f"forecast run {run.id} ({len(ahead)} weeks from {ahead[0][0]})",
            warnings=warnings,
        )
    return out, run.id


def sales_demand(session: Session, codes: Iterable[str], today: date) -> dict[str, Demand]:
    """SKU code -> demand from the sales of the last FALLBACK_WEEKS whole weeks."""
    wanted = set(codes)
    if not wanted:
        return {}
    until = week_start(today)
    since = until - timedelta(weeks=FALLBACK_WEEKS)
    frame = weekly_units(session, "sku", since=since, until=until, fill_zeros=False)
    per_sku: dict[str, list[float]] = defaultdict(list)
    for uid, units in zip(frame["unique_id"].to_list(), frame["y"].to_list(), strict=True):
        if uid in wanted:
            per_sku[str(uid)].append(float(units))
    out: dict[str, Demand] = {}
    for code, values in per_sku.items():
        weeks = values + [0.0] * (FALLBACK_WEEKS - len(values))  # weeks without sales
        mean = sum(weeks) / FALLBACK_WEEKS
        spread = math.sqrt(sum((v - mean) ** 2 for v in weeks) / (FALLBACK_WEEKS - 1))
        out[code] = Demand(
            weekly_mean=[mean],
            sigma_per_week=spread,
            basis=f"sales of the last {FALLBACK_WEEKS} weeks (no forecast for this SKU)",
        )
    return out


def warehouse_shares(
    session: Session, sku_ids: Sequence[int], today: date
) -> dict[int, dict[int, float]]:
    """sku_id -> {warehouse_id: share of the units it shipped or reserved} over the last
    SHARE_DAYS days (SKUs without allocations are absent)."""
    since = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=SHARE_DAYS)
    units: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for part in chunks(list(sku_ids)):
        for sku_id, warehouse_id, quantity in session.execute(
            select(OrderLine.sku_id, OrderAllocation.warehouse_id, OrderAllocation.quantity)
            .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
            .join(Order, Order.id == OrderLine.order_id)
            .where(
                OrderLine.sku_id.in_(part),
                Order.status.in_(SHIPPING_STATUSES),
                Order.placed_at >= since,
            )
        ):
            units[int(sku_id)][int(warehouse_id)] += max(0, int(quantity))
    out: dict[int, dict[int, float]] = {}
    for sku_id, per_wh in units.items():
        total = sum(per_wh.values())
        if total > 0:
            out[sku_id] = {wh: n / total for wh, n in per_wh.items() if n > 0}
    return out
