"""Catalog entries for products that first appear in an imported sales history.

A product code the catalog does not know becomes a SKU with that very code, flagged
``is_imported``, under one placeholder style per extracted bag type
(``IMPORTED-LUNCH_BAG``, ``IMPORTED-OTHER`` for products that are not bags). Both are
``discontinued``: they were sold elsewhere and are not on offer to buyers until staff
decide so. What attribute extraction finds in the description (bag type, size, color,
material, occasion) and the price tier of its usual price are kept in
``Sku.attributes`` and used by the trends; color and material also fill the SKU's
columns (``unknown`` where the description names none).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style
from microbag.catalog.policies import search_text
from microbag.timeutil import utcnow
from microbag.trends.attributes import extract, price_tier

PLACEHOLDER_PREFIX = "IMPORTED-"
UNKNOWN = "unknown"
_CHUNK = 500


@dataclass(frozen=True)
class ProductSeen:
    """One product code of an import, summed up over its lines."""

    code: str
    description: str
    typical_price_minor: int | None
    currency: str


def placeholder_style_code(bag_type: str | None) -> str:
    return PLACEHOLDER_PREFIX + (bag_type or "other").upper()


def existing_sku_ids(session: Session, codes: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    pending = list(codes)
    for i in range(0, len(pending), _CHUNK):
        chunk = pending[i : i + _CHUNK]
        rows = session.execute(select(Sku.code, Sku.id).where(Sku.code.in_(chunk)))
        found.update({code: sku_id for code, sku_id in rows})
    return found


def _placeholder_styles(session: Session, bag_types: set[str | None]) -> dict[str | None, int]:
    wanted = {placeholder_style_code(t): t for t in bag_types}
    rows = session.execute(select(Style.code, Style.id).where(Style.code.in_(list(wanted))))
    ids = {wanted[code]: style_id for code, style_id in rows}
    now = utcnow()
    for code, bag_type in sorted(wanted.items()):
        if bag_type in ids:
            continue
        label = (bag_type or "other").replace("_", " ")
        style_id = session.execute(
            insert(Style).returning(Style.id),
            {
                "code": code,
                "name": f"Imported products: {label}",
                "description": "Placeholder for products that came with imported sales history.",
                "bag_type": bag_type or "other",
                # Sizes of imported products are unknown; the SKUs' attributes say what
                # the descriptions tell.
                "width_mm": 1,
                "height_mm": 1,
                "depth_mm": 1,
                "size_class": UNKNOWN,
                "price_tier": "mass",
                "season": "all_season",
                "lifecycle": "discontinued",
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()
        ids[bag_type] = style_id
    return ids


def imported_attributes(product: ProductSeen, source: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {"source": source, "description": product.description}
    attrs.update(extract(product.description))
    if product.typical_price_minor is not None:
        tier = price_tier(product.typical_price_minor, product.currency)
        if tier is not None:
            attrs["price_tier"] = tier
    return attrs


def create_imported_skus(
    session: Session, products: Sequence[ProductSeen], source: str
) -> dict[str, int]:
    """Create a SKU per product (codes the catalog lacks); returns code -> new SKU id."""
    if not products:
        return {}
    attributes = {p.code: imported_attributes(p, source) for p in products}
    styles = _placeholder_styles(session, {a.get("bag_type") for a in attributes.values()})
    now = utcnow()
    rows = []
    for product in products:
        attrs = attributes[product.code]
        color = attrs.get("color", UNKNOWN)
        material = attrs.get("material", UNKNOWN)
        rows.append(
            {
                "code": product.code,
                "style_id": styles[attrs.get("bag_type")],
                "color": color,
                "material": material,
                "hardware": "",
                "search_text": search_text(
                    product.code, product.description, color, material, attrs.get("bag_type", "")
                ),
                "lifecycle": "discontinued",
                "is_imported": True,
                "attributes": attrs,
                "created_at": now,
            }
        )
    for i in range(0, len(rows), 2000):
        session.execute(insert(Sku), rows[i : i + 2000])
    return existing_sku_ids(session, [p.code for p in products])
