"""Pure pricing rules: tiers, MOQ, case packs; unit tests and Hypothesis properties."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from microbag.money import to_major, to_minor
from microbag.pricing.policies import (
    SkuTerms,
    Tier,
    current_tier,
    line_total,
    quantity_errors,
    round_to_case_pack,
    unit_price,
    validate_terms,
)

TIERS = (Tier(6, 4500), Tier(24, 4050), Tier(60, 3600))


def codes(errors) -> list[str]:
    return [e.code for e in errors]


def terms(moq: int = 6, case_pack: int = 6, tiers=TIERS) -> SkuTerms:
    return SkuTerms(1, "MC-001-GLD", "EUR", moq, case_pack, tuple(tiers))


# ---- unit tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "price"),
    [(1, 4500), (6, 4500), (23, 4500), (24, 4050), (59, 4050), (60, 3600), (10_000, 3600)],
)
def test_unit_price_follows_the_breaks(quantity, price):
    assert unit_price(TIERS, quantity) == price
    assert line_total(TIERS, quantity) == price * quantity


def test_current_tier_does_not_depend_on_the_order_of_the_tiers():
    shuffled = [TIERS[2], TIERS[0], TIERS[1]]
    assert current_tier(shuffled, 10) == Tier(6, 4500)
    assert current_tier(shuffled, 30) == Tier(24, 4050)
    assert current_tier(shuffled, 600) == Tier(60, 3600)


def test_current_tier_needs_a_tier():
    with pytest.raises(ValueError):
        current_tier([], 6)


def test_valid_terms_have_no_errors():
    assert validate_terms(6, 6, TIERS) == []
    assert validate_terms(1, 1, [Tier(1, 100)]) == []
    # A first break below the MOQ is harmless: every allowed quantity reaches it.
    assert validate_terms(12, 6, [Tier(6, 100), Tier(12, 90)]) == []
    # Equal prices on consecutive breaks do not rise.
    assert validate_terms(6, 6, [Tier(6, 100), Tier(12, 100)]) == []
    # Free samples are allowed (price 0).
    assert validate_terms(6, 6, [Tier(6, 0)]) == []


def test_each_broken_rule_has_its_code():
    assert codes(validate_terms(0, 6, [Tier(1, 10)])) == [
        "invalid_moq",
        "tier_not_case_pack_multiple",
    ]
    assert codes(validate_terms(8, 6, [Tier(6, 1)])) == ["moq_not_case_pack_multiple"]
    assert codes(validate_terms(6, 6, [])) == ["no_tiers"]
    assert codes(validate_terms(6, 6, [Tier(12, 100)])) == ["first_tier_above_moq"]
    assert codes(validate_terms(6, 6, [Tier(6, -1)])) == ["negative_price"]
    assert codes(validate_terms(6, 6, [Tier(6, 10), Tier(10, 9)])) == [
        "tier_not_case_pack_multiple"
    ]
    assert codes(validate_terms(6, 6, [Tier(6, 10), Tier(6, 9)])) == ["duplicate_tier_break"]
    assert codes(validate_terms(6, 6, [Tier(6, 10), Tier(12, 11)])) == ["price_rises_with_quantity"]
    assert "invalid_tier_break" in codes(validate_terms(1, 1, [Tier(0, 10), Tier(1, 9)]))


def test_every_broken_rule_is_reported_at_once():
    errors = validate_terms(
        moq=10,
        case_pack=6,
        tiers=[Tier(12, 100), Tier(18, 120), Tier(20, -5), Tier(30, 130)],
    )
    assert set(codes(errors)) == {
        "moq_not_case_pack_multiple",
        "first_tier_above_moq",
        "price_rises_with_quantity",
        "negative_price",
        "tier_not_case_pack_multiple",
    }
    # Each rise is named, not only the first one.
    assert codes(errors).count("price_rises_with_quantity") == 2


def test_a_bad_case_pack_does_not_hide_the_other_errors():
    errors = validate_terms(0, 0, [Tier(1, 10), Tier(12, 20)])
    assert set(codes(errors)) == {"invalid_case_pack", "invalid_moq", "price_rises_with_quantity"}


def test_messages_name_the_numbers():
    (error,) = validate_terms(6, 6, [Tier(6, 10), Tier(12, 11)])
    assert "10" in error.message and "11" in error.message and "12" in error.message


def test_quantity_errors_below_moq_and_not_a_multiple():
    t = terms(moq=12, case_pack=6)
    assert quantity_errors(t, 12) == []
    assert quantity_errors(t, 18) == []
    assert codes(quantity_errors(t, 6, line=3)) == ["below_moq"]
    assert quantity_errors(t, 6, line=3)[0].line == 3
    assert codes(quantity_errors(t, 13)) == ["not_case_pack_multiple"]
    assert codes(quantity_errors(t, 7)) == ["below_moq", "not_case_pack_multiple"]


def test_quantity_hint_suggests_only_valid_quantities():
    t = terms(moq=12, case_pack=6)
    # 7: below the MOQ, so 6 is no suggestion; 12 is.
    (_, error) = quantity_errors(t, 7)
    assert error.message.endswith("(try 12)")
    (error,) = quantity_errors(t, 20)
    assert error.message.endswith("(try 18 or 24)")
    (_, error) = quantity_errors(terms(moq=6, case_pack=6), 3)
    assert error.message.endswith("(try 6)")


def test_round_to_case_pack():
    assert round_to_case_pack(1, 6, 6) == 6
    assert round_to_case_pack(7, 6, 6) == 12
    assert round_to_case_pack(12, 6, 6) == 12
    assert round_to_case_pack(13, 6, 24) == 24


# ---- Hypothesis -------------------------------------------------------------------------------


@st.composite
def valid_terms(draw) -> tuple[int, int, list[Tier]]:
    """Terms built to satisfy every invariant (a generator independent of validate_terms)."""
    case_pack = draw(st.integers(1, 24))
    moq = case_pack * draw(st.integers(1, 10))
    first = case_pack * draw(st.integers(1, moq // case_pack))
    steps = draw(st.lists(st.integers(1, 20), max_size=6))
    breaks = [first]
    for step in steps:
        breaks.append(breaks[-1] + step * case_pack)
    price = draw(st.integers(0, 2_147_483_647))
    prices = []
    for _ in breaks:
        prices.append(price)
        price -= draw(st.integers(0, max(price, 0)))
    return moq, case_pack, [Tier(b, p) for b, p in zip(breaks, prices, strict=True)]


any_tiers = st.lists(st.builds(Tier, st.integers(-3, 300), st.integers(-10, 100_000)), max_size=8)


@given(valid_terms())
def test_generated_valid_terms_pass(t):
    moq, case_pack, tiers = t
    assert validate_terms(moq, case_pack, tiers) == []


@st.composite
def candidate_terms(draw) -> tuple[int, int, list[Tier]]:
    """Valid terms with one random change, so about half still pass and half do not."""
    moq, case_pack, tiers = draw(valid_terms())
    change = draw(st.sampled_from(["none", "moq", "case_pack", "break", "price", "add"]))
    if change == "moq":
        moq = draw(st.integers(-2, 120))
    elif change == "case_pack":
        case_pack = draw(st.integers(-1, 24))
    elif change in ("break", "price"):
        i = draw(st.integers(0, len(tiers) - 1))
        old = tiers[i]
        tiers[i] = (
            Tier(draw(st.integers(-2, 300)), old.unit_price_minor)
            if change == "break"
            else Tier(old.min_quantity, draw(st.integers(-5, 2_147_483_647)))
        )
    elif change == "add":
        tiers.append(Tier(draw(st.integers(-2, 300)), draw(st.integers(-5, 10**6))))
    return moq, case_pack, tiers


@settings(max_examples=300)
@given(candidate_terms(), st.randoms(use_true_random=False))
def test_accepted_terms_never_raise_the_unit_price(t, rnd: random.Random):
    """For any terms that pass validate_terms, the unit price never rises with quantity."""
    moq, case_pack, tiers = t
    assume(validate_terms(moq, case_pack, tiers) == [])
    rnd.shuffle(tiers)  # the order tiers come in must not matter
    top = max(t.min_quantity for t in tiers) + case_pack + 2
    prices = [unit_price(tiers, q) for q in range(1, top)]
    assert all(a >= b for a, b in itertools.pairwise(prices))
    # Beyond the last break the price stays that of the last tier, whatever the quantity.
    last = max(tiers)
    assert unit_price(tiers, top + 10**9) == last.unit_price_minor


@settings(max_examples=300)
@given(valid_terms(), st.integers(1, 10**9), st.integers(1, 10**9))
def test_unit_price_never_rises_between_any_two_quantities(t, q1, q2):
    _moq, _case_pack, tiers = t
    low, high = sorted((q1, q2))
    assert unit_price(tiers, low) >= unit_price(tiers, high)


@given(
    valid_terms(),
    st.integers(1, 10**7),
    st.sampled_from(["EUR", "USD", "JPY", "KRW", "BHD"]),
)
def test_line_totals_are_exact(t, quantity, currency):
    _moq, _case_pack, tiers = t
    total = line_total(tiers, quantity)
    price = unit_price(tiers, quantity)
    # Integer minor units: exact even far beyond what a float holds exactly (2**53).
    assert isinstance(total, int)
    assert total == price * quantity
    assert Decimal(total) == Decimal(price) * Decimal(quantity)
    # Shown in major units and read back, nothing is lost in any currency's precision.
    assert isinstance(to_major(total, currency), Decimal)
    assert to_minor(to_major(total, currency), currency) == total


@given(valid_terms(), st.data())
def test_any_price_rise_is_rejected(t, data):
    moq, case_pack, tiers = t
    assume(len(tiers) >= 2)
    i = data.draw(st.integers(1, len(tiers) - 1))
    rise = data.draw(st.integers(1, 10**6))
    tiers[i] = Tier(tiers[i].min_quantity, tiers[i - 1].unit_price_minor + rise)
    assert "price_rises_with_quantity" in codes(validate_terms(moq, case_pack, tiers))


@settings(max_examples=300)
@given(st.integers(-2, 60), st.integers(-1, 24), any_tiers)
def test_rising_prices_are_always_rejected(moq, case_pack, tiers):
    """Whatever else is wrong, distinct breaks whose price rises are reported."""
    ordered = sorted(tiers)
    breaks = [t.min_quantity for t in ordered]
    assume(len(set(breaks)) == len(breaks))
    rises = any(b.unit_price_minor > a.unit_price_minor for a, b in itertools.pairwise(ordered))
    assert rises == ("price_rises_with_quantity" in codes(validate_terms(moq, case_pack, tiers)))


@given(valid_terms(), st.integers(-50, 5000))
def test_quantity_checks_agree_with_the_terms(t, quantity):
    moq, case_pack, tiers = t
    sku_terms = terms(moq, case_pack, tiers)
    errors = codes(quantity_errors(sku_terms, quantity))
    assert ("below_moq" in errors) == (quantity < moq)
    assert ("not_case_pack_multiple" in errors) == (quantity % case_pack != 0)
    fixed = round_to_case_pack(quantity, case_pack, moq)
    assert fixed >= quantity and quantity_errors(sku_terms, fixed) == []
