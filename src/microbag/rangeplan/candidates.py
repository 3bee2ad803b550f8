"""A range plan's candidates read from the database: the season's window, the active
SKUs with a price and a landed cost in the plan's currency, their free units by the ship
window, and their demand (the latest forecast, else the same weeks a year before; the
prior for SKUs without either is applied in ``planning``)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style
from microbag.forecasting import service as forecasting
from microbag.forecasting.calendars import lead_weeks, season_months
from microbag.history.service import weekly_units
from microbag.knowledge.facts import Knowledge
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.rangeplan import policies
from microbag.rangeplan.policies import (
    GROUP_KINDS,
    GroupBound,
    PlanInstance,
    PlanSku,
    sales_curve,
    sigma_from_interval,
)
from microbag.rangeplan.schemas import RangePlanRequest
from microbag.rangeplan.service import current_costs
from microbag.stock.models import IncomingStock, StockLevel


@dataclass(frozen=True)
class SeasonWindow:
    first_day: date
    last_day: date
    ship_by: date  # the ship window: units must be available by then
    weeks: tuple[date, ...]  # Mondays of the season's weeks


def season_window(season: str, year: int, region: str | None) -> SeasonWindow:
    """The season's weeks in ``year`` (a season that wraps the new year runs into the
    next one) and the ship-by date, ``lead_weeks`` ahead of its first week."""
    months = season_months(season, region)
    starts = sorted(m for m in months if (m - 2) % 12 + 1 not in months) or sorted(months)
    first = date(year, starts[0], 1)
    days = [first + timedelta(days=d) for d in range(366)]
    inside = [d for d in days if d.month in months and d < date(year + 1, starts[0], 1)]
    weeks = sorted({d - timedelta(days=d.weekday()) for d in inside})
    return SeasonWindow(inside[0], inside[-1], first - timedelta(weeks=lead_weeks()), tuple(weeks))


@dataclass
class Evidence:
    """Where a candidate's figures come from (for its reasons)."""

    basis: str  # forecast | history | prior
    mean: float
    lo80: float
    hi80: float
    note: str = ""
    groups: dict[str, str] = field(default_factory=dict)


@dataclass
class Candidates:
    instance: PlanInstance
    evidence: dict[str, Evidence]
    prices: dict[str, tuple[int, int]]  # sku -> (price, cost)
    skipped: dict[str, int]


def _prices(session: Session, currency: str, segment: str | None) -> dict[int, int]:
    """SKU id -> unit price at the first tier of the default (or the segment's) list."""
    lists = session.scalars(
        select(PriceList).where(
            PriceList.is_active.is_(True),
            PriceList.currency == currency,
            PriceList.company_id.is_(None),
            PriceList.segment.is_(None) | (PriceList.segment == segment),
        )
    ).all()
    # The segment's list first, then the default: a later list does not override.
    ordered = sorted(lists, key=lambda p: (p.segment is None, p.id))
    out: dict[int, int] = {}
    for price_list in ordered:
        rows = session.execute(
            select(PriceListItem.sku_id, PriceTier.unit_price_minor, PriceTier.min_quantity)
            .join(PriceTier, PriceTier.item_id == PriceListItem.id)
            .where(PriceListItem.price_list_id == price_list.id)
            .order_by(PriceListItem.sku_id, PriceTier.min_quantity)
        )
        for sku_id, price, _min_qty in rows:
            out.setdefault(sku_id, int(price))
    return out


def _free_units(session: Session, sku_ids: Sequence[int], ship_by: date) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for sku_id, available in session.execute(
        select(StockLevel.sku_id, func.sum(StockLevel.on_hand - StockLevel.reserved))
        .where(StockLevel.sku_id.in_(sku_ids))
        .group_by(StockLevel.sku_id)
    ):
        out[sku_id] += max(0, int(available or 0))
    for sku_id, quantity in session.execute(
        select(IncomingStock.sku_id, func.sum(IncomingStock.quantity))
        .where(
            IncomingStock.sku_id.in_(sku_ids),
            IncomingStock.received_at.is_(None),
            IncomingStock.expected_date <= ship_by,
        )
        .group_by(IncomingStock.sku_id)
    ):
        out[sku_id] += int(quantity or 0)
    return out


