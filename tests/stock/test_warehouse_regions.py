"""Stock is reserved from the warehouse serving the buyer's region first (by rank), then
from the fullest: the pure order, the staff API, and an order placed by a buyer in Europe
and one in the US."""

from __future__ import annotations

from sqlalchemy import select

from microbag.orders.models import OrderAllocation, OrderLine
from microbag.stock import service as stock
from microbag.stock.models import StockLevel
from microbag.stock.policies import Bin, allocate, allocation_order


def test_preferred_warehouses_first_then_the_fullest():
    bins = [Bin(1, 50), Bin(2, 10, preference=2), Bin(3, 80), Bin(4, 5, preference=1)]
    assert [b.warehouse_id for b in allocation_order(bins)] == [4, 2, 3, 1]
    assert allocate(bins, 20) == [(4, 5), (2, 10), (3, 5)]
    assert allocate(bins, 1000) is None


def test_order_of_a_us_buyer_reserves_from_the_us_warehouse(client, world, db):
    with db.session(write=True) as s:
        us = stock.create_warehouse(s, code="NJ", name="New Jersey", country="US")
        sku_id = world.skus["MC-001-GLD"]
        s.add(StockLevel(sku_id=sku_id, warehouse_id=us.id, on_hand=40, reserved=0))
        us_id = us.id
    staff = world.auth("merch@seller.test")
    put = client.put(
        "/api/v1/warehouses/NJ/regions",
        json={"regions": [{"region": "us", "rank": 1}]},
        headers=staff,
    )
    assert put.status_code == 200, put.text
    bad = client.put(
        "/api/v1/warehouses/NJ/regions",
        json={"regions": [{"region": "mars", "rank": 1}]},
        headers=staff,
    )
    assert bad.status_code == 422
    # Big Store (NYC) is in the US: its units come from NJ although MAIN is fuller.
    b_order = client.post(
        "/api/v1/orders",
        json={"lines": [{"sku": "MC-001-GLD", "quantity": 12}]},
        headers=world.auth("buyer@b.test"),
    )
    assert b_order.status_code == 201, b_order.text
    # Atelier Petit (Paris) is in Europe: no warehouse serves it first, the fullest (MAIN).
    a_order = client.post(
        "/api/v1/orders",
        json={"lines": [{"sku": "MC-001-GLD", "quantity": 12}]},
        headers=world.auth("buyer@a.test"),
    )
    assert a_order.status_code == 201, a_order.text
    with db.session() as s:
        by_order = dict(
            s.execute(
                select(OrderLine.order_id, OrderAllocation.warehouse_id).join(
                    OrderAllocation, OrderAllocation.line_id == OrderLine.id
                )
            ).all()
        )
    assert by_order[b_order.json()["id"]] == us_id
    assert by_order[a_order.json()["id"]] == world.warehouse
