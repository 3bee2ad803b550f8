"""SKUs for products that first appear in imported sales history (bulk, for the history import).

A product code the catalog does not know becomes a SKU with that very code, flagged
``is_imported``, under one placeholder style per bag type (``IMPORTED-LUNCH_BAG``,
``IMPORTED-OTHER`` for products that are not bags). Both are ``discontinued``: they were
sold elsewhere and are not on offer to buyers until staff decide so.

The history import calls these through ``catalog.service`` (the catalog's tables are
written only by the catalog); it has done the attribute extraction itself and hands over
what it found. A whole import (thousands of products) is a few multi-row INSERTs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style
from microbag.catalog.policies import search_text
from microbag.timeutil import utcnow

PLACEHOLDER_PREFIX = "IMPORTED-"
UNKNOWN = "unknown"
_LOOKUP_CHUNK = 500  # codes per IN (...) list
_INSERT_CHUNK = 2000  # rows per multi-row INSERT


@dataclass(frozen=True)
class ImportedSku:
    """One product of an imported sales history, to become a catalog SKU.

    ``bag_type`` picks the placeholder style (None: not a bag, ``IMPORTED-OTHER``);
    ``attributes`` is stored as the SKU's attributes (what the description tells).
    """

    code: str
    description: str
    bag_type: str | None = None
    color: str = UNKNOWN
    material: str = UNKNOWN
    attributes: dict[str, Any] = field(default_factory=dict)


def placeholder_style_code(bag_type: str | None) -> str:
    return PLACEHOLDER_PREFIX + (bag_type or "other").upper()


def sku_ids_by_code(session: Session, codes: Iterable[str]) -> dict[str, int]:
    """The ids of the SKUs with these codes (codes the catalog lacks are left out)."""
    found: dict[str, int] = {}
    pending = list(codes)
    for i in range(0, len(pending), _LOOKUP_CHUNK):
        chunk = pending[i : i + _LOOKUP_CHUNK]
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


def create_imported_skus(session: Session, products: Sequence[ImportedSku]) -> dict[str, int]:
    """Create a discontinued, ``is_imported`` SKU per product; returns code -> new SKU id.

    The codes must be new to the catalog (look them up with ``sku_ids_by_code`` first):
    a known code is a unique-constraint error, as it would be for any other new SKU.
    """
    if not products:
        return {}
    styles = _placeholder_styles(session, {p.bag_type for p in products})
    now = utcnow()
    rows = [
        {
            "code": p.code,
            "style_id": styles[p.bag_type],
            "color": p.color,
            "material": p.material,
            "hardware": "",
            "search_text": search_text(
                p.code, p.description, p.color, p.material, p.bag_type or ""
            ),
            "lifecycle": "discontinued",
            "is_imported": True,
            "attributes": p.attributes,
            "created_at": now,
        }
        for p in products
    ]
    for i in range(0, len(rows), _INSERT_CHUNK):
        session.execute(insert(Sku), rows[i : i + _INSERT_CHUNK])
    return sku_ids_by_code(session, [p.code for p in products])