def _forecast_demand(
    session: Session, window: SeasonWindow, region: str | None, segment: str | None
) -> dict[str, tuple[float, float, float]]:
    """SKU code -> (mean, lo80, hi80) over the season from the latest forecast run, scaled
    up to the weeks it does not cover (none when it covers no week of the season)."""
    if segment is not None:
        return {}  # forecasts are per SKU and region, not per segment
    level = "sku_region" if region else "sku"
    weeks = set(window.weeks)
    sums: dict[str, list[float]] = {}
    for uid, week, mean, lo80, hi80 in forecasting.export_rows(session, level):
        if week not in weeks:
            continue
        code = uid
        if region:
            code, _sep, uid_region = uid.rpartition("/")
            if uid_region != region:
                continue
        acc = sums.setdefault(code, [0.0, 0.0, 0.0, 0.0])
        sigma = sigma_from_interval(mean, lo80, hi80)
        acc[0] += mean
        acc[1] += sigma * sigma
        acc[3] += 1
    out = {}
    for code, (mean, variance, _unused, covered) in sums.items():
        factor = len(weeks) / covered
        total, sigma = mean * factor, math.sqrt(variance) * factor
        out[code] = (total, max(0.0, total - policies.Z80 * sigma), total + policies.Z80 * sigma)
    return out


def _last_year_demand(
    session: Session, window: SeasonWindow, region: str | None, segment: str | None
) -> dict[str, float]:
    since = window.weeks[0] - timedelta(weeks=52)
    until = window.weeks[-1] - timedelta(weeks=52) + timedelta(days=7)
    frame = weekly_units(
        session, "sku", region, segment=segment, since=since, until=until, fill_zeros=False
    )
    out: dict[str, float] = defaultdict(float)
    for code, _week, units in frame.iter_rows():
        out[str(code)] += float(units)
    return dict(out)


def trend_labels(session: Session, region: str | None) -> dict[str, str]:
    """ "bag_type:belt_bag" -> "rising", from the latest trends run (if any)."""
    from microbag.trends.service import TrendFilters, latest_run, list_trends

    out: dict[str, str] = {}
    if latest_run(session) is None:
        return out  # no stored run: not worth computing trends here for a word
    for attribute in ("bag_type", "color"):
        rows, _total, run = list_trends(
            session,
            TrendFilters(attribute=attribute, region=region or "all", segment="all", basis="units"),
            limit=500,
        )
        if run is None:
            return {}
        for row in rows:
            out[f"{attribute}:{row.value}"] = row.label
    return out


