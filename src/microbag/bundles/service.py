"""Bundle use cases: mine baskets and keep the rules, read "often ordered together" for
a SKU or a basket, and bundle offers (staff create them; the order check applies them).

Baskets are imported invoices (``history.baskets``) and microbag's orders
(``orders.baskets``), up to the end of the last week with any sale (the last imported
week). Mining computes in a read transaction (``compute_mining``) and stores the rules
in a write (``store_mining``): the job and the CLI hold the write lock only while
writing. Pages read the latest stored run; they never mine. Services never commit.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import chain
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from microbag.bundles import mining
from microbag.bundles.mining import MinedRule, TogetherModel
from microbag.bundles.models import (
    BundleMiningRun,
    BundleOffer,
    BundleOfferItem,
    BundleRule,
    OrderBundleDiscount,
)
from microbag.bundles.policies import (
    AppliedBundle,
    OfferItem,
    OfferTerms,
    Partner,
    Together,
    check_offer,
    rank_together,
)
from microbag.catalog.service import active_skus, moq_prices, sku_labels
from microbag.errors import DomainError, ErrorItem, NotFound
from microbag.history.baskets import imported_basket_lines
from microbag.history.service import history_span
from microbag.money import is_currency
from microbag.orders.baskets import order_basket_lines
from microbag.pricing.service import get_price_list

# Mining runs kept (older ones are deleted with their rules when a new one is stored).
KEEP_RUNS = 3
# Best sellers kept with a run: the back-off when a basket's partners are too few.
POPULAR_KEPT = 200

Progress = Callable[[str, int, int], None]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


# ---- baskets and mining --------------------------------------------------------------------------


def read_baskets(session: Session) -> tuple[list[list[str]], date | None]:
    """Every basket's SKU codes up to the end of the last week with a sale, and that
    week's Monday (None: no history)."""
    _first, last = history_span(session)
    if last is None:
        return [], None
    before = datetime.combine(last + timedelta(days=7), time(), tzinfo=UTC)
    grouped: dict[str, list[str]] = {}
    for key, sku in chain(
        imported_basket_lines(session, before), order_basket_lines(session, before)
    ):
        grouped.setdefault(key, []).append(sku)
    return list(grouped.values()), last


def fit_model(session: Session) -> tuple[TogetherModel, date | None]:
    """The ranking over every basket of the history (``microbag plan together``)."""
    baskets, last = read_baskets(session)
    return TogetherModel(baskets), last


@dataclass
class ComputedMining:
    last_week: date | None
    baskets: int
    skus: int
    rules: list[MinedRule]
    popular: list[str]
    seconds: float
    params: dict[str, Any] = field(default_factory=dict)


def compute_mining(session: Session, progress: Progress = _no_progress) -> ComputedMining:
    started = clock.perf_counter()
    progress("reading baskets", 0, 3)
    baskets, last = read_baskets(session)
    progress("counting pairs", 1, 3)
    model = TogetherModel(baskets)
    rules = model.pair_rules(progress=progress)
    progress("mining sets of three", 2, 3)
    rules.extend(mining.set_rules(baskets))
    progress("mined", 3, 3)
    return ComputedMining(
        last_week=last,
        baskets=model.n_baskets,
        skus=len(model.codes),
        rules=rules,
        popular=model.popular[:POPULAR_KEPT],
        seconds=round(clock.perf_counter() - started, 2),
        params={
            "partners_per_sku": mining.PARTNERS_PER_SKU,
            "min_pair_baskets": mining.MIN_PAIR_BASKETS,
            "set_basket_max": mining.SET_BASKET_MAX,
            "set_min_baskets": mining.SET_MIN_BASKETS,
            "set_min_confidence": mining.SET_MIN_CONFIDENCE,
        },
    )


_rules_table = cast(Table, BundleRule.__table__)


