"""Three years of orders: who reorders when, and what they put in the basket.

Each company reorders at its own rhythm (its segment's interval, its own pace,
lumpier for distributors), faster in the busy months (Q4 holiday stock, spring
weddings, summer). It buys from its assortment: styles and SKUs drawn once from the
catalog with the region's and segment's preferences, and each order favours what
the month calls for (bridal in spring, festival in summer, metallic at the holidays)
and what just launched. Lines are priced with the company's price list tiers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from microbag.demo.buyers import CompanyRec, People
from microbag.demo.catalog import HISTORY_DAYS, Catalog, SkuRec, StyleRec, weighted_sample
from microbag.demo.market import COLOR_MONTH_BOOST, MONTH_DEMAND, OCCASION_MONTH_BOOST
from microbag.demo.prices import DemoPriceList, resolve_list, sku_terms
from microbag.demo.regions import (
    REGION_FAMILIES,
    REGION_HARDWARE,
    REGION_MATERIALS,
    REGION_SIZES,
    REGION_TIERS,
    REGION_TYPES,
    SEGMENT_TIERS,
    SEGMENT_TYPES,
    SEGMENTS,
)
from microbag.pricing.policies import Tier, current_tier

# How strongly preferences show: weight ** SHARPNESS, for the design (type, tier,
# size) and for the variant (color, hardware, material).
STYLE_SHARPNESS = 1.7
VARIANT_SHARPNESS = 1.5


@dataclass(slots=True)
class LineDraft:
    sku: SkuRec
    quantity: int
    unit_price_minor: int
    tiers: tuple[Tier, ...]
    case_pack: int

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price_minor


@dataclass(slots=True)
class OrderDraft:
    company: CompanyRec
    price_list: DemoPriceList
    created_at: datetime
    lines: list[LineDraft] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)


def style_affinity(style: StyleRec, region: str, segment: str) -> float:
    """How much a company of that region and segment likes the design (Tables 4, 9, 11)."""
    weight = (
        REGION_TYPES[region][style.bag_type]
        * SEGMENT_TYPES[segment][style.bag_type]
        * REGION_TIERS[region][style.price_tier]
        * SEGMENT_TIERS[segment][style.price_tier]
        * REGION_SIZES[region][style.size_class]
    )
    return float(weight**STYLE_SHARPNESS * style.popularity)


def variant_affinity(sku: SkuRec, region: str) -> float:
    """How much the region likes the SKU's color, hardware and material (Tables 10, 11)."""
    weight = (
        REGION_FAMILIES[region][sku.family]
        * REGION_HARDWARE[region][sku.hardware]
        * REGION_MATERIALS.get(region, {}).get(sku.material, 1.0)
    )
    return float(weight**VARIANT_SHARPNESS * sku.popularity / sku.style.popularity)


def sku_affinity(sku: SkuRec, region: str, segment: str) -> float:
    return style_affinity(sku.style, region, segment) * variant_affinity(sku, region)


def month_boost(sku: SkuRec, day: date) -> float:
    """What the month calls for: occasions and color families in season, new launches."""
    m = day.month - 1
    style = sku.style
    occasion = max(OCCASION_MONTH_BOOST[o][m] for o in style.occasions)
    boost = occasion * COLOR_MONTH_BOOST[sku.family][m]
    if (day - sku.launch).days < 75:
        boost *= 1.8  # novelty sells (Section 8: seasonal launches, drops)
    return boost


