"""Pure pricing rules: volume tiers, MOQ, case packs, minimum order value.

A SKU's terms on a price list are its MOQ, its case pack (the quantity
increment) and its tiers (quantity breaks). Invariants, checked on write:
- the first tier starts at the MOQ, and tier breaks are strictly increasing;
- the MOQ and every tier break are multiples of the case pack;
- the unit price never rises as quantity rises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from microbag.errors import ErrorItem


@dataclass(frozen=True, order=True)
class Tier:
    min_quantity: int
    unit_price_minor: int


@dataclass(frozen=True)
class SkuTerms:
    sku_id: int
    sku_code: str
    currency: str
    moq: int
    case_pack: int
    tiers: tuple[Tier, ...]

    def unit_price(self, quantity: int) -> int:
        return unit_price(self.tiers, quantity)

    def current_tier(self, quantity: int) -> Tier:
        return current_tier(self.tiers, quantity)


def current_tier(tiers: Sequence[Tier], quantity: int) -> Tier:
    """The tier whose break the quantity has reached (the first tier below all breaks)."""
    if not tiers:
        raise ValueError("a price needs at least one tier")
    # Sorted here so callers may pass tiers in any order (a break reached later wins).
    ordered = sorted(tiers)
    chosen = ordered[0]
    for tier in ordered:
        if quantity >= tier.min_quantity:
            chosen = tier
        else:
            break
    return chosen


def unit_price(tiers: Sequence[Tier], quantity: int) -> int:
    return current_tier(tiers, quantity).unit_price_minor


def line_total(tiers: Sequence[Tier], quantity: int) -> int:
    return unit_price(tiers, quantity) * quantity


def validate_terms(moq: int, case_pack: int, tiers: Sequence[Tier]) -> list[ErrorItem]:
    """Every broken invariant of one SKU's terms, as error items."""
    errors: list[ErrorItem] = []
    # Without a valid case pack the multiple checks are skipped; the others still run.
    pack_ok = case_pack >= 1
    if not pack_ok:
        errors.append(ErrorItem("invalid_case_pack", "case pack must be at least 1"))
    if moq < 1:
        errors.append(ErrorItem("invalid_moq", "MOQ must be at least 1"))
    elif pack_ok and moq % case_pack:
        errors.append(
            ErrorItem(
                "moq_not_case_pack_multiple",
                f"MOQ {moq} is not a multiple of the case pack {case_pack}",
            )
        )
    if not tiers:
        errors.append(ErrorItem("no_tiers", "at least one price tier is needed"))
        return errors
    ordered = sorted(tiers)
    if ordered[0].min_quantity > max(moq, 1):
        errors.append(
            ErrorItem(
                "first_tier_above_moq",
                f"the first tier starts at {ordered[0].min_quantity}, above the MOQ {moq}",
            )
        )
    previous: Tier | None = None
    for tier in ordered:
        if tier.unit_price_minor < 0:
            errors.append(
                ErrorItem("negative_price", f"tier {tier.min_quantity}: price is negative")
            )
        if tier.min_quantity < 1:
            errors.append(ErrorItem("invalid_tier_break", "tier breaks start at 1 or more"))
        elif pack_ok and tier.min_quantity % case_pack:
            errors.append(
                ErrorItem(
                    "tier_not_case_pack_multiple",
                    f"tier break {tier.min_quantity} is not a multiple of "
                    f"the case pack {case_pack}",
                )
            )
        if previous is not None:
            if tier.min_quantity == previous.min_quantity:
                errors.append(
                    ErrorItem("duplicate_tier_break", f"two tiers start at {tier.min_quantity}")
                )
            elif tier.unit_price_minor > previous.unit_price_minor:
                errors.append(
                    ErrorItem(
                        "price_rises_with_quantity",
                        f"unit price rises from {previous.unit_price_minor} at "
                        f"{previous.min_quantity} to {tier.unit_price_minor} "
                        f"at {tier.min_quantity}",
                    )
                )
        previous = tier
    return errors


def quantity_errors(terms: SkuTerms, quantity: int, line: int | None = None) -> list[ErrorItem]:
    """MOQ and case-pack checks for one order line."""
    errors: list[ErrorItem] = []
    if quantity < terms.moq:
        errors.append(
            ErrorItem(
                "below_moq",
                f"{terms.sku_code}: {quantity} is below the minimum order quantity of {terms.moq}",
                line,
            )
        )
    if quantity % terms.case_pack:
        # Suggest only quantities that are valid: a multiple of the case pack, at least the MOQ.
        lower = quantity - quantity % terms.case_pack
        upper = round_to_case_pack(quantity, terms.case_pack, terms.moq)
        hint = f"{lower} or {upper}" if lower >= max(terms.moq, 1) else f"{upper}"
        errors.append(
            ErrorItem(
                "not_case_pack_multiple",
                f"{terms.sku_code}: {quantity} is not a multiple of the case pack of "
                f"{terms.case_pack} (try {hint})",
                line,
            )
        )
    return errors


def round_to_case_pack(quantity: int, case_pack: int, moq: int) -> int:
    """The nearest valid quantity at or above ``quantity`` (used by steppers)."""
    q = max(quantity, moq)
    return -(-q // case_pack) * case_pack