def store_mining(session: Session, computed: ComputedMining, actor: str = "") -> BundleMiningRun:
    """A new run with its rules; runs beyond the latest ``KEEP_RUNS`` are deleted."""
    run = BundleMiningRun(
        last_week=computed.last_week,
        baskets=computed.baskets,
        skus=computed.skus,
        rules=len(computed.rules),
        seconds=computed.seconds,
        params={**computed.params, "popular": computed.popular},
        created_by=actor,
    )
    session.add(run)
    session.flush()
    rows = [
        {
            "run_id": run.id,
            "antecedent": r.antecedent_key,
            "antecedent_size": len(r.antecedent),
            "consequent": r.consequent,
            "baskets": r.baskets,
            "support": r.support,
            "confidence": r.confidence,
            "lift": r.lift,
            "score": r.score,
            "rank": r.rank,
        }
        for r in computed.rules
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(_rules_table), rows[start : start + 5000])
    old = session.scalars(
        select(BundleMiningRun.id).order_by(BundleMiningRun.id.desc()).offset(KEEP_RUNS)
    ).all()
    if old:
        session.execute(delete(BundleRule).where(BundleRule.run_id.in_(old)))
        session.execute(delete(BundleMiningRun).where(BundleMiningRun.id.in_(old)))
    session.flush()
    return run


def latest_run(session: Session) -> BundleMiningRun | None:
    return session.scalars(
        select(BundleMiningRun).order_by(BundleMiningRun.id.desc()).limit(1)
    ).first()


# ---- reading "often ordered together" ------------------------------------------------------------


def orderable_codes(session: Session, company_id: int | None, codes: Iterable[str]) -> set[str]:
    """The codes among ``codes`` a buyer may order: on sale (SKU and style active) and,
    for a company, on its price list. Staff (``company_id`` None): on sale."""
    wanted = set(codes)
    labels = sku_labels(session, wanted)
    active = {a.code for a in active_skus(session, [x.id for x in labels.values()]).values()}
    if company_id is None:
        return active
    listed = set(moq_prices(session, company_id, sorted(active)))
    return active & listed


def _partners(
    session: Session, run_id: int, antecedents: Collection[str]
) -> dict[str, list[Partner]]:
    rows = session.execute(
        select(
            BundleRule.antecedent,
            BundleRule.consequent,
            BundleRule.score,
            BundleRule.baskets,
            BundleRule.confidence,
            BundleRule.lift,
        )
        .where(
            BundleRule.run_id == run_id,
            BundleRule.antecedent_size == 1,
            BundleRule.antecedent.in_(sorted(antecedents)),
        )
        .order_by(BundleRule.antecedent, BundleRule.rank)
    )
    out: dict[str, list[Partner]] = {}
    for antecedent, consequent, score, baskets, confidence, lift in rows:
        out.setdefault(antecedent, []).append(
            Partner(consequent, float(score), int(baskets), float(confidence), float(lift))
        )
    return out


@dataclass(frozen=True)
class TogetherView:
    """A suggestion as pages show it."""

    sku: str
    rank: int
    name: str
    color: str
    material: str
    because_of: tuple[str, ...]
    # For a single SKU: how many baskets held both, and the share of this SKU's baskets.
    baskets: int | None = None
    confidence: float | None = None
    lift: float | None = None


def together_for(
    session: Session,
    basket: Collection[str],
    top_k: int,
    *,
    company_id: int | None = None,
    back_off: bool = False,
) -> list[TogetherView]:
    """What is often ordered with ``basket``'s SKUs, from the latest mining run, only
    SKUs the buyer may order (``orderable_codes``); ``back_off`` fills empty places
    with best sellers. Empty while nothing was mined."""
    run = latest_run(session)
    if run is None or not basket or top_k <= 0:
        return []
    partners = _partners(session, run.id, set(basket))
    popular = [str(c) for c in (run.params or {}).get("popular", [])] if back_off else []
    candidates = {p.sku for ps in partners.values() for p in ps} | set(popular)
    allowed = orderable_codes(session, company_id, candidates)
    ranked = rank_together(basket, partners, top_k, popular=popular, allowed=allowed)
    return _views(session, ranked, partners if len(set(basket)) == 1 else None)


