"""Small reads of the catalog for pages and other packages: "from" prices, SKU labels,
which SKUs are on sale.

Kept apart from service.py (the catalog's use cases) so each stays short; service.py
re-exports them, so callers keep using ``catalog.service``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.buyers.models import Company
from microbag.catalog.imported_skus import sku_ids_by_code
from microbag.catalog.models import Sku, Style
from microbag.errors import NotFound
from microbag.pricing.service import price_list_for_company, terms_for


def moq_prices(session: Session, company_id: int | None, codes: list[str]) -> dict[str, int]:
    """The unit price at the MOQ per SKU code, on the company's price list ("from" prices).

    In minor units of the list's currency; codes the list lacks (or no list, or no
    company: the operator) are left out.
    """
    if company_id is None or not codes:
        return {}
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("company", "unknown_company")
    price_list = price_list_for_company(session, company)
    if price_list is None:
        return {}
    ids = sku_ids_by_code(session, codes)
    code_of = {sku_id: code for code, sku_id in ids.items()}
    terms = terms_for(session, price_list, code_of)
    return {code_of[sku_id]: t.unit_price(t.moq) for sku_id, t in terms.items()}


@dataclass(frozen=True)
class SkuLabel:
    """What a line of a cart or list shows of a SKU: its style's name, color, material."""

    id: int
    code: str
    name: str
    color: str
    material: str


def sku_labels(session: Session, codes: Iterable[str]) -> dict[str, SkuLabel]:
    """The labels of the SKUs with these codes (unknown codes are left out)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.execute(
        select(Sku.id, Sku.code, Style.name, Sku.color, Sku.material)
        .join(Style, Style.id == Sku.style_id)
        .where(Sku.code.in_(wanted))
    )
    return {
        code: SkuLabel(int(i), code, name, color, material)
        for i, code, name, color, material in rows
    }


@dataclass(frozen=True)
class ActiveSku:
    """An active SKU of an active style, with the attributes suggestions rank by."""

    id: int
    code: str
    style_code: str
    name: str
    bag_type: str
    price_tier: str
    color: str
    color_family: str
    material: str
    hardware: str


def active_skus(session: Session, sku_ids: Iterable[int]) -> dict[int, ActiveSku]:
    """The SKUs among ``sku_ids`` that are on sale (SKU and style active), by id."""
    ids = sorted(set(sku_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Sku, Style.code, Style.name, Style.bag_type, Style.price_tier)
        .join(Style, Style.id == Sku.style_id)
        .where(Sku.id.in_(ids), Sku.lifecycle == "active", Style.lifecycle == "active")
    )
    out: dict[int, ActiveSku] = {}
    for sku, style_code, name, bag_type, tier in rows:
        family = str((sku.attributes or {}).get("color_family") or sku.color)
        out[sku.id] = ActiveSku(
            sku.id,
            sku.code,
            style_code,
            name,
            bag_type,
            tier,
            sku.color,
            family,
            sku.material,
            sku.hardware,
        )
    return out
