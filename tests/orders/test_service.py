"""Order use cases through the service layer, against the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from microbag.buyers.models import Company
from microbag.catalog.models import Sku
from microbag.errors import DomainError, Forbidden, NotFound
from microbag.orders import service
from microbag.orders.models import IdempotencyRecord, Order, OrderAllocation
from microbag.pricing.models import PriceListItem

from .support import codes, lines

GLD, BLK, RED, TAN = "MC-001-GLD", "MC-001-BLK", "MT-001-RED", "CB-001-TAN"


def place(db, principal, *pairs, **kwargs):
    with db.session(write=True) as s:
        return service.place_order(s, principal, lines(*pairs), **kwargs)


def place_error(db, principal, *pairs, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        place(db, principal, *pairs, **kwargs)
    return err.value


def count_orders(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Order)) or 0


def test_place_prices_by_tier_reserves_and_records(db, world, who, stock_of):
    buyer = who("buyer@a.test")
    order, created = place(db, buyer, (GLD, 12), (RED, 24))
    assert created
    assert order.status == "placed"
    assert order.currency == "EUR"
    assert [(ln.line_no, ln.sku_code, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        (1, GLD, 12, 4_500),
        (2, RED, 24, 4_050),
    ]
    assert order.total_minor == 12 * 4_500 + 24 * 4_050
    assert order.total_minor == sum(ln.line_total_minor for ln in order.lines)
    assert order.placed_at is not None
    assert [(e.from_status, e.to_status, e.actor_label) for e in order.events] == [
        (None, "placed", "buyer@a.test")
    ]
    assert stock_of(world.skus[GLD]) == (100, 12)
    assert stock_of(world.skus[RED]) == (100, 24)
    with db.session() as s:
        allocated = s.execute(
            select(OrderAllocation.warehouse_id, OrderAllocation.quantity).order_by(
                OrderAllocation.quantity
            )
        ).all()
    assert [tuple(a) for a in allocated] == [(world.warehouse, 12), (world.warehouse, 24)]


def test_placement_reserves_through_the_stock_service(db, world, who, stock_of, monkeypatch):
    # Stock rows are written only by the stock package: placement calls its bulk reserve
    # once per order, with every planned (SKU, warehouse, quantity) row.
    from microbag.stock import service as stock_service

    calls = []
    real = stock_service.reserve_rows

    def spy(session, rows):
        calls.append(sorted(rows))
        return real(session, rows)

    monkeypatch.setattr(stock_service, "reserve_rows", spy)
    place(db, who("buyer@a.test"), (GLD, 12), (RED, 24))
    assert calls == [
        sorted([(world.skus[GLD], world.warehouse, 12), (world.skus[RED], world.warehouse, 24)])
    ]
    assert stock_of(world.skus[GLD]) == (100, 12)


def test_every_failing_line_is_reported_and_nothing_reserved(db, world, who, stock_of):
    err = place_error(
        db,
        who("owner@a.test"),
        (GLD, 12),
        ("NOPE-404", 6),
        (BLK, 3),  # below MOQ 6 and not a multiple of 6
        (RED, 13),  # not a multiple of 6
        (TAN, 102),  # more than the 100 in stock
    )
    assert err.status == 422
    assert codes(err.items) == [
        ("unknown_sku", 2),
        ("below_moq", 3),
        ("not_case_pack_multiple", 3),
        ("not_case_pack_multiple", 4),
        ("insufficient_stock", 5),
    ]
    assert all(i.message for i in err.items)
    assert "NOPE-404" in err.items[0].message
    for sku_id in world.skus.values():
        assert stock_of(sku_id) == (100, 0)
    assert count_orders(db) == 0


def test_stock_alone_is_409(db, world, who):
    err = place_error(db, who("buyer@a.test"), (GLD, 12), (TAN, 102))
    assert err.status == 409
    assert codes(err.items) == [("insufficient_stock", 2)]
    assert "only 100 available" in err.items[0].message


def test_inactive_sku_and_sku_off_the_price_list_are_unknown(db, world, who):
    with db.session(write=True) as s:
        s.execute(update(Sku).where(Sku.code == BLK).values(lifecycle="discontinued"))
        s.execute(
            PriceListItem.__table__.delete().where(
                PriceListItem.sku_id == world.skus[RED],
                PriceListItem.price_list_id == world.price_lists["EUR"],
            )
        )
    err = place_error(db, who("buyer@a.test"), (GLD, 12), (BLK, 12), (RED, 12))
    assert codes(err.items) == [("unknown_sku", 2), ("unknown_sku", 3)]


def test_duplicate_sku_lines_are_rejected(db, world, who):
    err = place_error(db, who("buyer@a.test"), (GLD, 12), (RED, 12), (GLD, 6))
    assert codes(err.items) == [("duplicate_sku", 3)]


def test_minimum_order_value(db, world, who):
    # 6 x 45.00 EUR = 270.00, below the EUR list's 300.00.
    err = place_error(db, who("buyer@a.test"), (GLD, 6))
    assert codes(err.items) == [("below_minimum_order_value", None)]
    order, _ = place(db, who("buyer@a.test"), (GLD, 6), (BLK, 6))
    assert order.total_minor == 54_000


def test_credit_limit_counts_open_unpaid_orders(db, world, who):
    with db.session(write=True) as s:
        s.get(Company, world.company_a).credit_limit_minor = 100_000
    buyer = who("buyer@a.test")
    first, _ = place(db, buyer, (GLD, 12))  # 54,000 of 100,000
    err = place_error(db, buyer, (BLK, 12))  # 54,000 more: over the limit
    assert codes(err.items) == [("credit_limit_exceeded", None)]
    assert err.status == 422
    # Payment frees the credit.
    with db.session(write=True) as s:
        service.mark_paid(s, who("sales@seller.test"), first.id)
    second, _ = place(db, buyer, (BLK, 12))
    assert second.status == "placed"
    # A cancelled order no longer counts either.
    with db.session(write=True) as s:
        service.cancel_order(s, buyer, second.id)
    place(db, buyer, (RED, 12))


def test_order_level_errors_come_with_line_errors(db, world, who):
    with db.session(write=True) as s:
        s.get(Company, world.company_a).credit_limit_minor = 10_000
    err = place_error(db, who("buyer@a.test"), (GLD, 6), (TAN, 102))
    assert codes(err.items) == [
        ("insufficient_stock", 2),
        ("credit_limit_exceeded", None),
    ]
    assert err.status == 422


def test_prepaid_company_skips_the_credit_check(db, world, who):
    order, _ = place(db, who("buyer@prepaid.test"), (GLD, 60))
    assert order.currency == "JPY"
    assert order.total_minor == 60 * 6_500 * 8 // 10


def test_roles_that_may_not_place(db, world, who):
    for email in ("viewer@a.test", "admin@seller.test", "sales@seller.test"):
        with pytest.raises(Forbidden):
            place(db, who(email), (GLD, 12))


# ---- idempotency -----------------------------------------------------------------------------


def test_same_key_same_lines_returns_the_first_order(db, world, who, stock_of):
    buyer = who("buyer@a.test")
    first, created = place(db, buyer, (GLD, 12), idempotency_key="k-1")
    again, created_again = place(db, buyer, (GLD, 12), idempotency_key="k-1")
    assert created and not created_again
    assert again.id == first.id
    assert count_orders(db) == 1
    assert stock_of(world.skus[GLD]) == (100, 12)
    # Another user of the same company replaying the key gets the same order too.
    third, created_third = place(db, who("owner@a.test"), (GLD, 12), idempotency_key="k-1")
    assert third.id == first.id and not created_third


def test_same_key_other_lines_is_rejected(db, world, who):
    buyer = who("buyer@a.test")
    place(db, buyer, (GLD, 12), idempotency_key="k-2")
    err = place_error(db, buyer, (GLD, 18), idempotency_key="k-2")
    assert codes(err.items) == [("idempotency_key_reused", None)]
    assert err.status == 422
    assert count_orders(db) == 1


def test_replay_wins_over_stock_that_is_gone_since(db, world, who):
    buyer = who("buyer@a.test")
    first, _ = place(db, buyer, (TAN, 96), idempotency_key="k-3")
    # Only 4 left now, so re-checking would fail; the replay answers the first order.
    again, created = place(db, buyer, (TAN, 96), idempotency_key="k-3")
    assert again.id == first.id and not created


def test_keys_are_per_company(db, world, who):
    a, _ = place(db, who("buyer@a.test"), (GLD, 12), idempotency_key="shared")
    b, created = place(db, who("buyer@b.test"), (GLD, 12), idempotency_key="shared")
    assert created and b.id != a.id
    assert b.currency == "USD"


def test_failed_placement_stores_no_key_and_replay_revalidates(db, world, who):
    buyer = who("buyer@a.test")
    err = place_error(db, buyer, (TAN, 120), idempotency_key="k-4")
    assert err.status == 409
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
    with db.session(write=True) as s:
        from microbag.stock.service import set_on_hand

        set_on_hand(s, world.skus[TAN], world.warehouse, 200)
    order, created = place(db, buyer, (TAN, 120), idempotency_key="k-4")
    assert created and order.total_minor == 120 * 3_600


# ---- the quote path --------------------------------------------------------------------------


def test_quote_path_uses_agreed_prices_without_terms(db, world, who, stock_of):
    buyer = who("buyer@a.test")
    order, created = place(
        db,
        buyer,
        (GLD, 2),  # below MOQ and case pack: agreed in the quote
        (RED, 5),
        quote_id=77,
        unit_prices={GLD: 9_900},  # RED falls back to its list price
        enforce_terms=False,
    )
    assert created and order.quote_id == 77
    assert [(ln.unit_price_minor, ln.line_total_minor) for ln in order.lines] == [
        (9_900, 19_800),
        (4_500, 22_500),
    ]
    assert order.total_minor == 42_300  # below the minimum order value: not enforced
    assert stock_of(world.skus[GLD]) == (100, 2)
    assert "quote 77" in order.events[0].reason


def test_quote_path_still_rejects_unknown_skus_and_may_skip_stock(db, world, who, stock_of):
    buyer = who("buyer@a.test")
    err = place_error(
        db, buyer, ("NOPE", 5), unit_prices={"NOPE": 100}, enforce_terms=False, quote_id=1
    )
    assert codes(err.items) == [("unknown_sku", 1)]
    order, _ = place(
        db,
        buyer,
        (TAN, 500),  # made to order: more than in stock, nothing reserved
        quote_id=2,
        unit_prices={TAN: 3_000},
        enforce_terms=False,
        reserve_stock=False,
    )
    assert order.total_minor == 1_500_000
    assert stock_of(world.skus[TAN]) == (100, 0)
    with db.session(write=True) as s:
        service.cancel_order(s, buyer, order.id)
    assert stock_of(world.skus[TAN]) == (100, 0)


# ---- reading ----------------------------------------------------------------------------------


def test_orders_are_scoped_to_the_company(db, world, who):
    order, _ = place(db, who("buyer@a.test"), (GLD, 12))
    place(db, who("buyer@b.test"), (GLD, 12))
    with db.session() as s:
        assert service.get_order(s, who("viewer@a.test"), order.id).id == order.id
        assert service.get_order(s, who("admin@seller.test"), order.id).id == order.id
        with pytest.raises(NotFound):
            service.get_order(s, who("owner@b.test"), order.id)
        with pytest.raises(NotFound):
            service.get_order(s, who("owner@a.test"), 999_999)
        items, total = service.list_orders(s, who("viewer@a.test"))
        assert total == 1 and [o.id for o in items] == [order.id]
        # A buyer's company_id filter cannot widen the scope.
        items, total = service.list_orders(s, who("viewer@a.test"), company_id=world.company_b)
        assert [o.company_id for o in items] == [world.company_a]
        items, total = service.list_orders(s, who("merch@seller.test"))
        assert total == 2
        items, total = service.list_orders(s, who("merch@seller.test"), company_id=world.company_b)
        assert total == 1 and items[0].company_id == world.company_b
        assert service.list_orders(s, who("sales@seller.test"), status="shipped") == ([], 0)


def test_list_pages_newest_first(db, world, who):
    buyer = who("buyer@a.test")
    ids = [place(db, buyer, (GLD, 12))[0].id for _ in range(5)]
    with db.session() as s:
        page1, total = service.list_orders(s, buyer, offset=0, limit=2)
        page3, _ = service.list_orders(s, buyer, offset=4, limit=2)
    assert total == 5
    assert [o.id for o in page1] == ids[::-1][:2]
    assert [o.id for o in page3] == [ids[0]]


# ---- transitions ------------------------------------------------------------------------------


def test_full_lifecycle_moves_stock_and_records_every_step(db, world, who, stock_of):
    buyer, sales = who("buyer@a.test"), who("sales@seller.test")
    order, _ = place(db, buyer, (GLD, 12), (RED, 6), (BLK, 6))
    with db.session(write=True) as s:
        service.confirm_order(s, sales, order.id)
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as err:
            service.ship_order(s, sales, order.id, "  ")
        assert err.value.items[0].code == "tracking_ref_required"
    with db.session(write=True) as s:
        shipped = service.ship_order(s, sales, order.id, "1Z999AA10123456784")
        assert shipped.tracking_ref == "1Z999AA10123456784"
    assert stock_of(world.skus[GLD]) == (88, 0)
    assert stock_of(world.skus[RED]) == (94, 0)
    with db.session(write=True) as s:
        service.deliver_order(s, who("admin@seller.test"), order.id)
    with db.session(write=True) as s:
        paid = service.mark_paid(s, sales, order.id)
        assert paid.paid_at is not None
    with db.session() as s:
        final = service.get_order(s, buyer, order.id)
        assert final.status == "delivered"
        assert [(e.from_status, e.to_status, e.actor_label) for e in final.events] == [
            (None, "placed", "buyer@a.test"),
            ("placed", "confirmed", "sales@seller.test"),
            ("confirmed", "shipped", "sales@seller.test"),
            ("shipped", "delivered", "admin@seller.test"),
            ("delivered", "delivered", "sales@seller.test"),
        ]
        assert all(e.at is not None for e in final.events)
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as err:
            service.mark_paid(s, sales, order.id)
        assert err.value.items[0].code == "already_paid"
        with pytest.raises(DomainError) as err:
            service.cancel_order(s, sales, order.id, "too late")
        assert err.value.status == 409


def test_cancel_releases_and_buyers_stop_at_confirmation(db, world, who, stock_of):
    buyer, sales = who("buyer@a.test"), who("sales@seller.test")
    order, _ = place(db, buyer, (GLD, 24))
    assert stock_of(world.skus[GLD]) == (100, 24)
    with db.session(write=True) as s:
        service.confirm_order(s, sales, order.id)
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as err:
            service.cancel_order(s, buyer, order.id)
        assert err.value.items[0].code == "invalid_transition"
        with pytest.raises(DomainError) as err:
            service.cancel_order(s, sales, order.id)
        assert err.value.items[0].code == "reason_required"
    with db.session(write=True) as s:
        cancelled = service.cancel_order(s, sales, order.id, "leather batch failed QC")
    assert cancelled.status == "cancelled"
    assert cancelled.events[-1].reason == "leather batch failed QC"
    assert stock_of(world.skus[GLD]) == (100, 0)
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as err:
            service.cancel_order(s, sales, order.id, "again")
        assert err.value.items[0].code == "invalid_transition"
    assert stock_of(world.skus[GLD]) == (100, 0)


def test_buyer_cancels_own_placed_order(db, world, who, stock_of):
    order, _ = place(db, who("buyer@a.test"), (GLD, 12))
    with db.session(write=True) as s:
        with pytest.raises(NotFound):
            service.cancel_order(s, who("owner@b.test"), order.id)
        with pytest.raises(Forbidden):
            service.cancel_order(s, who("viewer@a.test"), order.id)
    with db.session(write=True) as s:
        service.cancel_order(s, who("owner@a.test"), order.id, "changed our mind")
    assert stock_of(world.skus[GLD]) == (100, 0)


def test_transitions_need_staff_roles(db, world, who):
    order, _ = place(db, who("buyer@a.test"), (GLD, 12))
    with db.session(write=True) as s:
        for email in ("buyer@a.test", "owner@a.test", "merch@seller.test"):
            with pytest.raises(Forbidden):
                service.confirm_order(s, who(email), order.id)
            with pytest.raises(Forbidden):
                service.mark_paid(s, who(email), order.id)
        with pytest.raises(DomainError) as err:
            service.deliver_order(s, who("admin@seller.test"), order.id)
        assert err.value.items[0].code == "invalid_transition"


def test_amounts_too_large_for_the_database_are_refused(db, world, who):
    err = place_error(
        db,
        who("buyer@prepaid.test"),
        (GLD, 1_000_000),
        quote_id=5,
        unit_prices={GLD: 10_000_000_000},  # 10^16 minor units in all: beyond 2^53
        enforce_terms=False,
        reserve_stock=False,
    )
    assert codes(err.items) == [("amount_too_large", 1)]
    err = place_error(
        db,
        who("buyer@prepaid.test"),
        (GLD, 6),
        quote_id=6,
        unit_prices={GLD: -1},
        enforce_terms=False,
    )
    assert codes(err.items) == [("invalid_unit_price", 1)]


def test_check_order_reports_what_placing_would_and_writes_nothing(db, world, who, stock_of):
    buyer = who("buyer@a.test")
    gld = world.skus[GLD]
    before = stock_of(gld)
    with db.session() as s:
        with pytest.raises(DomainError) as err:
            service.check_order(s, buyer, lines((GLD, 3), (RED, 7)))
    found = {(e.code, e.line) for e in err.value.items}
    assert ("below_moq", 1) in found
    assert ("not_case_pack_multiple", 2) in found
    with db.session() as s:
        total = service.check_order(s, buyer, lines((GLD, 12), (RED, 24)))
    order, _ = place(db, buyer, (GLD, 12), (RED, 24))
    assert total == order.total_minor
    assert count_orders(db) == 1
    assert stock_of(gld) == (before[0], before[1] + 12)  # only the placement reserved
