"""Stock accounting of preorders and backorders stays exact under concurrency (issue 11):
placements, arrivals, queue fills and cancellations at once, on SQLite and PostgreSQL.

Each unit of work runs through ``Database.run`` (which retries a deadlock or
serialization failure a bounded number of times); domain refusals are expected
outcomes, anything else fails the test.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from microbag.accounts.service import get_user_by_email, principal_of
from microbag.errors import DomainError
from microbag.orders import backorders, service
from microbag.orders.models import Order, OrderAllocation, OrderLine
from microbag.orders.policies import RESERVED_STATUSES
from microbag.orders.schemas import OrderLineIn
from microbag.stock import incoming
from microbag.stock.models import StockLevel
from microbag.stock.service import add_on_hand
from microbag.timeutil import utcnow

GLD, BLK = "MC-001-GLD", "MC-001-BLK"
BUYERS = ["buyer@a.test", "owner@a.test", "buyer@b.test", "owner@b.test"]


def principals(db):
    with db.session() as s:
        return {e: principal_of(get_user_by_email(s, e)) for e in [*BUYERS, "admin@seller.test"]}


def outcome(fn):
    try:
        return fn()
    except DomainError as exc:
        return exc.items[0].code


def test_concurrent_preorders_never_take_more_than_the_batch(db, world):
    who = principals(db)
    with db.session(write=True) as s:
        batch_id = incoming.add_incoming(
            s,
            sku_code=BLK,
            warehouse_code=None,
            quantity=120,
            expected_date=utcnow().date() + timedelta(days=40),
        ).id

    def preorder(n: int) -> object:
        line = OrderLineIn(sku=BLK, quantity=12, fulfilment="preorder", incoming_id=batch_id)
        return outcome(
            lambda: db.run(
                lambda s: service.place_order(s, who[BUYERS[n % 4]], [line])[0].id, write=True
            )
        )

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(preorder, range(20)))
    placed = [r for r in results if isinstance(r, int)]
    assert len(placed) == 10, results
    assert sorted(set(results) - set(placed)) == ["insufficient_incoming"]
    with db.session() as s:
        promised = s.scalar(
            select(func.sum(OrderLine.waiting_quantity)).where(OrderLine.incoming_id == batch_id)
        )
    assert promised == 120


def test_arrivals_fills_placements_and_cancellations_at_once_keep_stock_exact(db, world):
    who = principals(db)
    gld = world.skus[GLD]
    with db.session(write=True) as s:
        s.execute(StockLevel.__table__.update().where(StockLevel.sku_id == gld).values(on_hand=0))
    rng = random.Random(11)

    def place(n: int, fulfilment: str) -> object:
        line = OrderLineIn(sku=GLD, quantity=6 * rng.randint(2, 4), fulfilment=fulfilment)
        return outcome(
            lambda: db.run(
                lambda s: service.place_order(s, who[BUYERS[n % 4]], [line])[0].id, write=True
            )
        )

    backordered = [place(n, "backorder") for n in range(12)]
    assert all(isinstance(o, int) for o in backordered), backordered

    def arrive(_: int) -> object:
        def work(s):
            add_on_hand(s, gld, world.warehouse, 24)
            return len(backorders.fill_waiting(s, [gld]))

        return outcome(lambda: db.run(work, write=True))

    def fill(_: int) -> object:
        return outcome(lambda: db.run(lambda s: len(backorders.fill_waiting(s)), write=True))

    def cancel(order_id: int) -> object:
        return outcome(
            lambda: db.run(
                lambda s: service.cancel_order(s, who["admin@seller.test"], order_id, "test").id,
                write=True,
            )
        )

    tasks = (
        [(arrive, n) for n in range(10)]
        + [(fill, n) for n in range(6)]
        + [(cancel, o) for o in backordered[::3]]
        + [(lambda n: place(n, "stock"), n) for n in range(8)]
        + [(lambda n: place(n, "backorder"), n) for n in range(8)]
    )
    rng.shuffle(tasks)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda t: t[0](t[1]), tasks))
    allowed = {"insufficient_stock"}
    assert {r for r in results if isinstance(r, str)} <= allowed, results
    with db.session(write=True) as s:
        backorders.fill_waiting(s)  # whatever a race left available goes to the queue
    with db.session() as s:
        on_hand, reserved = s.execute(
            select(func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved)).where(
                StockLevel.sku_id == gld
            )
        ).one()
        assert on_hand == 240  # ten arrivals of 24, nothing shipped
        allocated = s.scalar(
            select(func.coalesce(func.sum(OrderAllocation.quantity), 0))
            .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.sku_id == gld, Order.status.in_(sorted(RESERVED_STATUSES)))
        )
        assert reserved == allocated <= on_hand
        lines = s.execute(
            select(OrderLine, Order.status).join(Order).where(OrderLine.sku_id == gld)
        ).all()
        for line, status in lines:
            if status in RESERVED_STATUSES:
                assert line.reserved_quantity + line.waiting_quantity == line.quantity
        waiting = sum(
            line.waiting_quantity for line, status in lines if status in RESERVED_STATUSES
        )
        # First come, first served leaves nothing available while lines still wait.
        assert waiting == 0 or reserved == on_hand
