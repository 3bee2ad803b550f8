"""What a reorder line is and how one is chosen, with no database: the line, a SKU's
demand, a position's parts, the service level check, the levels and rounding of one
offer, and the cheapest adequate offer (reorder.service reads the inputs)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from microbag.errors import DomainError, ErrorItem
from microbag.reorder import policies


@dataclass(frozen=True)
class ReorderLine:
    sku: str
    sku_id: int
    warehouse: str
    warehouse_id: int
    supplier: str | None  # None: no supplier offers the SKU today
    supplier_id: int | None
    quantity: int  # rounded to the supplier's MOQ and case pack
    raw_quantity: int  # order-up-to less position, before rounding
    moq: int
    case_pack: int
    reorder_point: int
    order_up_to: int
    safety_stock: int
    on_hand: int
    reserved: int
    incoming: int  # batches not from purchase orders
    on_order: int
    in_inspection: int
    inventory_position: int
    drafted: int  # units already on draft purchase orders (not counted in the position)
    weekly_demand: float  # this warehouse's share, next week
    sigma_per_week: float
    lead_time_days: int
    unit_cost_minor: int | None
    currency: str | None
    landed_unit_cost_minor: int | None
    basis: str
    warnings: list[str] = field(default_factory=list)

    @property
    def urgent(self) -> bool:
        """Below the reorder point: the stock will not last the lead time."""
        return self.inventory_position < self.reorder_point


@dataclass(frozen=True)
class Demand:
    weekly_mean: list[float]
    sigma_per_week: float
    basis: str
    warnings: tuple[str, ...] = ()


def check_service_level(service_level: float) -> float:
    if not (0.5 < service_level < 1.0) or math.isnan(service_level):
        raise DomainError(
            ErrorItem(
                "invalid_service_level",
                f"the service level must lie between 0.5 and 1 (exclusive), got {service_level}",
                None,
                "service_level",
            )
        )
    return service_level


@dataclass
class Stock:
    on_hand: int = 0
    reserved: int = 0
    incoming: int = 0
    on_order: int = 0
    in_inspection: int = 0
    drafted: int = 0
    draft_numbers: list[str] = field(default_factory=list)

    @property
    def position(self) -> int:
        return self.on_hand - self.reserved + self.incoming + self.on_order + self.in_inspection


@dataclass(frozen=True)
class Choice:
    offer: Any  # a suppliers.service.PriceOffer
    quantity: int  # rounded to its MOQ and case pack
    warnings: tuple[str, ...]


def choose_offer(
    offers: Sequence[Any],
    standings: Mapping[int, Any],
    capacity_left: Mapping[int, int | None],
    quantity_for: Any,
) -> Choice | None:
    """The cheapest adequate offer by landed cost: very poor suppliers never, poor ones
    only when no other offer serves, and only a supplier whose monthly capacity left
    (None: not stated) covers the rounded quantity. ``quantity_for(offer)`` is the
    rounded quantity that offer would be asked for (its lead time and packs decide).
    When no supplier has the capacity, the cheapest allowed one, flagged."""
    allowed = [
        o
        for o in sorted(offers, key=lambda o: (o.landed_unit_cost_minor, o.supplier_code))
        if getattr(standings.get(o.supplier_id), "level", "unrated") != "very_poor"
    ]
    if not allowed:
        return None
    over: Choice | None = None
    for poor_pass in (False, True):
        for offer in allowed:
            standing = standings.get(offer.supplier_id)
            if (getattr(standing, "level", "unrated") == "poor") != poor_pass:
                continue
            quantity = int(quantity_for(offer))
            warnings: tuple[str, ...] = ()
            if poor_pass:
                reason = getattr(standing, "reason", "")
                warnings = (f"{offer.supplier_code} stands poor: {reason}",)
            left = capacity_left.get(offer.supplier_id)
            if left is None or quantity <= left:
                return Choice(offer, quantity, warnings)
            if over is None:
                over = Choice(
                    offer,
                    quantity,
                    (
                        *warnings,
                        f"{quantity} units exceed {offer.supplier_code}'s monthly capacity "
                        f"left ({left}); no other supplier has it",
                    ),
                )
    return over


def levels_for_lead(
    lead_days: int, *, weekly_mean: list[float], sigma: float, review_weeks: float, level: float
) -> policies.ReorderLevels:
    return policies.reorder_levels(
        weekly_mean=weekly_mean,
        sigma_per_week=sigma,
        lead_weeks=lead_days / 7,
        review_weeks=review_weeks,
        service_level=level,
    )


def rounded_for(offer: Any, *, position: int, levels_for: Any) -> int:
    """The quantity ``offer`` would be asked for: its lead time sizes the levels, its MOQ
    and case pack round the order."""
    raw = policies.order_quantity(
        inventory_position=position, levels=levels_for(int(offer.lead_time_days))
    )
    return policies.round_to_pack(raw, moq=int(offer.moq), case_pack=int(offer.case_pack))
