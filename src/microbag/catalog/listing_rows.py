"""The listing's rows: what the catalog grid shows of each listed SKU, in one statement.

Split from listing.py (which finds and orders the SKUs of a page) so each stays
short; ``listing.list_page`` calls ``rows_for_ids`` with the page's SKU ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.stock.models import StockLevel


@dataclass(frozen=True)
class SkuRow:
    sku_id: int
    code: str
    color: str
    material: str
    hardware: str
    lifecycle: str
    style_id: int
    style_code: str
    name: str
    bag_type: str
    size_class: str
    price_tier: str
    season: str
    width_mm: int
    height_mm: int
    depth_mm: int
    weight_g: int
    is_limited_edition: bool
    images: list[str]
    occasions: list[str]
    available: int


def rows_for_ids(session: Session, ids: Sequence[int]) -> list[SkuRow]:
    """The listing rows of these SKUs, in the given order, with occasions and stock.

    One statement: occasions and availability come as correlated subqueries (the
    availability is stock.service.available_by_sku's: on hand minus reserved over all
    warehouses, never below zero).
    """
    if not ids:
        return []
    if session.get_bind().dialect.name == "postgresql":
        joined = func.string_agg(StyleOccasion.occasion, ",")
    else:
        joined = func.group_concat(StyleOccasion.occasion, ",")
    occasions = select(joined).where(StyleOccasion.style_id == Style.id).scalar_subquery()
    available = (
        select(func.coalesce(func.sum(StockLevel.on_hand - StockLevel.reserved), 0))
        .where(StockLevel.sku_id == Sku.id)
        .scalar_subquery()
    )
    found: dict[int, Any] = {
        r[0]: r
        for r in session.execute(
            select(
                Sku.id,
                Sku.code,
                Sku.color,
                Sku.material,
                Sku.hardware,
                Sku.lifecycle,
                Style.id,
                Style.code,
                Style.name,
                Style.bag_type,
                Style.size_class,
                Style.price_tier,
                Style.season,
                Style.width_mm,
                Style.height_mm,
                Style.depth_mm,
                Style.weight_g,
                Style.is_limited_edition,
                Style.images,
                occasions,
                available,
            )
            .join(Style, Style.id == Sku.style_id)
            .where(Sku.id.in_(ids))
        )
    }
    return [
        SkuRow(
            sku_id=r[0],
            code=r[1],
            color=r[2],
            material=r[3],
            hardware=r[4],
            lifecycle=r[5],
            style_id=r[6],
            style_code=r[7],
            name=r[8],
            bag_type=r[9],
            size_class=r[10],
            price_tier=r[11],
            season=r[12],
            width_mm=r[13],
            height_mm=r[14],
            depth_mm=r[15],
            weight_g=r[16],
            is_limited_edition=bool(r[17]),
            images=list(r[18] or []),
            occasions=sorted(r[19].split(",")) if r[19] else [],
            available=max(int(r[20] or 0), 0),
        )
        for r in (found[i] for i in ids if i in found)
    ]
