"""Use case: rank the suppliers for a SKU, a style, a bag type or a capability by TOPSIS,
with the knowledge file's supplier criteria as weights, and how stable that ranking is
when each weight moves by 10 %.

Candidates: active suppliers; for a SKU or a style, those with a price valid today for
it (suppliers.service.offers_for_skus); a bag type or a capability (oem, odm, logo,
packaging, or any bag type, material or hardware listed) narrows them. Their columns
are the scorecard's faded values plus the monthly capacity and, for a SKU or a style,
the offer's lead time, MOQ and price against the other candidates' (topsis.COLUMNS).
Never commits.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from microbag.catalog.policies import BAG_TYPES
from microbag.config import get_settings
from microbag.errors import DomainError, ErrorItem
from microbag.knowledge.tables import MAX_WEIGHT
from microbag.scorecards import service, topsis
from microbag.scorecards.service import Scorecard, Standing
from microbag.suppliers.policies import CAPABILITY_FLAGS, CAPABILITY_LISTS
from microbag.suppliers.service import PriceOffer, offers_for_skus
from microbag.timeutil import utcnow


@dataclass(frozen=True)
class RankingRow:
    rank: int
    score: float  # TOPSIS closeness 0..1
    supplier_id: int
    code: str
    name: str
    country: str
    standing: Standing
    values: dict[str, float | None]  # per column, before missing values are filled
    landed_unit_cost_minor: int | None  # for a SKU (mean over a style's SKUs), base currency
    moq: int | None
    lead_time_days: int | None


@dataclass(frozen=True)
class MoveRow:
    criterion: str
    change: float  # +0.1 / -0.1
    top_changes: bool
    new_top: str  # supplier code ranked first after the move
    kendall_tau: float


@dataclass(frozen=True)
class Ranking:
    target: dict[str, str]  # what was asked: sku / style / bag_type / capability
    rows: list[RankingRow]
    columns: list[str]  # the columns TOPSIS used (others had no data or no spread)
    column_weights: dict[str, float]  # normalised, per column used
    criterion_weights: dict[str, float]  # as set in the knowledge (with any overrides)
    moves: list[MoveRow]
    top1_stable_share: float
    min_kendall_tau: float
    base_currency: str


def _error(code: str, message: str, field: str) -> DomainError:
    return DomainError([ErrorItem(code, message, field=field)])


def _check(
    bag_type: str | None, capability: str | None, weights: Mapping[str, float] | None
) -> None:
    if bag_type is not None and bag_type not in BAG_TYPES:
        raise _error("unknown_bag_type", f"unknown bag type '{bag_type}'", "bag_type")
    if capability is not None and not capability.strip():
        raise _error("invalid_capability", "capability must not be empty", "capability")
    for key, w in (weights or {}).items():
        if key not in topsis.COLUMN_CRITERION.values():
            raise _error("unknown_criterion", f"no supplier criterion '{key}'", "weights")
        if not isinstance(w, int | float) or not math.isfinite(w) or not 0 <= w <= MAX_WEIGHT:
            raise _error(
                "invalid_weight", f"weight of '{key}' must be 0..{MAX_WEIGHT:g}", "weights"
            )


def has_capability(capabilities: Mapping[str, Any], wanted: str) -> bool:
    """A flag that is true (oem, logo...) or an item of any list (micro_clutch, canvas)."""
    if wanted in CAPABILITY_FLAGS:
        return capabilities.get(wanted) is True
    return any(
        wanted in items
        for items in (capabilities.get(k) for k in CAPABILITY_LISTS)
        if isinstance(items, list)
    )


def _offer_columns(
    offers: Mapping[int, Sequence[PriceOffer]], candidates: set[int]
) -> dict[int, tuple[float, int, float, float]]:
    """Per supplier: (price ratio to the median of the candidates' offers for the same
    SKUs, mean landed cost, mean MOQ, mean lead time)."""
    ratios: dict[int, list[float]] = {}
    landed: dict[int, list[int]] = {}
    moqs: dict[int, list[int]] = {}
    leads: dict[int, list[int]] = {}
    for sku_offers in offers.values():
        mine = [o for o in sku_offers if o.supplier_id in candidates]
        if not mine:
            continue
        median = statistics.median(o.landed_unit_cost_minor for o in mine)
        for o in mine:
            if median > 0:
                ratios.setdefault(o.supplier_id, []).append(o.landed_unit_cost_minor / median)
            landed.setdefault(o.supplier_id, []).append(o.landed_unit_cost_minor)
            moqs.setdefault(o.supplier_id, []).append(o.moq)
            leads.setdefault(o.supplier_id, []).append(o.lead_time_days)
    return {
        sid: (
            statistics.fmean(ratios[sid]) if ratios.get(sid) else 1.0,
            round(statistics.fmean(landed[sid])),
            statistics.fmean(moqs[sid]),
            statistics.fmean(leads[sid]),
        )
        for sid in landed
    }


def _values(
    card: Scorecard, offer: tuple[float, int, float, float] | None
) -> dict[str, float | None]:
    v = dict(card.values)
    v["capacity_units"] = float(card.capacity_units) if card.capacity_units > 0 else None
    if offer is None:
        v["lead_time_days"] = float(card.default_lead_time_days)
        v["moq"] = None
    else:
        v["price"], _, v["moq"], v["lead_time_days"] = offer[0], offer[1], offer[2], offer[3]
    return {c: v.get(c) for c in topsis.COLUMNS}


def ranking(
    session: Session,
    *,
    sku: str | None = None,
    style: str | None = None,
    bag_type: str | None = None,
    capability: str | None = None,
    weights: Mapping[str, float] | None = None,
    today: date | None = None,
) -> Ranking:
    """The candidates ranked best first, with the sensitivity of the ranking."""
    _check(bag_type, capability, weights)
    if sku and style:
        raise _error("one_target", "rank for a SKU or for a style, not both", "style")
    day = today or utcnow().date()
    target = {
        k: v
        for k, v in (
            ("sku", sku),
            ("style", style),
            ("bag_type", bag_type),
            ("capability", capability),
        )
        if v
    }
    sku_ids = service.target_sku_ids(session, sku=sku, style=style)
    candidates = service.active_supplier_ids(session)
    offers: dict[int, list[PriceOffer]] = {}
    if sku_ids is not None:
        offers = offers_for_skus(session, sku_ids, day)
        offering = {o.supplier_id for sku_offers in offers.values() for o in sku_offers}
        candidates = [c for c in candidates if c in offering]
    cards = service.scorecards(session, day, supplier_ids=candidates)
    if bag_type:
        cards = [c for c in cards if bag_type in (c.capabilities.get("bag_types") or [])]
    if capability:
        cards = [c for c in cards if has_capability(c.capabilities, capability.strip())]
    per_offer = _offer_columns(offers, {c.supplier_id for c in cards}) if offers else {}
    values = [_values(c, per_offer.get(c.supplier_id)) for c in cards]
    criteria = service.criterion_weights(session, weights)
    matrix, ranked = topsis.rank(values, criteria)
    moves = topsis.sensitivity(values, criteria)
    stable, tau = topsis.stability(moves)
    rows = []
    for r in ranked:
        card, offer = cards[r.index], per_offer.get(cards[r.index].supplier_id)
        rows.append(
            RankingRow(
                rank=r.rank,
                score=round(r.score, 4),
                supplier_id=card.supplier_id,
                code=card.code,
                name=card.name,
                country=card.country,
                standing=card.standing,
                values=values[r.index],
                landed_unit_cost_minor=offer[1] if offer else None,
                moq=round(offer[2]) if offer else None,
                lead_time_days=round(offer[3]) if offer else card.default_lead_time_days,
            )
        )
    return Ranking(
        target=target,
        rows=rows,
        columns=list(matrix.columns),
        column_weights=dict(zip(matrix.columns, matrix.weights, strict=True)),
        criterion_weights=criteria,
        moves=[
            MoveRow(m.criterion, m.change, m.top_changes, cards[m.new_top].code, m.kendall_tau)
            for m in moves
        ],
        top1_stable_share=stable,
        min_kendall_tau=tau,
        base_currency=get_settings().base_currency,
    )
