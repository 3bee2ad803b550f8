"""Catalog entries for products that first appear in an imported sales history.

A product code the catalog does not know becomes a SKU with that very code, created by
the catalog's service (``catalog.service.create_imported_skus``: flagged ``is_imported``,
discontinued, under a placeholder style per bag type). What attribute extraction finds
in the description (bag type, size, color, material, occasion) and the price tier of
its usual price are worked out here and kept in ``Sku.attributes`` for the trends;
color and material also fill the SKU's columns (``unknown`` where the description
names none).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from microbag.catalog import service as catalog
from microbag.catalog.service import ImportedSku
from microbag.trends.attributes import extract, price_tier

UNKNOWN = "unknown"


@dataclass(frozen=True)
class ProductSeen:
    """One product code of an import, summed up over its lines."""

    code: str
    description: str
    typical_price_minor: int | None
    currency: str


def existing_sku_ids(session: Session, codes: Iterable[str]) -> dict[str, int]:
    return catalog.sku_ids_by_code(session, codes)


def imported_attributes(product: ProductSeen, source: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {"source": source, "description": product.description}
    attrs.update(extract(product.description))
    if product.typical_price_minor is not None:
        tier = price_tier(product.typical_price_minor, product.currency)
        if tier is not None:
            attrs["price_tier"] = tier
    return attrs


def imported_sku(product: ProductSeen, source: str) -> ImportedSku:
    attrs = imported_attributes(product, source)
    return ImportedSku(
        code=product.code,
        description=product.description,
        bag_type=attrs.get("bag_type"),
        color=attrs.get("color", UNKNOWN),
        material=attrs.get("material", UNKNOWN),
        attributes=attrs,
    )


def create_imported_skus(
    session: Session, products: Sequence[ProductSeen], source: str
) -> dict[str, int]:
    """Create a SKU per product (codes the catalog lacks); returns code -> new SKU id."""
    return catalog.create_imported_skus(session, [imported_sku(p, source) for p in products])
