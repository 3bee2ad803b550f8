"""Bundles on the database: mining the baskets of imported invoices and orders, reading
"often ordered together" for a buyer, and bundle offers honoured by the order check."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from microbag.accounts.service import get_user_by_email, principal_of
from microbag.bundles import service
from microbag.bundles.models import BundleMiningRun, BundleRule, OrderBundleDiscount
from microbag.bundles.policies import AppliedBundle, OfferItem
from microbag.errors import DomainError
from microbag.orders import service as orders
from microbag.orders.schemas import OrderLineIn

from .helpers import BLK, GLD, RED, TAN, basket_history, mine, place


def test_mining_reads_invoices_and_orders_and_keeps_the_latest_runs(db, world, tmp_path):
    basket_history(db, tmp_path)
    mine(db)
    with db.session() as s:
        run = service.latest_run(s)
        assert run is not None and run.baskets == 11  # 8 invoices + 3 orders
        rules = {
            (r.antecedent, r.consequent): r
            for r in s.scalars(select(BundleRule).where(BundleRule.run_id == run.id))
        }
        gld_red = rules[GLD, RED]
        assert gld_red.baskets == 5 and gld_red.rank == 1
        assert gld_red.confidence == pytest.approx(5 / 10)  # GLD is in 10 baskets
        assert gld_red.support == pytest.approx(5 / 11)
        assert gld_red.lift == pytest.approx(5 * 11 / (10 * 6))  # RED in 6
    for _ in range(service.KEEP_RUNS):
        mine(db)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(BundleMiningRun)) == service.KEEP_RUNS


def test_a_buyer_sees_only_skus_it_may_order_never_the_sku_itself(db, world, tmp_path):
    basket_history(db, tmp_path)
    mine(db)
    with db.session() as s:
        staff = [t.sku for t in service.together_for(s, [GLD], 5)]
        buyer = [t.sku for t in service.together_for(s, [GLD], 5, company_id=world.company_a)]
        basket = service.together_for(s, [GLD, RED], 5, company_id=world.company_a, back_off=True)
    assert staff == [RED, BLK]  # TAN is discontinued: nobody may order it
    assert buyer == [RED, BLK]
    assert GLD not in staff and TAN not in staff
    assert {t.sku for t in basket}.isdisjoint({GLD, RED, TAN})
    assert basket[0].sku == BLK and basket[0].because_of


def test_nothing_before_mining(db, world):
    with db.session() as s:
        assert service.together_for(s, [GLD], 5) == []
        assert service.suggested_pairs(s) == []


def test_suggested_pairs_leave_out_offered_ones(db, world, tmp_path):
    basket_history(db, tmp_path)
    mine(db)
    with db.session(write=True) as s:
        pairs = service.suggested_pairs(s, min_baskets=2)
        assert pairs[0].skus in ((GLD, RED), (RED, GLD)) and pairs[0].baskets == 5
        service.create_offer(
            s,
            name="Clutch + tote",
            items=[OfferItem(GLD, 1), OfferItem(RED, 1)],
            bundle_price_minor=8_000,
            currency="EUR",
        )
        assert all(set(p.skus) != {GLD, RED} for p in service.suggested_pairs(s, min_baskets=2))


# ---- the order check honours bundle offers --------------------------------------------------


def offer(db, world, price=8_000, *, currency="EUR", price_list=None, items=((GLD, 1), (RED, 1))):
    with db.session(write=True) as s:
        return service.create_offer(
            s,
            name="Clutch + tote",
            items=[OfferItem(c, q) for c, q in items],
            bundle_price_minor=price,
            currency=None if price_list else currency,
            price_list_id=world.price_lists[price_list] if price_list else None,
            actor="sales@seller.test",
        ).id


def discounts(db, order_id):
    with db.session() as s:
        return service.order_discounts(s, order_id)


def test_a_whole_set_costs_the_bundle_price_exactly(db, world):
    offer_id = offer(db, world, price_list="EUR")
    # GLD 12 at 45.00, RED 24 at 40.50 (its 24-unit tier): 12 whole sets of 85.50 -> 80.00
    order = place(db, "buyer@a.test", (GLD, 12), (RED, 24))
    assert order.total_minor == 12 * 4_500 + 24 * 4_050 - 12 * (4_500 + 4_050 - 8_000)
    assert [line.unit_price_minor for line in order.lines] == [4_500, 4_050]  # kept
    assert discounts(db, order.id) == [
        AppliedBundle(offer_id, "Clutch + tote", 12, "EUR", 12 * 550)
    ]
    with db.session() as s:
        principal = principal_of(get_user_by_email(s, "buyer@a.test"))
        total, applied = orders.checked_order(
            s, principal, [OrderLineIn(sku=GLD, quantity=12), OrderLineIn(sku=RED, quantity=24)]
        )
    assert total == order.total_minor and applied[0].times == 12


def test_offers_of_another_currency_list_or_switched_off_do_not_apply(db, world):
    offer(db, world, currency="USD")
    offer(db, world, price_list="JPY")
    switched_off = offer(db, world, price=1)
    with db.session(write=True) as s:
        service.set_offer_active(s, switched_off, False)
    order = place(db, "buyer@a.test", (GLD, 6), (RED, 6))
    assert order.total_minor == 12 * 4_500
    assert discounts(db, order.id) == []


def test_a_set_needs_every_sku_in_its_quantity(db, world):
    offer(db, world, items=((GLD, 2), (RED, 12)), price=10_000)
    order = place(db, "buyer@a.test", (GLD, 6), (RED, 6))  # RED 6 < 12: no whole set
    assert discounts(db, order.id) == []
    order = place(db, "buyer@a.test", (GLD, 6), (RED, 30))  # two sets (RED 30 // 12)
    applied = discounts(db, order.id)
    assert applied[0].times == 2
    # each set is valued at the prices of the order: RED 30 takes its 24-unit tier, 40.50
    assert applied[0].discount_minor == 2 * (2 * 4_500 + 12 * 4_050 - 10_000)


def test_a_free_bundle_never_takes_the_total_below_zero(db, world):
    with db.session(write=True) as s:
        from microbag.pricing.models import PriceList

        s.get(PriceList, world.price_lists["EUR"]).min_order_value_minor = 0
    offer(db, world, price=0)
    order = place(db, "buyer@a.test", (GLD, 6), (RED, 6))
    assert order.total_minor == 0
    with db.session() as s:
        stored = s.scalar(
            select(OrderBundleDiscount.discount_minor).where(
                OrderBundleDiscount.order_id == order.id
            )
        )
    assert stored == 12 * 4_500


def test_the_minimum_order_value_sees_the_discounted_total(db, world):
    offer(db, world, price=1_000)  # EUR list minimum: 300.00
    with pytest.raises(DomainError) as caught:
        place(db, "buyer@a.test", (GLD, 6), (RED, 6))  # 540.00 - 6 x 80.00 = 60.00
    assert caught.value.items[0].code == "below_minimum_order_value"


def test_offer_checks(db, world):
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as caught:
            service.create_offer(
                s,
                name="x",
                items=[OfferItem(GLD, 1), OfferItem("NOPE", 1)],
                bundle_price_minor=1,
                currency="EUR",
            )
        assert caught.value.items[0].code == "unknown_sku"
        with pytest.raises(DomainError) as caught:
            service.create_offer(
                s,
                name="x",
                items=[OfferItem(GLD, 1), OfferItem(RED, 1)],
                bundle_price_minor=1,
                currency="EUR",
                price_list_id=world.price_lists["USD"],
            )
        assert caught.value.items[0].code == "currency_mismatch"
        with pytest.raises(DomainError):
            service.create_offer(
                s,
                name="x",
                items=[OfferItem(GLD, 1), OfferItem(RED, 1)],
                bundle_price_minor=1,
                currency=None,
            )
