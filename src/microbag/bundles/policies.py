"""Pure bundle rules: ranking "often ordered together" for a basket, checking a bundle
offer, and the bundle discount an order's lines earn from the offers.

The bundle discount is a discount line on the order, not a change of unit prices: each
line keeps its list (tier) price, and the order's total is the lines' sum minus the
discounts. A set's discount is the list value of its units minus the bundle price, so
it is exact in minor units (a bundle price spread over unit prices would have to be
rounded), and the order shows what the buyer saved.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from microbag.errors import DomainError, ErrorItem
from microbag.money import MAX_MINOR

MAX_OFFER_ITEMS = 6
MAX_OFFER_QUANTITY = 10_000
MAX_OFFER_NAME = 120
# Rules' antecedents of two SKUs are stored as "A+B" (sorted codes).
SET_SEPARATOR = "+"


# ---- ranking "often ordered together" ----------------------------------------------------------


@dataclass(frozen=True)
class Partner:
    """One SKU that is often ordered with another, as mined (``bundle_rules`` rows)."""

    sku: str
    score: float
    baskets: int
    confidence: float
    lift: float


@dataclass(frozen=True)
class Together:
    sku: str
    rank: int
    score: float
    # The basket's SKUs this one is often ordered with (strongest first); empty when
    # it is a popular SKU filling the list (back-off).
    because_of: tuple[str, ...]


def rank_together(
    basket: Collection[str],
    partners: Mapping[str, Sequence[Partner]],
    top_k: int,
    *,
    popular: Sequence[str] = (),
    allowed: Collection[str] | None = None,
) -> list[Together]:
    """Up to ``top_k`` SKUs for a basket, none of its own: each candidate's score is the
    sum of its partner scores over the basket's SKUs (a SKU bought with several of them
    ranks higher), ties and empty places filled by ``popular`` order (back-off).

    ``allowed`` restricts candidates (the SKUs this buyer may order).
    """
    if top_k <= 0:
        return []
    inside = set(basket)
    scores: dict[str, float] = {}
    reasons: dict[str, list[tuple[float, str]]] = {}
    for item in sorted(inside):
        for partner in partners.get(item, ()):
            sku = partner.sku
            if sku in inside or (allowed is not None and sku not in allowed):
                continue
            scores[sku] = scores.get(sku, 0.0) + partner.score
            reasons.setdefault(sku, []).append((partner.score, item))
    popularity = {sku: i for i, sku in enumerate(popular)}
    fallback = len(popularity)
    ranked = sorted(scores, key=lambda s: (-scores[s], popularity.get(s, fallback), s))
    out = [
        Together(
            sku,
            rank,
            scores[sku],
            tuple(item for _s, item in sorted(reasons[sku], key=lambda r: (-r[0], r[1]))),
        )
        for rank, sku in enumerate(ranked[:top_k], start=1)
    ]
    chosen = {t.sku for t in out}
    for sku in popular:
        if len(out) >= top_k:
            break
        if sku in inside or sku in chosen or (allowed is not None and sku not in allowed):
            continue
        out.append(Together(sku, len(out) + 1, 0.0, ()))
        chosen.add(sku)
    return out


def set_key(skus: Iterable[str]) -> str:
    return SET_SEPARATOR.join(sorted(skus))


# ---- bundle offers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferItem:
    sku: str
    quantity: int


@dataclass(frozen=True)
class OfferTerms:
    """A bundle offer as the order check sees it: one set = every item's quantity."""

    offer_id: int
    name: str
    currency: str
    bundle_price_minor: int
    items: tuple[OfferItem, ...]


def offer_errors(name: str, items: Sequence[OfferItem], bundle_price_minor: int) -> list[ErrorItem]:
    """What is wrong with a new offer (all at once)."""
    errors: list[ErrorItem] = []
    if not name.strip() or len(name.strip()) > MAX_OFFER_NAME:
        errors.append(
            ErrorItem("invalid_name", f"give the offer a name of 1 to {MAX_OFFER_NAME} characters")
        )
    skus = [i.sku for i in items]
    if len(set(skus)) < 2:
        errors.append(ErrorItem("too_few_skus", "a bundle holds at least two different SKUs"))
    if len(set(skus)) != len(skus):
        errors.append(ErrorItem("duplicate_sku", "each SKU appears once in a bundle"))
    if len(items) > MAX_OFFER_ITEMS:
        errors.append(ErrorItem("too_many_skus", f"a bundle holds at most {MAX_OFFER_ITEMS} SKUs"))
    if any(not 1 <= i.quantity <= MAX_OFFER_QUANTITY for i in items):
        errors.append(
            ErrorItem(
                "invalid_quantity", f"each SKU's quantity in a set is 1 to {MAX_OFFER_QUANTITY}"
            )
        )
    if not 0 <= bundle_price_minor <= MAX_MINOR:
        errors.append(ErrorItem("invalid_price", "the bundle price is zero or more"))
    return errors


def check_offer(name: str, items: Sequence[OfferItem], bundle_price_minor: int) -> None:
    errors = offer_errors(name, items, bundle_price_minor)
    if errors:
        raise DomainError(errors, 422)


# ---- the discount an order earns -----------------------------------------------------------------


@dataclass(frozen=True)
class PricedLine:
    sku: str
    quantity: int
    unit_price_minor: int


@dataclass(frozen=True)
class AppliedBundle:
    offer_id: int
    name: str
    times: int
    currency: str
    discount_minor: int


def set_value(offer: OfferTerms, prices: Mapping[str, int]) -> int | None:
    """One set's value at the order's unit prices; None if a SKU of it is not ordered."""
    total = 0
    for item in offer.items:
        price = prices.get(item.sku)
        if price is None:
            return None
        total += price * item.quantity
    return total


def bundle_discounts(
    lines: Sequence[PricedLine], offers: Iterable[OfferTerms], currency: str
) -> list[AppliedBundle]:
    """The bundle discounts an order's lines earn.

    An offer applies as many whole sets as the lines hold (every SKU in the offer's
    quantity per set); each set costs the bundle price instead of its units' line
    prices. Each ordered unit counts towards one set at most: offers are applied
    largest saving per set first (then by id), each taking the units it uses. An offer
    priced at or above the set's value gives nothing (a bundle never raises a price),
    and the discount never exceeds the value of the units it covers, so an order's
    total never falls below zero. Offers in another currency never apply.
    """
    prices = {line.sku: line.unit_price_minor for line in lines}
    remaining = {line.sku: line.quantity for line in lines}
    candidates: list[tuple[int, OfferTerms]] = []
    for offer in offers:
        if offer.currency != currency or not offer.items:
            continue
        value = set_value(offer, prices)
        if value is None:
            continue
        saving = value - offer.bundle_price_minor
        if saving > 0:
            candidates.append((saving, offer))
    applied: list[AppliedBundle] = []
    for saving, offer in sorted(candidates, key=lambda c: (-c[0], c[1].offer_id)):
        times = min(remaining[item.sku] // item.quantity for item in offer.items)
        if times <= 0:
            continue
        for item in offer.items:
            remaining[item.sku] -= times * item.quantity
        applied.append(AppliedBundle(offer.offer_id, offer.name, times, currency, saving * times))
    return applied


def total_discount(applied: Iterable[AppliedBundle]) -> int:
    return sum(a.discount_minor for a in applied)
