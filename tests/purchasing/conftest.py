"""Fixtures of the purchasing tests: a supplier with prices for the world's SKUs, and the
portal's signed-in clients."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from microbag.db import Database
from microbag.suppliers.models import Supplier
from tests.factories import World
from tests.sourcing_data import add_supplier, add_supplier_price
from tests.web.conftest import _cheap_argon2, new_client, signed_in

__all__ = ["_cheap_argon2", "new_client", "signed_in"]


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
