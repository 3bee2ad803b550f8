"""Margins where staff see prices: a SKU's landed cost beside its retail price and its
price lists' tiers (the staff SKU page), and a price list's items (the price list page).
The margin is shown only when the cost's currency is the price's; else "no cost"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.rangeplan.service import (
    CostView,
    Margin,
    cost_history,
    current_cost,
    current_costs,
    margin,
    sku_ids_by_code,
)


@dataclass(frozen=True)
class PriceMargin:
    price_list: str
    currency: str
    min_quantity: int
    price_minor: int
    margin: Margin


@dataclass(frozen=True)
class CostPanel:
    current: CostView | None
    history: list[CostView]
    retail: Margin | None
    prices: list[PriceMargin]


def cost_panel(
    session: Session, sku_code: str, retail_minor: int | None, retail_currency: str | None
) -> CostPanel:
    """The SKU page's cost block: current cost, its history, margins at the retail price
    and at every tier of the active price lists that carry the SKU."""
    cost = current_cost(session, sku_code)
    rows = session.execute(
        select(
            PriceList.name, PriceList.currency, PriceTier.min_quantity, PriceTier.unit_price_minor
        )
        .join(PriceListItem, PriceListItem.price_list_id == PriceList.id)
        .join(PriceTier, PriceTier.item_id == PriceListItem.id)
        .where(
            PriceList.is_active.is_(True),
            PriceListItem.sku_id.in_(sku_ids_by_code(session, [sku_code]).values()),
        )
        .order_by(PriceList.name, PriceTier.min_quantity)
    ).all()
    return CostPanel(
        current=cost,
        history=cost_history(session, sku_code)[:10],
        retail=margin(retail_minor, retail_currency, cost) if retail_currency else None,
        prices=[
            PriceMargin(name, currency, int(qty), int(price), margin(int(price), currency, cost))
            for name, currency, qty, price in rows
        ],
    )


def tier_margins(
    session: Session, currency: str, items: Iterable[tuple[str, Iterable[int]]]
) -> dict[str, list[Margin]]:
    """Per SKU code, the margin at each of its tiers' prices (a price list page)."""
    listed = [(code, list(prices)) for code, prices in items]
    ids = sku_ids_by_code(session, (code for code, _p in listed))
    costs = current_costs(session, ids.values())
    return {
        code: [margin(p, currency, costs.get(ids.get(code, -1))) for p in prices]
        for code, prices in listed
    }