def _views(
    session: Session, ranked: Sequence[Together], single: dict[str, list[Partner]] | None
) -> list[TogetherView]:
    labels = sku_labels(session, [t.sku for t in ranked])
    stats: dict[str, Partner] = {}
    if single:
        stats = {p.sku: p for ps in single.values() for p in ps}
    views = []
    for t in ranked:
        label = labels.get(t.sku)
        p = stats.get(t.sku)
        views.append(
            TogetherView(
                sku=t.sku,
                rank=t.rank,
                name=label.name if label else t.sku,
                color=label.color if label else "",
                material=label.material if label else "",
                because_of=t.because_of,
                baskets=p.baskets if p else None,
                confidence=p.confidence if p else None,
                lift=p.lift if p else None,
            )
        )
    return views


@dataclass(frozen=True)
class SuggestedPair:
    """A strong pair from the latest run, for staff to make an offer of."""

    skus: tuple[str, str]
    names: tuple[str, str]
    baskets: int
    confidence: float
    lift: float
    score: float


def suggested_pairs(session: Session, limit: int = 20, min_baskets: int = 5) -> list[SuggestedPair]:
    """The strongest pairs of on-sale SKUs (by score; each pair once), not yet offered."""
    run = latest_run(session)
    if run is None:
        return []
    rows = session.execute(
        select(
            BundleRule.antecedent,
            BundleRule.consequent,
            BundleRule.baskets,
            BundleRule.confidence,
            BundleRule.lift,
            BundleRule.score,
        )
        .where(
            BundleRule.run_id == run.id,
            BundleRule.antecedent_size == 1,
            BundleRule.rank <= 3,
            BundleRule.baskets >= min_baskets,
        )
        .order_by(BundleRule.score.desc(), BundleRule.antecedent, BundleRule.consequent)
        .limit(limit * 20)
    ).all()
    offered = {frozenset(i.sku_code for i in o.items) for o in list_offers(session)}
    on_sale = orderable_codes(session, None, {r[0] for r in rows} | {r[1] for r in rows})
    seen: set[frozenset[str]] = set()
    picked: list[tuple[Any, ...]] = []
    for a, c, baskets, confidence, lift, score in rows:
        pair = frozenset((a, c))
        if pair in seen or pair in offered or a not in on_sale or c not in on_sale:
            continue
        seen.add(pair)
        picked.append((a, c, baskets, confidence, lift, score))
        if len(picked) >= limit:
            break
    labels = sku_labels(session, [p[0] for p in picked] + [p[1] for p in picked])
    return [
        SuggestedPair(
            (a, c),
            (labels[a].name if a in labels else a, labels[c].name if c in labels else c),
            int(baskets),
            float(confidence),
            float(lift),
            float(score),
        )
        for a, c, baskets, confidence, lift, score in picked
    ]


# ---- bundle offers -------------------------------------------------------------------------------


def create_offer(
    session: Session,
    *,
    name: str,
    items: Sequence[OfferItem],
    bundle_price_minor: int,
    currency: str | None = None,
    price_list_id: int | None = None,
    actor: str = "",
) -> BundleOffer:
    """A new active offer: on one price list (its currency), or on every list in
    ``currency`` (``price_list_id`` None)."""
    check_offer(name, items, bundle_price_minor)
    if price_list_id is not None:
        price_list = get_price_list(session, price_list_id)
        if currency is not None and currency != price_list.currency:
            raise DomainError.single(
                "currency_mismatch",
                f"the price list is in {price_list.currency}, not {currency}",
            )
        currency = price_list.currency
    if currency is None or not is_currency(currency):
        raise DomainError.single("invalid_currency", "give an ISO 4217 currency code")
    labels = sku_labels(session, [i.sku for i in items])
    unknown = [i.sku for i in items if i.sku not in labels]
    if unknown:
        raise DomainError(
            [ErrorItem("unknown_sku", f"{code}: no such SKU") for code in unknown], 422
        )
    offer = BundleOffer(
        name=name.strip(),
        price_list_id=price_list_id,
        currency=currency,
        bundle_price_minor=bundle_price_minor,
        created_by=actor,
        items=[
            BundleOfferItem(sku_id=labels[i.sku].id, sku_code=i.sku, quantity=i.quantity)
            for i in items
        ],
    )
    session.add(offer)
    session.flush()
    return offer


