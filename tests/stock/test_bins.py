"""skus.available_bins follows stock_levels (triggers, stock/bins.py), and the catalog with it."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete, select, text, update

from microbag.catalog.facets import facet_counts, in_stock_count
from microbag.catalog.listing import SkuFilters
from microbag.catalog.models import Sku
from microbag.stock import service as stock
from microbag.stock.models import StockLevel, Warehouse
from tests.factories import add_sku, add_style

from ..conftest import PG_URL


def _catalog(db) -> tuple[int, int, int]:
    """Two SKUs (gold and black) of one style, two warehouses, no stock yet."""
    with db.session(write=True) as s:
        style = add_style(s, "ST-1", "micro_clutch", (150, 100, 40))
        style.lifecycle = "active"
        gold = add_sku(s, style, "ST-1-GOLD", "gold", "calfskin")
        add_sku(s, style, "ST-1-BLACK", "black", "calfskin")
        one, two = Warehouse(code="W1", name="One"), Warehouse(code="W2", name="Two")
        s.add_all([one, two])
        s.flush()
        return gold.id, one.id, two.id


def _bins(db, sku_id: int) -> int:
    with db.session() as s:
        return int(s.scalar(select(Sku.available_bins).where(Sku.id == sku_id)) or 0)


def test_the_count_follows_every_kind_of_write(db):
    sku, one, two = _catalog(db)
    assert _bins(db, sku) == 0
    with db.session(write=True) as s:
        stock.set_on_hand(s, sku, one, 5)  # insert with free units
        s.add(StockLevel(sku_id=sku, warehouse_id=two, on_hand=0, reserved=0))  # insert, none
    assert _bins(db, sku) == 1
    with db.session(write=True) as s:
        stock.set_on_hand(s, sku, two, 3)  # update: none -> some
    assert _bins(db, sku) == 2
    with db.session(write=True) as s:
        allocations = stock.reserve(s, sku, 8)  # both warehouses emptied
    assert _bins(db, sku) == 0
    with db.session(write=True) as s:
        stock.release(s, sku, [a for a in allocations if a[0] == one])
    assert _bins(db, sku) == 1
    with db.session(write=True) as s:  # units moved to the other SKU's row: both counts move
        other = s.scalar(select(Sku.id).where(Sku.code == "ST-1-BLACK"))
        s.execute(update(StockLevel).where(StockLevel.warehouse_id == one).values(sku_id=other))
        assert s.scalar(select(Sku.available_bins).where(Sku.id == other)) == 1
    assert _bins(db, sku) == 0
    with db.session(write=True) as s:
        s.execute(update(StockLevel).values(reserved=0))  # bulk, without the service
        s.execute(delete(StockLevel).where(StockLevel.warehouse_id == one))
    assert _bins(db, sku) == 1


def test_a_stock_change_changes_the_catalogs_in_stock_counts(db):
    """A stale count would keep a sold-out SKU in the "in stock" list and its counts."""
    sku, one, _two = _catalog(db)
    with db.session(write=True) as s:
        stock.set_on_hand(s, sku, one, 4)
    in_stock = SkuFilters(in_stock=True)

    def colors() -> dict[str, int]:
        with db.session() as s:
            return {v.value: v.count for v in facet_counts(s, in_stock, None)["color"]}

    with db.session() as s:
        assert in_stock_count(s, SkuFilters(), None) == 1
    assert colors() == {"gold": 1}
    with db.session(write=True) as s:
        stock.reserve(s, sku, 4)  # the last units
    assert colors() == {}
    with db.session() as s:
        assert in_stock_count(s, SkuFilters(), None) == 0
        out = facet_counts(s, SkuFilters(in_stock=False), None)["color"]
        assert {v.value: v.count for v in out} == {"black": 1, "gold": 1}


@pytest.mark.skipif(not PG_URL, reason="concurrent writers need PostgreSQL")
def test_two_transactions_emptying_the_last_two_warehouses_leave_zero(db):
    """Each sees the other's warehouse still stocked; the count must still end at 0."""
    sku, one, two = _catalog(db)
    with db.session(write=True) as s:
        stock.set_on_hand(s, sku, one, 2)
        stock.set_on_hand(s, sku, two, 2)
    first_wrote = threading.Event()
    errors: list[BaseException] = []

    def empty(warehouse_id: int, hold: float) -> None:
        try:
            with db.session(write=True) as s:
                s.execute(
                    update(StockLevel)
                    .where(StockLevel.sku_id == sku, StockLevel.warehouse_id == warehouse_id)
                    .values(reserved=StockLevel.on_hand)
                )
                first_wrote.set()
                time.sleep(hold)  # the other transaction writes meanwhile
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=empty, args=(one, 0.5))
    first.start()
    assert first_wrote.wait(10)
    second = threading.Thread(target=empty, args=(two, 0))
    second.start()
    first.join(20)
    second.join(20)
    assert not errors
    assert _bins(db, sku) == 0
    with db.session() as s:
        assert (
            s.execute(text("SELECT count(*) FROM stock_levels WHERE on_hand > reserved")).scalar()
            == 0
        )
