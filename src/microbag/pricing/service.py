"""Pricing use cases: which price list applies to a company, and the terms per SKU."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from microbag.buyers.models import Company
from microbag.catalog.models import Sku
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.pricing.policies import SkuTerms, Tier


def price_list_for_company(session: Session, company: Company) -> PriceList | None:
    """The company's own list, else its segment's, else the default, in its currency."""
    return session.scalars(
        select(PriceList)
        .where(
            PriceList.is_active.is_(True),
            PriceList.currency == company.currency,
            (PriceList.company_id == company.id)
            | ((PriceList.company_id.is_(None)) & (PriceList.segment == company.segment))
            | ((PriceList.company_id.is_(None)) & (PriceList.segment.is_(None))),
        )
        .order_by(
            case(
                (PriceList.company_id.is_not(None), 0),
                (PriceList.segment.is_not(None), 1),
                else_=2,
            ),
            PriceList.id,
        )
        .limit(1)
    ).first()


def terms_for(
    session: Session, price_list: PriceList, sku_ids: Iterable[int]
) -> dict[int, SkuTerms]:
    """MOQ, case pack and tiers per SKU on one list; SKUs not on the list are absent."""
    ids = list(set(sku_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            PriceListItem.id,
            PriceListItem.sku_id,
            Sku.code,
            PriceListItem.moq,
            PriceListItem.case_pack,
            PriceTier.min_quantity,
            PriceTier.unit_price_minor,
        )
        .join(Sku, Sku.id == PriceListItem.sku_id)
        .join(PriceTier, PriceTier.item_id == PriceListItem.id)
        .where(PriceListItem.price_list_id == price_list.id, PriceListItem.sku_id.in_(ids))
        .order_by(PriceListItem.sku_id, PriceTier.min_quantity)
    )
    grouped: dict[int, tuple[str, int, int, list[Tier]]] = {}
    for _item_id, sku_id, code, moq, case_pack, min_q, price in rows:
        entry = grouped.setdefault(sku_id, (code, moq, case_pack, []))
        entry[3].append(Tier(min_q, price))
    return {
        sku_id: SkuTerms(sku_id, code, price_list.currency, moq, case_pack, tuple(tiers))
        for sku_id, (code, moq, case_pack, tiers) in grouped.items()
    }
