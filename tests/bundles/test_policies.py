"""Pure bundle rules: ranking a basket's partners, checking offers, the bundle discount."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microbag.bundles.policies import (
    AppliedBundle,
    OfferItem,
    OfferTerms,
    Partner,
    PricedLine,
    bundle_discounts,
    offer_errors,
    rank_together,
    total_discount,
)
from microbag.errors import DomainError


def p(sku: str, score: float) -> Partner:
    return Partner(sku, score, 3, 0.5, 2.0)


PARTNERS = {
    "A": [p("B", 0.9), p("C", 0.5), p("D", 0.1)],
    "B": [p("A", 0.9), p("C", 0.6)],
    "C": [p("A", 0.5), p("B", 0.6)],
}


def test_scores_add_up_over_the_basket_and_never_name_its_own_items() -> None:
    ranked = rank_together({"A", "B"}, PARTNERS, 5)
    assert [t.sku for t in ranked] == ["C", "D"]
    assert ranked[0].score == pytest.approx(1.1)
    assert ranked[0].because_of == ("B", "A")  # strongest first
    assert [t.rank for t in ranked] == [1, 2]


def test_allowed_and_popular_back_off() -> None:
    ranked = rank_together({"A"}, PARTNERS, 4, popular=["A", "E", "C", "F"], allowed={"C", "E"})
    assert [t.sku for t in ranked] == ["C", "E"]  # B and D not allowed, A in the basket
    assert ranked[1].because_of == () and ranked[1].score == 0.0
    assert rank_together({"A"}, PARTNERS, 0) == []


def test_ties_go_to_the_more_popular_sku() -> None:
    partners = {"X": [p("M", 0.5), p("N", 0.5)]}
    assert [t.sku for t in rank_together({"X"}, partners, 2, popular=["N", "M"])] == ["N", "M"]


@given(
    basket=st.sets(st.sampled_from("ABCDEFG"), max_size=5),
    top=st.integers(0, 8),
)
def test_never_the_basket_ranks_one_to_k_unique(basket: set[str], top: int) -> None:
    ranked = rank_together(basket, PARTNERS, top, popular=list("GFEDCBA"))
    skus = [t.sku for t in ranked]
    assert not set(skus) & basket
    assert len(skus) == len(set(skus)) <= top
    assert [t.rank for t in ranked] == list(range(1, len(ranked) + 1))


# ---- offers ----------------------------------------------------------------------------------


def test_offer_errors_all_at_once() -> None:
    codes = {e.code for e in offer_errors("", [OfferItem("A", 0), OfferItem("A", 1)], -1)}
    assert codes == {
        "invalid_name",
        "too_few_skus",
        "duplicate_sku",
        "invalid_quantity",
        "invalid_price",
    }
    assert offer_errors("Tote + clutch", [OfferItem("A", 1), OfferItem("B", 2)], 0) == []


TOTE_CLUTCH = OfferTerms(
    1, "Tote + clutch", "EUR", 7_000, (OfferItem("TOTE", 1), OfferItem("CLUTCH", 1))
)


def line(sku: str, quantity: int, price: int) -> PricedLine:
    return PricedLine(sku, quantity, price)


def test_a_whole_set_gets_the_bundle_price_exactly() -> None:
    lines = [line("TOTE", 3, 4_500), line("CLUTCH", 2, 3_999), line("OTHER", 1, 100)]
    applied = bundle_discounts(lines, [TOTE_CLUTCH], "EUR")
    # two whole sets (two clutches); each saves 4,500 + 3,999 - 7,000 = 1,499
    assert applied == [AppliedBundle(1, "Tote + clutch", 2, "EUR", 2_998)]


def test_quantities_per_set_other_currency_and_a_price_above_the_set() -> None:
    two_totes = OfferTerms(
        2, "Two totes", "EUR", 5_000, (OfferItem("TOTE", 2), OfferItem("CLUTCH", 1))
    )
    lines = [line("TOTE", 3, 3_000), line("CLUTCH", 5, 2_000)]
    assert bundle_discounts(lines, [two_totes], "EUR") == [
        AppliedBundle(2, "Two totes", 1, "EUR", 3_000)
    ]
    assert bundle_discounts(lines, [two_totes], "USD") == []
    dear = OfferTerms(3, "Dear", "EUR", 99_999, TOTE_CLUTCH.items)
    assert bundle_discounts(lines, [dear], "EUR") == []  # never raises a price
    assert bundle_discounts([line("TOTE", 1, 3_000)], [TOTE_CLUTCH], "EUR") == []


def test_each_unit_counts_towards_one_set_largest_saving_first() -> None:
    small = OfferTerms(1, "small", "EUR", 7_000, (OfferItem("A", 1), OfferItem("B", 1)))
    big = OfferTerms(2, "big", "EUR", 5_000, (OfferItem("A", 1), OfferItem("C", 1)))
    lines = [line("A", 1, 4_000), line("B", 1, 4_000), line("C", 1, 4_000)]
    assert bundle_discounts(lines, [small, big], "EUR") == [
        AppliedBundle(2, "big", 1, "EUR", 3_000)
    ]


offers_strategy = st.lists(
    st.builds(
        lambda i, price, items: OfferTerms(i, f"o{i}", "EUR", price, tuple(items)),
        st.integers(1, 1000),
        st.integers(0, 50_000),
        st.lists(
            st.builds(OfferItem, st.sampled_from("ABCD"), st.integers(1, 3)),
            min_size=2,
            max_size=3,
            unique_by=lambda i: i.sku,
        ),
    ),
    max_size=4,
    unique_by=lambda o: o.offer_id,
)


@given(
    lines=st.lists(
        st.builds(PricedLine, st.sampled_from("ABCDE"), st.integers(1, 20), st.integers(0, 9_999)),
        max_size=5,
        unique_by=lambda x: x.sku,
    ),
    offers=offers_strategy,
)
def test_the_discount_never_exceeds_the_units_it_covers(lines, offers) -> None:
    applied = bundle_discounts(lines, offers, "EUR")
    subtotal = sum(x.quantity * x.unit_price_minor for x in lines)
    assert 0 <= total_discount(applied) <= subtotal
    used: dict[str, int] = {}
    by_id = {o.offer_id: o for o in offers}
    for a in applied:
        assert a.times > 0 and a.discount_minor > 0
        for item in by_id[a.offer_id].items:
            used[item.sku] = used.get(item.sku, 0) + item.quantity * a.times
    quantities = {x.sku: x.quantity for x in lines}
    assert all(used[sku] <= quantities[sku] for sku in used)


def test_domain_error_shape() -> None:
    from microbag.bundles.policies import check_offer

    with pytest.raises(DomainError) as caught:
        check_offer("x", [OfferItem("A", 1)], 100)
    assert caught.value.status == 422
