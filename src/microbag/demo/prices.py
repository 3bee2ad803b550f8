"""Demo price lists: defaults per currency, segment lists, a few negotiated contracts.

A SKU's terms on a list derive from its base price in US cents, the list's rule
(currency, discount, MOQ in case packs) and its price tier's quantity breaks. The
order history prices its lines with the same function, so orders and lists agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache

from microbag.demo.bulk import BulkWriter
from microbag.demo.catalog import SkuRec
from microbag.demo.market import CURRENCIES, PRICE_LIST_RULES, TIER_TERMS, PriceListRule
from microbag.money import minor_digits
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.pricing.policies import Tier, current_tier, validate_terms


@dataclass(frozen=True)
class DemoPriceList:
    id: int
    rule: PriceListRule
    company_id: int | None
    min_order_value_minor: int


def convert(usd_cents: float, currency: str) -> int:
    """US cents to the currency's minor units, rounded to its price step (at least one step)."""
    spec = CURRENCIES[currency]
    step = spec.step_minor
    minor = usd_cents * _minor_per_cent(currency)
    return max(step, round(minor / step) * step)


@cache
def _minor_per_cent(currency: str) -> float:
    return float(CURRENCIES[currency].per_usd * 10 ** minor_digits(currency) / 100)


@cache
def _shape(
    rule: PriceListRule, tier: str, case_pack: int
) -> tuple[int, tuple[tuple[int, float], ...]]:
    """MOQ and the price grid (quantity break, price factor) of a tier on a list."""
    terms = TIER_TERMS[tier]
    moq = case_pack * (rule.moq_cases or terms.moq_cases)
    discounts = dict(zip(terms.breaks, terms.discounts, strict=True))

    def factor(quantity: int) -> float:
        off = max((d for b, d in discounts.items() if b <= quantity), default=0.0)
        return (1 - rule.discount) * (1 - off)

    grid = [(moq, factor(moq))]
    for brk in terms.breaks:
        rounded = -(-brk // case_pack) * case_pack  # breaks are multiples of the case pack
        if rounded > moq:
            grid.append((rounded, factor(rounded)))
    return moq, tuple(grid)


def sku_terms(sku: SkuRec, rule: PriceListRule) -> tuple[int, int, tuple[Tier, ...]]:
    """MOQ, case pack and tiers of one SKU on a list; the invariants hold by construction."""
    case_pack = sku.style.case_pack
    moq, grid = _shape(rule, sku.style.price_tier, case_pack)
    tiers: list[Tier] = []
    previous: int | None = None
    for quantity, factor in grid:
        price = convert(sku.usd_cents * factor, rule.currency)
        if previous is not None and price >= previous:
            continue  # rounding ate the discount: no new break
        tiers.append(Tier(quantity, price))
        previous = price
    return moq, case_pack, tuple(tiers)


def unit_price(sku: SkuRec, rule: PriceListRule, quantity: int) -> int:
    return current_tier(sku_terms(sku, rule)[2], quantity).unit_price_minor


def _mov(rule: PriceListRule) -> int:
    if rule.mov_usd_cents is None:
        return CURRENCIES[rule.currency].default_mov_minor
    return convert(rule.mov_usd_cents, rule.currency)


def build_price_lists(
    writer: BulkWriter,
    skus: Sequence[SkuRec],
    core_skus: int,
    contracts: Sequence[tuple[PriceListRule, int]],
    created: date,
    progress: Callable[[int], None] | None = None,
) -> list[DemoPriceList]:
    """Every rule of the market data plus the company contracts.

    The default list of each currency prices every SKU; segment and contract lists
    price the first ``core_skus`` (the whole catalog at --size small). At --size
    large this keeps the load fast: millions of tier rows would add nothing to a
    catalog benchmark.
    """
    created_at = datetime.combine(created, time(8, 0), tzinfo=UTC)
    lists: list[DemoPriceList] = []
    rules: list[tuple[PriceListRule, int | None]] = [(r, None) for r in PRICE_LIST_RULES]
    rules += [(r, cid) for r, cid in contracts]
    for rule, company_id in rules:
        pl = DemoPriceList(writer.next_id(PriceList), rule, company_id, _mov(rule))
        lists.append(pl)
        writer.add(
            PriceList,
            {
                "id": pl.id,
                "name": rule.name,
                "currency": rule.currency,
                "company_id": company_id,
                "segment": rule.segment,
                "min_order_value_minor": pl.min_order_value_minor,
                "is_active": True,
                "created_at": created_at,
            },
        )
    for pl in lists:
        is_default = pl.company_id is None and pl.rule.segment is None
        _write_items(writer, pl, skus if is_default else skus[:core_skus], progress)
    return lists


def _write_items(
    writer: BulkWriter,
    pl: DemoPriceList,
    skus: Sequence[SkuRec],
    progress: Callable[[int], None] | None,
) -> None:
    """One item per SKU with its tiers, every one checked by validate_terms."""
    first_item = writer.reserve_ids(PriceListItem, len(skus))
    items: list[tuple[int, ...]] = []
    tiers: list[tuple[int, ...]] = []
    for offset, sku in enumerate(skus):
        moq, case_pack, sku_tiers = sku_terms(sku, pl.rule)
        errors = validate_terms(moq, case_pack, sku_tiers)
        if errors:
            raise RuntimeError(f"demo terms of {sku.code} on {pl.rule.name}: {errors}")
        item_id = first_item + offset
        items.append((item_id, pl.id, sku.id, moq, case_pack))
        for tier in sku_tiers:
            tiers.append((item_id, tier.min_quantity, tier.unit_price_minor))
        if progress is not None and offset % 1000 == 999:
            progress(1000)
    first_tier = writer.reserve_ids(PriceTier, len(tiers))
    writer.copy_rows(PriceListItem, ("id", "price_list_id", "sku_id", "moq", "case_pack"), items)
    writer.copy_rows(
        PriceTier,
        ("id", "item_id", "min_quantity", "unit_price_minor"),
        ((first_tier + i, *row) for i, row in enumerate(tiers)),
    )
    if progress is not None:
        progress(len(skus) % 1000)


def resolve_list(
    lists: Sequence[DemoPriceList], company_id: int, segment: str, currency: str
) -> DemoPriceList:
    """Same order as pricing.service.price_list_for_company: own, segment, default."""

    def rank(pl: DemoPriceList) -> int:
        if pl.company_id is not None:
            return 0
        return 1 if pl.rule.segment is not None else 2

    candidates = [
        pl
        for pl in lists
        if pl.rule.currency == currency
        and (
            pl.company_id == company_id
            or (pl.company_id is None and pl.rule.segment in (segment, None))
        )
    ]
    if not candidates:
        raise RuntimeError(f"no demo price list in {currency}")
    return min(candidates, key=lambda pl: (rank(pl), pl.id))
