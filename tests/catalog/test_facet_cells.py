"""The facet cells (catalog/facet_cells.py) follow every write to skus, styles and stock."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select, text, update

from microbag.catalog.facets import facet_counts
from microbag.catalog.listing import SkuFilters
from microbag.catalog.models import Sku, Style
from microbag.stock import service as stock
from microbag.stock.models import StockLevel, Warehouse
from tests.factories import add_sku, add_style

from ..conftest import PG_URL

STYLE_CELLS = "SELECT style_id, sku_lifecycle, in_stock, skus FROM facet_style_cells"
SKU_CELLS = (
    "SELECT material, color, sku_lifecycle, style_lifecycle, in_stock, skus FROM facet_sku_cells"
)
# The same cells counted from scratch.
STYLE_TRUTH = (
    "SELECT style_id, lifecycle, available_bins > 0, count(*) FROM skus"
    " GROUP BY style_id, lifecycle, available_bins > 0"
)
SKU_TRUTH = (
    "SELECT skus.material, skus.color, skus.lifecycle, styles.lifecycle,"
    " skus.available_bins > 0, count(*) FROM skus JOIN styles ON styles.id = skus.style_id"
    " GROUP BY skus.material, skus.color, skus.lifecycle, styles.lifecycle,"
    " skus.available_bins > 0"
)


def _nonzero(session, sql: str) -> dict[tuple, int]:
    return {
        tuple(bool(v) if i == len(row) - 2 else v for i, v in enumerate(row[:-1])): int(row[-1])
        for row in session.execute(text(sql))
        if row[-1]
    }


def assert_cells_exact(db) -> None:
    with db.session() as s:
        assert _nonzero(s, STYLE_CELLS) == _nonzero(s, STYLE_TRUTH)
        assert _nonzero(s, SKU_CELLS) == _nonzero(s, SKU_TRUTH)


def _catalog(db) -> tuple[int, int, list[int], list[int]]:
    """Two styles, five SKUs, two warehouses."""
    with db.session(write=True) as s:
        one = add_style(s, "ST-1", "micro_clutch", (150, 100, 40))
        one.lifecycle = "active"
        two = add_style(s, "ST-2", "belt_bag", (200, 120, 60), price_tier="luxury")
        skus = [
            add_sku(s, one, "ST-1-GOLD", "gold", "calfskin"),
            add_sku(s, one, "ST-1-BLACK", "black", "calfskin"),
            add_sku(s, one, "ST-1-RED", "red", "canvas"),
            add_sku(s, two, "ST-2-GOLD", "gold", "calfskin"),
            add_sku(s, two, "ST-2-TAN", "tan", "nylon"),
        ]
        warehouses = [Warehouse(code="W1", name="One"), Warehouse(code="W2", name="Two")]
        s.add_all(warehouses)
        s.flush()
        return one.id, two.id, [k.id for k in skus], [w.id for w in warehouses]


def test_the_cells_follow_every_kind_of_write(db):
    one, two, skus, (w1, w2) = _catalog(db)
    assert_cells_exact(db)
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM facet_style_cells")).scalar()
    with db.session(write=True) as s:  # stock arrives: SKUs flip to "in stock"
        stock.set_on_hand(s, skus[0], w1, 5)
        stock.set_on_hand(s, skus[0], w2, 5)  # a second warehouse: no flip
        stock.set_on_hand(s, skus[3], w1, 2)
    assert_cells_exact(db)
    with db.session(write=True) as s:  # the last units reserved: back out of stock
        stock.reserve(s, skus[3], 2)
    assert_cells_exact(db)
    with db.session(write=True) as s:  # a SKU's own keys change
        s.execute(update(Sku).where(Sku.id == skus[1]).values(color="ivory", lifecycle="active"))
        s.execute(update(Sku).where(Sku.id == skus[2]).values(material="raffia"))
        s.execute(update(Sku).where(Sku.id == skus[4]).values(style_id=one))
    assert_cells_exact(db)
    with db.session(write=True) as s:  # a style's lifecycle moves all its SKUs at once
        s.execute(update(Style).where(Style.id == one).values(lifecycle="discontinued"))
        s.execute(update(Style).where(Style.id == two).values(lifecycle="active"))
        s.execute(update(Style).where(Style.id == two).values(name="Renamed"))  # no move
    assert_cells_exact(db)
    with db.session(write=True) as s:  # bulk SQL without the services, and deletes
        s.execute(update(StockLevel).values(reserved=0))
        s.execute(delete(StockLevel).where(StockLevel.warehouse_id == w1))
        s.execute(delete(Sku).where(Sku.id == skus[2]))
    assert_cells_exact(db)


def test_the_counts_from_the_cells_follow_a_style_going_live(db):
    """A stale style cell would keep counting a withdrawn style's SKUs for buyers."""
    one, two, skus, (w1, _w2) = _catalog(db)
    with db.session(write=True) as s:
        for sku in skus:
            stock.set_on_hand(s, sku, w1, 3)
    buyer_view = SkuFilters(in_stock=True)

    def bag_types() -> dict[str, int]:
        with db.session() as s:
            out = facet_counts(s, buyer_view, _buyer())
            return {v.value: v.count for v in out["bag_type"]}

    with db.session(write=True) as s:
        s.execute(update(Sku).values(lifecycle="active"))
        s.execute(update(Style).where(Style.id == two).values(lifecycle="draft"))
    assert bag_types() == {"micro_clutch": 3}
    with db.session(write=True) as s:
        s.execute(update(Style).where(Style.id == two).values(lifecycle="active"))
    assert bag_types() == {"belt_bag": 2, "micro_clutch": 3}
    with db.session(write=True) as s:
        s.execute(update(Style).where(Style.id == one).values(lifecycle="discontinued"))
    assert bag_types() == {"belt_bag": 2}


def _buyer():
    from microbag.accounts.principal import Principal

    return Principal(99, "buyer@a.test", "buyer", 1)


@pytest.mark.skipif(not PG_URL, reason="concurrent writers need PostgreSQL")
def test_concurrent_stock_flips_and_style_changes_keep_the_cells_exact(db):
    """Stock emptied and refilled in parallel while the styles go live and back."""
    one, two, skus, (w1, w2) = _catalog(db)
    with db.session(write=True) as s:
        for sku in skus:
            stock.set_on_hand(s, sku, w1, 1)
            stock.set_on_hand(s, sku, w2, 1)
    errors: list[BaseException] = []
    start = threading.Barrier(len(skus) * 2 + 1)

    def flip(sku_id: int, warehouse_id: int) -> None:
        try:
            start.wait(10)
            for round_ in range(12):
                with db.session(write=True) as s:
                    s.execute(
                        update(StockLevel)
                        .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id)
                        .values(reserved=round_ % 2)  # 1: this warehouse emptied
                    )
        except BaseException as error:
            errors.append(error)

    def toggle_styles() -> None:
        try:
            start.wait(10)
            for round_ in range(12):
                with db.session(write=True) as s:
                    lifecycle = "active" if round_ % 2 else "draft"
                    s.execute(
                        update(Style).where(Style.id.in_((one, two))).values(lifecycle=lifecycle)
                    )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=flip, args=(k, w)) for k in skus for w in (w1, w2)]
    threads.append(threading.Thread(target=toggle_styles))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, [str(e)[:1500] for e in errors]
    assert_cells_exact(db)
    with db.session() as s:  # every warehouse ends emptied (round 11 reserved the unit)
        assert not s.scalar(select(Sku.id).where(Sku.available_bins > 0).limit(1))