def list_offers(session: Session, *, active_only: bool = False) -> list[BundleOffer]:
    query = select(BundleOffer).order_by(BundleOffer.id.desc())
    if active_only:
        query = query.where(BundleOffer.active.is_(True))
    return list(session.scalars(query))


def get_offer(session: Session, offer_id: int) -> BundleOffer:
    offer = session.get(BundleOffer, offer_id)
    if offer is None:
        raise NotFound("bundle offer")
    return offer


def set_offer_active(session: Session, offer_id: int, active: bool) -> BundleOffer:
    """Switch an offer on or off (offers are kept: orders name the ones they used)."""
    offer = get_offer(session, offer_id)
    offer.active = active
    session.flush()
    return offer


_offers = cast(Table, BundleOffer.__table__)
_items = cast(Table, BundleOfferItem.__table__)
# The placement's one extra read: every active offer in the order's currency, on its
# price list or on all, that holds one of the order's SKUs, with all of its items.
_terms_stmt = (
    select(
        _offers.c.id,
        _offers.c.name,
        _offers.c.currency,
        _offers.c.bundle_price_minor,
        _items.c.sku_code,
        _items.c.quantity,
    )
    .join(_items, _items.c.offer_id == _offers.c.id)
    .where(
        _offers.c.active.is_(True),
        _offers.c.currency == bindparam("currency"),
        (_offers.c.price_list_id.is_(None)) | (_offers.c.price_list_id == bindparam("list_id")),
        _offers.c.id.in_(
            select(_items.c.offer_id).where(
                _items.c.sku_code.in_(bindparam("codes", expanding=True))
            )
        ),
    )
    .order_by(_offers.c.id, _items.c.id)
)


def offer_terms_for(
    session: Session, price_list_id: int | None, currency: str, sku_codes: Collection[str]
) -> list[OfferTerms]:
    """The active offers that may apply to an order of these SKUs (one statement, on the
    session's connection like the rest of the placement)."""
    if len(sku_codes) < 2:
        return []
    rows = session.connection().execute(
        _terms_stmt,
        {"currency": currency, "list_id": price_list_id or -1, "codes": sorted(sku_codes)},
    )
    grouped: dict[int, tuple[str, str, int, list[OfferItem]]] = {}
    for offer_id, name, cur, price, code, quantity in rows:
        grouped.setdefault(offer_id, (name, cur, int(price), []))[3].append(
            OfferItem(code, int(quantity))
        )
    return [
        OfferTerms(offer_id, name, cur, price, tuple(items))
        for offer_id, (name, cur, price, items) in grouped.items()
    ]


_discounts = cast(Table, OrderBundleDiscount.__table__)


def record_discounts(session: Session, order_id: int, applied: Sequence[AppliedBundle]) -> None:
    """Store the bundle discounts an order was placed with (its discount lines)."""
    if not applied:
        return
    session.connection().execute(
        insert(_discounts),
        [
            {
                "order_id": order_id,
                "offer_id": a.offer_id,
                "offer_name": a.name,
                "times": a.times,
                "currency": a.currency,
                "discount_minor": a.discount_minor,
            }
            for a in applied
        ],
    )


def order_discounts(session: Session, order_id: int) -> list[AppliedBundle]:
    rows = session.execute(
        select(OrderBundleDiscount)
        .where(OrderBundleDiscount.order_id == order_id)
        .order_by(OrderBundleDiscount.id)
    ).scalars()
    return [
        AppliedBundle(r.offer_id or 0, r.offer_name, r.times, r.currency, r.discount_minor)
        for r in rows
    ]
