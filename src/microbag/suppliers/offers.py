"""Offers (each active supplier's current price per SKU, with its landed cost in the
base currency, cheapest first) and the landed unit costs they hand to the range plan.
Re-exported by ``service`` (the names other packages call). Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku
from microbag.config import get_settings
from microbag.errors import NotFound
from microbag.rangeplan import service as rangeplan
from microbag.suppliers import policies
from microbag.suppliers.models import Supplier, SupplierPrice
from microbag.timeutil import utcnow

# Who the range plan's unit costs name as their author when written from supplier prices.
COST_AUTHOR = "supplier prices"


def pairs(session: Session, query: Any) -> dict[Any, Any]:
    """A two-column query as a dict (first column -> second)."""
    return {row[0]: row[1] for row in session.execute(query)}


def landed_unit_cost(price_cost: int, currency: str, country: str) -> int | None:
    s = get_settings()
    try:
        return policies.landed_cost_minor(
            price_cost,
            currency,
            country,
            base_currency=s.base_currency,
            fx_rates=s.fx_rates,
            fx_buffer_percent=s.landed_fx_buffer_percent,
            freight_percent=s.landed_freight_percent,
            duty_percent=s.landed_duty_percent,
            duty_by_country=s.landed_duty_by_country,
        )
    except ValueError:
        return None


def valid_on(today: date) -> Any:
    return (SupplierPrice.valid_from <= today) & (
        SupplierPrice.valid_until.is_(None) | (SupplierPrice.valid_until >= today)
    )


# ---- offers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceOffer:
    price_id: int
    supplier_id: int
    supplier_code: str
    supplier_name: str
    supplier_country: str
    sku_id: int
    unit_cost_minor: int
    currency: str
    moq: int
    case_pack: int
    lead_time_days: int  # the price's, else the supplier's default
    landed_unit_cost_minor: int  # in settings.base_currency
    valid_from: date
    valid_until: date | None


def _price_rank(price: SupplierPrice) -> tuple[int, date, int]:
    # A SKU's own price beats its style's; then the most recent start, then the newest row.
    return (1 if price.sku_id is not None else 0, price.valid_from, price.id)


def offers_for_skus(
    session: Session,
    sku_ids: Iterable[int],
    today: date,
    *,
    supplier_ids: Iterable[int] | None = None,
) -> dict[int, list[PriceOffer]]:
    """Per SKU, one offer per active supplier with a price valid on ``today`` (a SKU price
    beats the same supplier's style price), cheapest landed cost first. Prices in a
    currency without an exchange rate are left out (they cannot be compared)."""
    ids = sorted(set(sku_ids))
    out: dict[int, list[PriceOffer]] = {i: [] for i in ids}
    wanted_suppliers = None if supplier_ids is None else set(supplier_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        style_of: dict[int, int] = pairs(
            session, select(Sku.id, Sku.style_id).where(Sku.id.in_(chunk))
        )
        skus_of_style: dict[int, list[int]] = {}
        for sku_id, style_id in style_of.items():
            skus_of_style.setdefault(style_id, []).append(sku_id)
        query = (
            select(SupplierPrice, Supplier)
            .join(Supplier, Supplier.id == SupplierPrice.supplier_id)
            .where(
                Supplier.active.is_(True),
                valid_on(today),
                or_(
                    SupplierPrice.sku_id.in_(style_of),
                    SupplierPrice.style_id.in_(set(style_of.values())),
                ),
            )
        )
        if wanted_suppliers is not None:
            query = query.where(Supplier.id.in_(wanted_suppliers))
        best: dict[tuple[int, int], tuple[SupplierPrice, Supplier]] = {}
        for price, supplier in session.execute(query):
            targets = [price.sku_id] if price.sku_id else skus_of_style.get(price.style_id or 0, [])
            for sku_id in targets:
                key = (sku_id, supplier.id)
                if key not in best or _price_rank(price) > _price_rank(best[key][0]):
                    best[key] = (price, supplier)
        for (sku_id, _), (price, supplier) in best.items():
            landed = landed_unit_cost(price.unit_cost_minor, price.currency, supplier.country)
            if landed is None:
                continue
            out[sku_id].append(
                PriceOffer(
                    price_id=price.id,
                    supplier_id=supplier.id,
                    supplier_code=supplier.code,
                    supplier_name=supplier.name,
                    supplier_country=supplier.country,
                    sku_id=sku_id,
                    unit_cost_minor=price.unit_cost_minor,
                    currency=price.currency,
                    moq=price.moq,
                    case_pack=price.case_pack,
                    lead_time_days=price.lead_time_days
                    if price.lead_time_days is not None
                    else supplier.default_lead_time_days,
                    landed_unit_cost_minor=landed,
                    valid_from=price.valid_from,
                    valid_until=price.valid_until,
                )
            )
    for offers in out.values():
        offers.sort(key=lambda o: (o.landed_unit_cost_minor, o.lead_time_days, o.supplier_code))
    return out


def offer_for(session: Session, supplier_id: int, sku_id: int, today: date) -> PriceOffer | None:
    """The supplier's offer for the SKU on ``today`` (None: no valid price, or the
    supplier is inactive)."""
    offers = offers_for_skus(session, [sku_id], today, supplier_ids=[supplier_id])
    return offers[sku_id][0] if offers.get(sku_id) else None


def offers_for_sku_code(session: Session, sku: str, today: date) -> list[PriceOffer]:
    sku_id = session.scalar(select(Sku.id).where(Sku.code == sku))
    if sku_id is None:
        raise NotFound(f"SKU {sku}", "unknown_sku")
    return offers_for_skus(session, [int(sku_id)], today)[int(sku_id)]


# ---- landed costs for the range plan -----------------------------------------------------


def covered_sku_ids(session: Session, prices: Iterable[SupplierPrice]) -> set[int]:
    """The SKUs the prices apply to (a style price: all the style's SKUs)."""
    rows = list(prices)
    out = {p.sku_id for p in rows if p.sku_id is not None}
    styles = {p.style_id for p in rows if p.style_id is not None}
    if styles:
        out.update(session.scalars(select(Sku.id).where(Sku.style_id.in_(styles))))
    return out


def priced_sku_ids(session: Session, supplier_ids: Iterable[int] | None = None) -> set[int]:
    query = select(SupplierPrice)
    if supplier_ids is not None:
        query = query.where(SupplierPrice.supplier_id.in_(set(supplier_ids)))
    return covered_sku_ids(session, session.scalars(query))


def refresh_landed_costs(
    session: Session, sku_ids: Iterable[int] | None, today: date | None = None
) -> int:
    """Write each SKU's cheapest current offer (landed, in base_currency, with its MOQ and
    case pack) as its range plan unit cost effective ``today``, when it differs from the
    cost in force. ``sku_ids`` None: every SKU with a supplier price. Returns the number
    of costs written. A SKU with no current offer keeps the cost it has."""
    day = today or utcnow().date()
    ids = priced_sku_ids(session) if sku_ids is None else set(sku_ids)
    if not ids:
        return 0
    base = get_settings().base_currency
    offers = offers_for_skus(session, ids, day)
    current = rangeplan.current_costs(session, ids, day)
    codes: dict[int, str] = pairs(session, select(Sku.id, Sku.code).where(Sku.id.in_(ids)))
    written = 0
    for sku_id, sku_offers in sorted(offers.items()):
        if not sku_offers or sku_id not in codes:
            continue
        best = sku_offers[0]
        now = current.get(sku_id)
        if now is not None and (
            now.unit_cost_minor,
            now.currency,
            now.supplier_moq,
            now.supplier_case_pack,
        ) == (best.landed_unit_cost_minor, base, best.moq, best.case_pack):
            continue
        rangeplan.set_cost(
            session,
            codes[sku_id],
            best.landed_unit_cost_minor,
            base,
            day,
            supplier_moq=best.moq,
            supplier_case_pack=best.case_pack,
            by=f"{COST_AUTHOR}: {best.supplier_code}",
        )
        written += 1
    return written
