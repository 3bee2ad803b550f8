"""Fixtures of the purchasing tests: a supplier with prices for the world's SKUs.

The supplier's price and standing come from suppliers.service.offer_for and
scorecards.service.standing_for; while those packages are still placeholders (they are
built in parallel), the fixture answers from the supplier_prices rows and "unrated"."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from microbag.db import Database
from microbag.purchasing import service
from microbag.suppliers.models import Supplier, SupplierPrice
from tests.factories import World
from tests.sourcing_data import add_supplier, add_supplier_price
from tests.web.conftest import _cheap_argon2, new_client, signed_in

__all__ = ["_cheap_argon2", "new_client", "signed_in"]


@dataclass(frozen=True)
class _Offer:
    unit_cost_minor: int
    currency: str
    moq: int
    case_pack: int


@dataclass(frozen=True)
class _Standing:
    level: str
    score: float | None
    reason: str


def _stand_in_offer(session, supplier_id: int, sku_id: int, today: date):
    price = session.scalars(
        select(SupplierPrice).where(
            SupplierPrice.supplier_id == supplier_id,
            SupplierPrice.sku_id == sku_id,
            SupplierPrice.valid_from <= today,
            (SupplierPrice.valid_until.is_(None)) | (SupplierPrice.valid_until >= today),
        )
    ).first()
    if price is None:
        return None
    return _Offer(price.unit_cost_minor, price.currency, price.moq, price.case_pack)


@pytest.fixture(autouse=True)
def _collaborators(monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(importlib.import_module("microbag.suppliers.service"), "offer_for"):
        monkeypatch.setattr(service, "supplier_offer", _stand_in_offer)
    if not hasattr(importlib.import_module("microbag.scorecards.service"), "standing_for"):
        monkeypatch.setattr(
            service,
            "supplier_standing",
            lambda session, supplier_id, today: _Standing("unrated", None, "no record yet"),
        )


@dataclass(frozen=True)
class Sourcing:
    supplier: int
    supplier_code: str
    skus: dict[str, int]
    warehouse: int


@pytest.fixture
def sourcing(db: Database, world: World) -> Sourcing:
    """Supplier GZ-01 (USD) with prices for MC-001-GLD (12.00, MOQ 50, case 10) and
    MT-001-RED (8.50, MOQ 100, case 20)."""
    with db.session(write=True) as s:
        sup: Supplier = add_supplier(s, "GZ-01")
        add_supplier_price(s, sup, world.skus["MC-001-GLD"], 1_200, moq=50, case_pack=10)
        add_supplier_price(s, sup, world.skus["MT-001-RED"], 850, moq=100, case_pack=20)
        return Sourcing(sup.id, sup.code, dict(world.skus), world.warehouse)