class HistoryBuilder:
    def __init__(
        self,
        rng: random.Random,
        today: date,
        catalog: Catalog,
        people: People,
        price_lists: Sequence[DemoPriceList],
    ) -> None:
        self.rng = rng
        self.today = today
        self.window_start = today - timedelta(days=HISTORY_DAYS)
        self.price_lists = price_lists
        self.people = people
        # The core catalog only (all of it at --size small): see Catalog.core_styles.
        styles = catalog.styles[: catalog.core_styles]
        style_ids = {s.id for s in styles}
        self.skus_by_style: dict[int, list[SkuRec]] = {s.id: [] for s in styles}
        for sku in catalog.skus:
            if sku.style.id in style_ids and sku.lifecycle != "draft":
                self.skus_by_style[sku.style.id].append(sku)
        self.styles = [s for s in styles if self.skus_by_style[s.id]]
        # Limited editions: units left to sell per style.
        self.edition_left: dict[int, int] = {
            s.id: s.edition_size for s in self.styles if s.edition_size is not None
        }
        self._terms: dict[tuple[int, int], tuple[int, int, tuple[Tier, ...]]] = {}

    def terms(self, pl: DemoPriceList, sku: SkuRec) -> tuple[int, int, tuple[Tier, ...]]:
        key = (pl.id, sku.id)
        if key not in self._terms:
            self._terms[key] = sku_terms(sku, pl.rule)
        return self._terms[key]

    def assortment(self, company: CompanyRec) -> list[tuple[SkuRec, float]]:
        """The SKUs the company carries, with its affinity for each."""
        rng, seg = self.rng, SEGMENTS[company.segment]
        by_style: dict[str, float] = {}
        affinity: dict[int, float] = {}
        for style in self.styles:
            design = style_affinity(style, company.region, company.segment)
            skus = self.skus_by_style[style.id]
            for sku in skus:
                affinity[sku.id] = design * variant_affinity(sku, company.region)
            # A design is carried for itself and for the variants it comes in.
            by_style[str(style.id)] = sum(affinity[sku.id] for sku in skus) / len(skus)
        n_styles = max(6, round(seg.assortment * len(self.styles)))
        chosen = weighted_sample(rng, by_style, n_styles)
        carried: list[tuple[SkuRec, float]] = []
        for style_id in chosen:
            skus = self.skus_by_style[int(style_id)]
            weights = {str(i): affinity[s.id] for i, s in enumerate(skus)}
            for key in weighted_sample(rng, weights, rng.randint(2, 4)):
                sku = skus[int(key)]
                carried.append((sku, affinity[sku.id]))
        return carried

    def order_days(self, company: CompanyRec) -> list[date]:
        rng, seg = self.rng, SEGMENTS[company.segment]
        pace = rng.uniform(0.7, 1.4)
        start = max(company.joined, self.window_start)
        end = company.dormant_from or self.today
        day = start + timedelta(days=rng.randint(0, seg.reorder_days))
        days: list[date] = []
        while day <= end:
            days.append(day)
            gap = seg.reorder_days * pace * rng.lognormvariate(0.0, seg.reorder_jitter)
            # Busy months come round sooner: the pace of the month the gap falls in.
            middle = day + timedelta(days=gap / 2)
            gap /= MONTH_DEMAND[middle.month - 1]
            day += timedelta(days=max(3, round(gap)))
        return days

    def build_order(
        self, company: CompanyRec, pl: DemoPriceList, carried: list[tuple[SkuRec, float]], day: date
    ) -> OrderDraft | None:
        rng, seg = self.rng, SEGMENTS[company.segment]
        weights: dict[str, float] = {}
        for i, (sku, affinity) in enumerate(carried):
            if not sku.orderable_on(day):
                continue
            if self.edition_left.get(sku.style.id, 1) <= 0:
                continue
            weights[str(i)] = affinity * month_boost(sku, day)
        if not weights:
            return None
        demand = MONTH_DEMAND[day.month - 1]
        n_lines = min(len(weights), max(1, round(rng.randint(*seg.lines) * demand**0.3)))
        hour = rng.randint(6, 19)
        created = datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=UTC)
        order = OrderDraft(company, pl, created)
        lumpy = rng.lognormvariate(0.0, 0.5) if company.segment == "distributor" else 1.0
        for key in weighted_sample(rng, weights, n_lines):
            sku = carried[int(key)][0]
            moq, case_pack, tiers = self.terms(pl, sku)
            wanted = moq * rng.randint(*seg.moq_multiple) * demand**0.4 * lumpy
            quantity = moq + case_pack * max(0, round((wanted - moq) / case_pack))
            left = self.edition_left.get(sku.style.id)
            if left is not None:
                quantity = min(quantity, left - left % case_pack)
                if quantity < moq:
                    continue
                self.edition_left[sku.style.id] = left - quantity
            price = current_tier(tiers, quantity).unit_price_minor
            order.lines.append(LineDraft(sku, quantity, price, tiers, case_pack))
        if not order.lines or not self._reach_minimum(order):
            return None
        return order

    def _reach_minimum(self, order: OrderDraft) -> bool:
        """Buyers top up an order below the list's minimum order value (False: cannot)."""
        mov = order.price_list.min_order_value_minor
        open_lines = [line for line in order.lines if line.sku.style.id not in self.edition_left]
        while order.total < mov:
            if not open_lines:
                return False  # only capped limited editions: the order is not placed
            factor = min(2.0, max(1.1, mov / max(order.total, 1)))
            for line in open_lines:
                extra = math.ceil(line.quantity * (factor - 1) / line.case_pack) * line.case_pack
                line.quantity += max(extra, line.case_pack)
                line.unit_price_minor = current_tier(line.tiers, line.quantity).unit_price_minor
        return True

    def build(self, progress: Callable[[int], None] | None = None) -> list[OrderDraft]:
        orders: list[OrderDraft] = []
        for company in self.people.companies:
            pl = resolve_list(self.price_lists, company.id, company.segment, company.currency)
            carried = self.assortment(company)
            for day in self.order_days(company):
                order = self.build_order(company, pl, carried, day)
                if order is not None:
                    orders.append(order)
            if progress is not None:
                progress(1)
        orders.sort(key=lambda o: (o.created_at, o.company.id))
        return orders


def simulate_orders(
    rng: random.Random,
    today: date,
    catalog: Catalog,
    people: People,
    price_lists: Sequence[DemoPriceList],
    progress: Callable[[int], None] | None = None,
) -> list[OrderDraft]:
    """Every company's orders over the history window, oldest first (not written yet)."""
    return HistoryBuilder(rng, today, catalog, people, price_lists).build(progress)