def build_candidates(
    session: Session, request: RangePlanRequest, knowledge: Knowledge, today: date
) -> Candidates:
    window = season_window(request.season, request.year, request.region)
    rows = session.execute(
        select(Sku, Style)
        .join(Style, Style.id == Sku.style_id)
        .where(Sku.lifecycle == "active", Style.lifecycle == "active")
        .order_by(Sku.code)
    ).all()
    ids = [sku.id for sku, _style in rows]
    prices = _prices(session, request.currency, request.segment)
    costs = current_costs(session, ids, today)
    free = _free_units(session, ids, window.ship_by) if ids else {}
    forecast = _forecast_demand(session, window, request.region, request.segment)
    last_year = _last_year_demand(session, window, request.region, request.segment)
    skipped = {"no_price": 0, "no_cost": 0}
    known: dict[tuple[str, str], list[float]] = defaultdict(list)
    for sku, style in rows:
        units = forecast.get(sku.code, (last_year.get(sku.code, 0.0),))[0]
        if units > 0:
            known[(style.bag_type, style.price_tier)].append(units)
            known[(style.bag_type, "")].append(units)
    all_known = [u for key, v in known.items() if key[1] == "" for u in v]
    items, evidence, money = [], {}, {}
    for sku, style in rows:
        price, cost = prices.get(sku.id), costs.get(sku.id)
        if price is None:
            skipped["no_price"] += 1
            continue
        if cost is None or cost.currency != request.currency:
            skipped["no_cost"] += 1
            continue
        family = str((sku.attributes or {}).get("color_family") or sku.color)
        groups = {
            "bag_type": style.bag_type,
            "color_family": family,
            "price_tier": style.price_tier,
        }
        ev = _evidence(
            sku.code, style, family, request, knowledge, forecast, last_year, known, all_known
        )
        ev.groups = groups
        sigma = sigma_from_interval(ev.mean, ev.lo80, ev.hi80)
        case = cost.supplier_case_pack
        items.append(
            PlanSku(
                sku=sku.code,
                style=style.code,
                unit_price=price,
                unit_cost=cost.unit_cost_minor,
                leftover_cost=round(cost.unit_cost_minor * request.leftover_rate),
                case_pack=case,
                moq=cost.supplier_moq,
                free_units=free.get(sku.id, 0),
                max_cases=math.ceil((ev.mean + 3 * sigma) / case) + 1,
                curve=sales_curve(ev.mean, sigma),
                groups=(
                    *(f"{k}:{v}" for k, v in groups.items()),
                    *(f"occasion:{o}" for o in style.occasion_names),
                ),
            )
        )
        evidence[sku.code] = ev
        money[sku.code] = (price, cost.unit_cost_minor)
    instance = PlanInstance(
        skus=tuple(items),
        budget=request.budget_minor,
        max_styles=request.max_styles,
        min_styles=request.min_styles,
        bounds=tuple(_bounds(request, knowledge, items)),
    )
    return Candidates(instance, evidence, money, skipped)


def _evidence(
    code: str,
    style: Style,
    family: str,
    request: RangePlanRequest,
    knowledge: Knowledge,
    forecast: dict[str, tuple[float, float, float]],
    last_year: dict[str, float],
    known: dict[tuple[str, str], list[float]],
    all_known: list[float],
) -> Evidence:
    if code in forecast:
        mean, lo, hi = forecast[code]
        return Evidence("forecast", mean, lo, hi)
    if last_year.get(code, 0) > 0:
        mean = last_year[code]
        sigma = 0.4 * mean
        return Evidence(
            "history", mean, max(0.0, mean - policies.Z80 * sigma), mean + policies.Z80 * sigma
        )
    similar = known.get((style.bag_type, style.price_tier)) or known.get((style.bag_type, ""))
    weight = 0.5 + knowledge.color_weight(request.region, family)
    if similar:
        base = statistics.median(similar)
        note = f"{len(similar)} similar SKUs with sales"
    elif all_known:
        base = statistics.median(all_known) * (
            0.5 + knowledge.type_weight(request.segment, style.bag_type)
        )
        note = "SKUs with sales, by the brief's type weights"
    else:
        model = knowledge.price_model(request.segment)
        base = model.typical_moq * (0.5 + knowledge.type_weight(request.segment, style.bag_type))
        note = "the brief's typical MOQ and type weights (no sales yet)"
    mean = base * weight
    sigma = 0.6 * mean
    return Evidence(
        "prior", mean, max(0.0, mean - policies.Z80 * sigma), mean + policies.Z80 * sigma, note
    )


def _bounds(
    request: RangePlanRequest, knowledge: Knowledge, items: Sequence[PlanSku]
) -> list[GroupBound]:
    """The request's bounds, and the knowledge file's default shares for the values the
    request leaves open (only values some candidate has)."""
    given = {b.group: b for b in request.bounds}
    present = {g for item in items for g in item.groups}
    out = [
        GroupBound(b.group, b.min_count, b.max_count, b.min_share, b.max_share, "request")
        for b in request.bounds
    ]
    if not request.knowledge_defaults:
        return out
    defaults = knowledge.range_defaults()
    for kind in GROUP_KINDS:
        for value, (lo, hi) in getattr(defaults, kind).items():
            group = f"{kind}:{value}"
            if group in given or group not in present:
                continue
            out.append(
                GroupBound(
                    group,
                    min_share=lo if lo > 0 else None,
                    max_share=hi if hi < 1 else None,
                    source="knowledge",
                )
            )
    return [b for b in out if b.names()]
