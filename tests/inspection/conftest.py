"""Fixtures of the inspection tests: lots of a purchase order to inspect, built from the
models (tests/sourcing_data.py), and stock on hand to check they reach it or not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from microbag.db import Database
from microbag.stock.models import StockLevel
from microbag.suppliers.models import Supplier
from tests.factories import World
from tests.sourcing_data import add_lot, add_po, add_supplier
from tests.web.conftest import _cheap_argon2, new_client, signed_in

__all__ = ["_cheap_argon2", "new_client", "signed_in"]

SKU = "MC-001-GLD"


@pytest.fixture
def make_lot(db: Database, world: World) -> Callable[..., int]:
    """make_lot(quantity, status="pending_inspection") -> lot id (one PO per call, all
    from supplier GZ-01, SKU MC-001-GLD into MAIN)."""
    state: dict[str, int] = {}

    def make(quantity: int = 1000, status: str = "pending_inspection") -> int:
        with db.session(write=True) as s:
            if "supplier" not in state:
                state["supplier"] = add_supplier(s, "GZ-01").id
            sup = s.get(Supplier, state["supplier"])
            assert sup is not None
            po = add_po(
                s,
                sup,
                world.warehouse,
                [(world.skus[SKU], SKU, quantity, 1_200)],
                status="confirmed",
            )
            lot = add_lot(s, po, po.lines[0], quantity, status=status)
            return lot.id

    return make


@pytest.fixture
def on_hand(db: Database, world: World) -> Callable[[], int]:
    def read() -> int:
        with db.session() as s:
            return int(
                s.scalar(
                    select(StockLevel.on_hand).where(
                        StockLevel.sku_id == world.skus[SKU],
                        StockLevel.warehouse_id == world.warehouse,
                    )
                )
                or 0
            )

    return read
