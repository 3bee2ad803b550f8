"""Hypothesis: over random sequences of place / cancel / restock, totals equal the sum of
their lines, stock is never negative nor over-reserved, and an order is placed exactly
when a model of the rules says it should be."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from microbag.errors import DomainError
from microbag.orders import service
from microbag.orders.models import Order, OrderAllocation, OrderLine
from microbag.orders.policies import RESERVED_STATUSES
from microbag.stock.models import StockLevel
from microbag.stock.service import set_on_hand

from .support import lines

SKUS = ("MC-001-GLD", "MC-001-BLK", "MT-001-RED", "CB-001-TAN")
# The JPY list of the test world: MOQ 6, case pack 6, tiers 6 / 24 / 60.
TIERS = ((60, 5_200), (24, 5_850), (6, 6_500))
BUYER = "buyer@prepaid.test"  # prepaid: no credit limit, no minimum order value


def unit_price(quantity: int) -> int:
    return next(price for start, price in TIERS if quantity >= start)


quantities = st.one_of(st.sampled_from((6, 12, 24, 60, 96)), st.integers(1, 130))
place_op = st.tuples(
    st.just("place"),
    st.lists(
        st.tuples(st.sampled_from(SKUS), quantities),
        min_size=1,
        max_size=3,
        unique_by=lambda pair: pair[0],
    ),
)
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 20))
restock_op = st.tuples(st.just("restock"), st.sampled_from(SKUS), st.integers(0, 150))
operations = st.lists(st.one_of(place_op, cancel_op, restock_op), min_size=1, max_size=10)


def check_invariants(db) -> None:
    with db.session() as s:
        for level in s.scalars(select(StockLevel)):
            assert 0 <= level.reserved <= level.on_hand
        reserved = dict(
            s.execute(
                select(StockLevel.sku_id, func.sum(StockLevel.reserved)).group_by(StockLevel.sku_id)
            ).all()
        )
        allocated = dict(
            s.execute(
                select(OrderLine.sku_id, func.sum(OrderAllocation.quantity))
                .join(OrderAllocation, OrderAllocation.line_id == OrderLine.id)
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.status.in_(RESERVED_STATUSES))
                .group_by(OrderLine.sku_id)
            ).all()
        )
        for sku_id, units in reserved.items():
            assert units == allocated.get(sku_id, 0)
        for order in s.scalars(select(Order)):
            assert order.total_minor == sum(ln.line_total_minor for ln in order.lines)
            for ln in order.lines:
                assert ln.line_total_minor == ln.unit_price_minor * ln.quantity
                assert ln.unit_price_minor == unit_price(ln.quantity)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_random_place_cancel_restock_keep_stock_and_totals_sound(db, world, who, ops):
    buyer = who(BUYER)
    # Examples share the database: start each one from what is there now.
    with db.session() as s:
        levels = {lv.sku_id: lv for lv in s.scalars(select(StockLevel))}
        open_ids = list(
            s.scalars(
                select(Order.id)
                .where(Order.status == "placed", Order.company_id == world.company_prepaid)
                .order_by(Order.id)
            )
        )
    available = {
        code: levels[world.skus[code]].on_hand - levels[world.skus[code]].reserved for code in SKUS
    }

    for op in ops:
        if op[0] == "place":
            pairs = op[1]
            valid_terms = all(q >= 6 and q % 6 == 0 for _, q in pairs)
            in_stock = all(available[sku] >= q for sku, q in pairs)
            try:
                with db.session(write=True) as s:
                    order, _ = service.place_order(s, buyer, lines(*pairs))
            except DomainError as err:
                assert not (valid_terms and in_stock), err.items
                codes = {i.code for i in err.items}
                assert ("insufficient_stock" in codes) == (not in_stock)
                assert err.status == (409 if valid_terms else 422)
            else:
                assert valid_terms and in_stock
                assert order.total_minor == sum(unit_price(q) * q for _, q in pairs)
                for sku, q in pairs:
                    available[sku] -= q
                open_ids.append(order.id)
        elif op[0] == "cancel":
            if not open_ids:
                continue
            order_id = open_ids.pop(op[1] % len(open_ids))
            with db.session(write=True) as s:
                cancelled = service.cancel_order(s, buyer, order_id)
                for ln in cancelled.lines:
                    available[ln.sku_code] += ln.quantity
        else:
            _, sku, on_hand = op
            sku_id = world.skus[sku]
            try:
                with db.session(write=True) as s:
                    level = set_on_hand(s, sku_id, world.warehouse, on_hand)
                    available[sku] = level.on_hand - level.reserved
            except DomainError as err:
                assert err.items[0].code == "below_reserved"
        check_invariants(db)
