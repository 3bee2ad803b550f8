"""Counts next to each catalog filter value ("micro clutch (12)").

Each facet is counted under every *other* active filter, so the numbers say how
many SKUs the page would list if that value were ticked (values of one filter
combine with OR, filters with AND). The conditions are the catalog listing's own
(``catalog.listing``), so the counts can never disagree with the list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.catalog import listing
from microbag.catalog.listing import SkuFilters
from microbag.catalog.models import Sku, Style, StyleOccasion

# Filter name -> the column it filters (occasions live in their own table).
FACET_COLUMNS = {
    "bag_type": Style.bag_type,
    "size_class": Style.size_class,
    "material": Sku.material,
    "color": Sku.color,
    "price_tier": Style.price_tier,
    "season": Style.season,
}
FACETS = ("bag_type", "size_class", "material", "color", "price_tier", "occasion", "season")


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


def facet_counts(
    session: Session, filters: SkuFilters, principal: Principal | None
) -> dict[str, list[FacetValue]]:
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        selected = set(getattr(filters, name))
        others = replace(filters, **cast(dict[str, Any], {name: ()}))
        conds = listing._conditions(session, others, principal)
        if name == "occasion":
            stmt = (
                select(StyleOccasion.occasion, func.count(distinct(Sku.id)))
                .select_from(Sku)
                .join(Style, Style.id == Sku.style_id)
                .join(StyleOccasion, StyleOccasion.style_id == Style.id)
                .where(*conds)
                .group_by(StyleOccasion.occasion)
            )
        else:
            column = FACET_COLUMNS[name]
            stmt = (
                select(column, func.count())
                .select_from(Sku)
                .join(Style, Style.id == Sku.style_id)
                .where(*conds)
                .group_by(column)
            )
        counts = {str(value): int(n) for value, n in session.execute(stmt)}
        # A ticked value stays listed (with 0) so it can be unticked.
        for value in selected:
            counts.setdefault(value, 0)
        out[name] = [
            FacetValue(value, counts[value], value in selected) for value in sorted(counts)
        ]
    return out


def in_stock_count(session: Session, filters: SkuFilters, principal: Principal | None) -> int:
    return listing.count_skus(session, replace(filters, in_stock=True), principal)


def ships_by_count(
    session: Session, filters: SkuFilters, principal: Principal | None
) -> int | None:
    """SKUs the "ships by" date keeps under the other filters (None: no date chosen).

    Counted up to listing.COUNT_CAP, like the listing's own total.
    """
    if filters.ships_by is None:
        return None
    return listing.count_skus(session, filters, principal)
