"""Preorders, backorders, the waiting queue and partial shipments (issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from microbag.errors import DomainError
from microbag.orders import backorders, service, shipments
from microbag.orders.models import Order, OrderLine, Shipment
from microbag.orders.schemas import OrderLineIn
from microbag.orders.shipments import ShipmentLineIn
from microbag.stock import incoming
from microbag.stock.models import StockLevel
from microbag.timeutil import utcnow

GLD, BLK, RED = "MC-001-GLD", "MC-001-BLK", "MT-001-RED"


def line(sku, qty, fulfilment="stock", incoming_id=None):
    return OrderLineIn(sku=sku, quantity=qty, fulfilment=fulfilment, incoming_id=incoming_id)


def place(db, principal, *order_lines, **kwargs):
    with db.session(write=True) as s:
        order, _ = service.place_order(s, principal, list(order_lines), **kwargs)
        return order.id


def batch(db, sku, qty, days=20):
    with db.session(write=True) as s:
        return incoming.add_incoming(
            s,
            sku_code=sku,
            warehouse_code=None,
            quantity=qty,
            expected_date=utcnow().date() + timedelta(days=days),
        ).id


def set_on_hand(db, world, sku, on_hand):
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel).where(StockLevel.sku_id == world.skus[sku]).values(on_hand=on_hand)
        )


def order_lines(db, order_id):
    with db.session() as s:
        return [
            (
                ln.line_no,
                ln.fulfilment,
                ln.waiting_quantity,
                ln.reserved_quantity,
                ln.shipped_quantity,
            )
            for ln in s.scalars(
                select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
            )
        ]


def status(db, order_id):
    with db.session() as s:
        return s.scalar(select(Order.status).where(Order.id == order_id))


def receive(db, batch_id):
    with db.session(write=True) as s:
        incoming.receive_incoming(s, batch_id)
        return backorders.fill_waiting(s, [row_sku(s, batch_id)])


def row_sku(s, batch_id):
    from microbag.stock.models import IncomingStock

    return s.get(IncomingStock, batch_id).sku_id


# ---- preorders -------------------------------------------------------------------------------


def test_preorder_takes_batch_room_and_promises_its_window(db, world, who, stock_of):
    batch_id = batch(db, GLD, 36, days=30)
    order_id = place(db, who("buyer@a.test"), line(GLD, 24, "preorder"), line(RED, 12))
    assert order_lines(db, order_id) == [(1, "preorder", 24, 0, 0), (2, "stock", 0, 12, 0)]
    assert stock_of(world.skus[GLD]) == (100, 0)  # nothing reserved on hand for a preorder
    with db.session() as s:
        order = service.get_order(s, who("buyer@a.test"), order_id)
        first = order.lines[0]
        assert first.incoming_id == batch_id
        expected = utcnow().date() + timedelta(days=30)
        assert first.promised_from == expected
        assert first.promised_until > expected


def test_preorder_refused_beyond_the_batch_room(db, world, who):
    batch_id = batch(db, GLD, 30)
    place(db, who("buyer@a.test"), line(GLD, 24, "preorder", batch_id))
    with pytest.raises(DomainError) as err:
        place(db, who("buyer@b.test"), line(GLD, 12, "preorder", batch_id))
    assert [(e.code, e.line) for e in err.value.items] == [("insufficient_incoming", 1)]
    assert "only 6 left" in err.value.items[0].message


def test_preorder_needs_an_expected_batch(db, world, who):
    with pytest.raises(DomainError) as err:
        place(db, who("buyer@a.test"), line(BLK, 12, "preorder"))  # no batch of BLK
    assert err.value.items[0].code == "no_incoming_batch"
    other = batch(db, RED, 50)
    with pytest.raises(DomainError) as err:
        place(db, who("buyer@a.test"), line(BLK, 12, "preorder", other))
    assert err.value.items[0].code == "unknown_incoming"


def test_cancelled_preorder_gives_its_room_back(db, world, who):
    batch_id = batch(db, GLD, 24)
    order_id = place(db, who("buyer@a.test"), line(GLD, 24, "preorder"))
    with db.session(write=True) as s:
        service.cancel_order(s, who("buyer@a.test"), order_id)
    place(db, who("buyer@b.test"), line(GLD, 24, "preorder", batch_id))  # room again


# ---- backorders and the queue ----------------------------------------------------------------


def test_backorder_reserves_what_is_there_and_waits_for_the_rest(db, world, who, stock_of):
    set_on_hand(db, world, GLD, 10)
    batch(db, GLD, 60, days=14)
    order_id = place(db, who("buyer@a.test"), line(GLD, 24, "backorder"))
    assert order_lines(db, order_id) == [(1, "backorder", 14, 10, 0)]
    assert stock_of(world.skus[GLD]) == (10, 10)
    # Without asking for a backorder, the same shortage is an error as before.
    with pytest.raises(DomainError) as err:
        place(db, who("buyer@b.test"), line(GLD, 12))
    assert err.value.items[0].code == "insufficient_stock"


def test_backorder_with_enough_stock_is_a_stock_line(db, world, who):
    order_id = place(db, who("buyer@a.test"), line(GLD, 12, "backorder"))
    assert order_lines(db, order_id) == [(1, "stock", 0, 12, 0)]


def test_arriving_stock_fills_waiting_lines_first_come_first_served(db, world, who, stock_of):
    set_on_hand(db, world, GLD, 0)
    batch_id = batch(db, GLD, 30)
    first = place(db, who("buyer@a.test"), line(GLD, 18, "backorder"))
    second = place(db, who("buyer@b.test"), line(GLD, 18, "backorder"))
    filled = receive(db, batch_id)
    assert [(f.order_id, f.units, f.still_waiting) for f in filled] == [
        (first, 18, 0),
        (second, 12, 6),
    ]
    assert order_lines(db, first) == [(1, "backorder", 0, 18, 0)]
    assert order_lines(db, second) == [(1, "backorder", 6, 12, 0)]
    assert stock_of(world.skus[GLD]) == (30, 30)


def test_preorders_come_before_backorders_and_staff_priority_before_both(db, world, who):
    set_on_hand(db, world, GLD, 0)
    batch_id = batch(db, GLD, 24)
    back = place(db, who("buyer@b.test"), line(GLD, 12, "backorder"))
    pre = place(db, who("buyer@a.test"), line(GLD, 12, "preorder", batch_id))
    late = place(db, who("owner@a.test"), line(GLD, 12, "backorder"))
    with db.session(write=True) as s:
        queue = backorders.waiting_queue(s, sku_code=GLD)
        assert [w.order_id for w in queue] == [pre, back, late]
        backorders.set_queue_priority(s, who("sales@seller.test"), late, 1, 5)
        assert [w.order_id for w in backorders.waiting_queue(s, sku_code=GLD)] == [late, pre, back]
    filled = receive(db, batch_id)
    assert [(f.order_id, f.units) for f in filled] == [(late, 12), (pre, 12)]
    assert order_lines(db, back) == [(1, "backorder", 12, 0, 0)]


def test_queue_priority_is_staff_only_and_audited(db, world, who):
    from microbag.audit.models import AuditEntry

    set_on_hand(db, world, GLD, 0)
    order_id = place(db, who("buyer@a.test"), line(GLD, 12, "backorder"))
    with db.session(write=True) as s, pytest.raises(Exception) as err:
        backorders.set_queue_priority(s, who("buyer@a.test"), order_id, 1, 3)
    assert "admin or sales" in str(err.value)
    with db.session(write=True) as s:
        backorders.set_queue_priority(s, who("admin@seller.test"), order_id, 1, 3)
    with db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "order_line")).one()
        assert entry.entity_id == f"{order_id}/1"


def test_fill_waiting_without_skus_finds_them(db, world, who):
    set_on_hand(db, world, GLD, 0)
    order_id = place(db, who("buyer@a.test"), line(GLD, 12, "backorder"))
    set_on_hand(db, world, GLD, 5)  # a count found five
    with db.session(write=True) as s:
        assert backorders.fillable_sku_ids(s) == [world.skus[GLD]]
        filled = backorders.fill_waiting(s)
    assert [(f.order_id, f.units, f.still_waiting) for f in filled] == [(order_id, 5, 7)]
    with db.session(write=True) as s:
        assert backorders.fill_waiting(s) == []  # nothing left to give


# ---- shipments ---------------------------------------------------------------------------------


def confirmed_order(db, who, *order_lines_in):
    order_id = place(db, who("buyer@a.test"), *order_lines_in)
    with db.session(write=True) as s:
        service.confirm_order(s, who("sales@seller.test"), order_id)
    return order_id


def test_partial_shipments_then_delivery(db, world, who, stock_of):
    order_id = confirmed_order(db, who, line(GLD, 12), line(RED, 24))
    staff = who("sales@seller.test")
    with db.session(write=True) as s:
        first = shipments.create_shipment(
            s,
            staff,
            order_id,
            carrier="dhl_express",
            tracking_number="1234 5678 90",
            lines=[ShipmentLineIn(1, 12), ShipmentLineIn(2, 6)],
        )
        assert first.number == 1 and first.tracking_number == "1234567890"
        assert shipments.tracking_link(first).endswith("tracking-id=1234567890")
    assert status(db, order_id) == "partly_shipped"
    assert order_lines(db, order_id) == [(1, "stock", 0, 0, 12), (2, "stock", 0, 18, 6)]
    assert stock_of(world.skus[GLD]) == (88, 0)
    assert stock_of(world.skus[RED]) == (94, 18)
    with db.session(write=True) as s:
        second = shipments.create_shipment(
            s, staff, order_id, carrier="ups", tracking_number="1Z999AA10123456784"
        )
        assert [(sl.sku_code, sl.quantity) for sl in second.lines] == [(RED, 18)]
    assert status(db, order_id) == "shipped"
    with db.session(write=True) as s:
        shipments.deliver_shipment(s, staff, order_id, 2)
    assert status(db, order_id) == "shipped"  # shipment 1 has not arrived yet
    with db.session(write=True) as s:
        shipments.deliver_shipment(s, staff, order_id, 1)
    assert status(db, order_id) == "delivered"


def test_shipment_errors(db, world, who):
    order_id = place(db, who("buyer@a.test"), line(GLD, 12))
    staff = who("sales@seller.test")
    with db.session(write=True) as s, pytest.raises(DomainError) as err:
        shipments.create_shipment(
            s, staff, order_id, carrier="ups", tracking_number="1Z999AA10123456784"
        )
    assert err.value.items[0].code == "invalid_transition"  # not confirmed yet
    with db.session(write=True) as s:
        service.confirm_order(s, who("sales@seller.test"), order_id)
    cases = [
        ({"carrier": "ups", "tracking_number": "12"}, "invalid_tracking_number"),
        ({"carrier": "pigeon", "tracking_number": "ABCD1234"}, "unknown_carrier"),
        (
            {"carrier": "other", "tracking_number": "ABCD1234", "lines": [ShipmentLineIn(1, 13)]},
            "quantity_not_reserved",
        ),
        (
            {"carrier": "other", "tracking_number": "ABCD1234", "lines": [ShipmentLineIn(2, 1)]},
            "unknown_line",
        ),
    ]
    for kwargs, code in cases:
        with db.session(write=True) as s, pytest.raises(DomainError) as err:
            shipments.create_shipment(s, staff, order_id, **kwargs)
        assert err.value.items[0].code == code, kwargs
    with db.session() as s:
        assert s.scalars(select(Shipment)).all() == []


def test_backordered_units_ship_later(db, world, who):
    set_on_hand(db, world, GLD, 6)
    batch_id = batch(db, GLD, 30)
    order_id = confirmed_order(db, who, line(GLD, 12, "backorder"))
    staff = who("sales@seller.test")
    with db.session(write=True) as s:
        shipments.create_shipment(s, staff, order_id, carrier="other", tracking_number="FIRST-1")
    assert status(db, order_id) == "partly_shipped"
    with db.session(write=True) as s, pytest.raises(DomainError) as err:
        shipments.create_shipment(s, staff, order_id, carrier="other", tracking_number="NEXT-1")
    assert err.value.items[0].code == "nothing_to_ship"
    receive(db, batch_id)
    with db.session(write=True) as s:
        shipments.create_shipment(s, staff, order_id, carrier="other", tracking_number="NEXT-1")
    assert status(db, order_id) == "shipped"
    assert order_lines(db, order_id) == [(1, "backorder", 0, 0, 12)]


def test_whole_order_ship_still_works(db, world, who, stock_of):
    order_id = confirmed_order(db, who, line(GLD, 12))
    with db.session(write=True) as s:
        order = service.ship_order(s, who("sales@seller.test"), order_id, "TRK 1")
        assert order.status == "shipped" and order.tracking_ref == "TRK 1"
    with db.session(write=True) as s:
        assert service.deliver_order(s, who("sales@seller.test"), order_id).status == "delivered"
        assert [sh.status for sh in shipments.list_shipments(s, who("buyer@a.test"), order_id)] == [
            "delivered"
        ]
    assert stock_of(world.skus[GLD]) == (88, 0)


# ---- where stock arrives -----------------------------------------------------------------------


def test_receiving_a_batch_over_the_api_fills_waiting_lines(client, db, world, who):
    set_on_hand(db, world, GLD, 0)
    batch_id = batch(db, GLD, 30)
    order_id = place(db, who("buyer@a.test"), line(GLD, 12, "backorder"))
    r = client.post(f"/api/v1/incoming/{batch_id}/receive", headers=world.auth("admin@seller.test"))
    assert r.status_code == 200, r.text
    assert order_lines(db, order_id) == [(1, "backorder", 0, 12, 0)]


def test_a_raised_count_fills_waiting_lines(client, db, world, who):
    set_on_hand(db, world, GLD, 0)
    order_id = place(db, who("buyer@a.test"), line(GLD, 12, "backorder"))
    r = client.put(
        f"/api/v1/stock/{GLD}/{warehouse_code(db, world)}",
        json={"on_hand": 20},
        headers=world.auth("admin@seller.test"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["reserved"] == 12
    assert order_lines(db, order_id) == [(1, "backorder", 0, 12, 0)]


def test_the_worker_fills_what_receipts_missed(db, world, who):
    from microbag.jobs.worker import Worker

    set_on_hand(db, world, GLD, 0)
    order_id = place(db, who("buyer@a.test"), line(GLD, 12, "backorder"))
    worker = Worker(db, deliver_mail=False)
    assert worker.fill_waiting() == 0  # nothing in stock yet
    set_on_hand(db, world, GLD, 12)
    assert worker.fill_waiting() == 1
    assert order_lines(db, order_id) == [(1, "backorder", 0, 12, 0)]


def warehouse_code(db, world):
    from microbag.stock.models import Warehouse

    with db.session() as s:
        return s.get(Warehouse, world.warehouse).code
