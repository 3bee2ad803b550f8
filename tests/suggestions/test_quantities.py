"""Quantities of a suggested order: MOQ, case packs, supply, budget/credit, minimum order value."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from microbag.pricing.policies import Tier
from microbag.suggestions.quantities import LineTerms, plan_quantities

TIERS = (Tier(12, 1000), Tier(48, 900))


def line(sku="A", wanted=10, moq=12, case_pack=12, tiers=TIERS, supply=None) -> LineTerms:
    return LineTerms(sku, wanted, moq, case_pack, tuple(tiers), supply)


def test_raised_to_moq_and_rounded_to_cases():
    plan = plan_quantities([line(wanted=5, moq=12, case_pack=12)], currency="EUR")
    (only,) = plan.lines
    assert only.units == 12
    assert only.rules == ("raised to the minimum order quantity of 12",)
    plan = plan_quantities([line(wanted=30, moq=12, case_pack=12)], currency="EUR")
    assert plan.lines[0].units == 36
    assert plan.lines[0].rules == ("rounded up to a case of 12",)
    assert plan.lines[0].unit_price_minor == 1000
    assert plan.total_minor == 36_000


def test_tier_price_applies_to_the_planned_quantity():
    plan = plan_quantities([line(wanted=48)], currency="EUR")
    assert plan.lines[0].unit_price_minor == 900
    assert plan.lines[0].rules == ()


def test_supply_trims_or_drops():
    plan = plan_quantities([line(wanted=60, supply=30)], currency="EUR")
    assert plan.lines[0].units == 24
    assert "trimmed to the 24 available by the ship window" in plan.lines[0].rules
    plan = plan_quantities([line(wanted=60, supply=11)], currency="EUR")
    assert plan.lines == ()
    assert plan.dropped[0].reason.startswith("only 11 available by the ship window")


def test_budget_trims_then_leaves_out_and_keeps_smaller_lines():
    lines = [line("A", 48), line("B", 48), line("C", 12, tiers=(Tier(12, 100),))]
    plan = plan_quantities(lines, currency="EUR", budget_minor=60_000)
    units = {p.sku: p.units for p in plan.lines}
    # A: 48 x 9.00 = 432; B does not fit at 48 (432), fits 12 x 10 = 120; C 12 x 1 = 12.
    assert units == {"A": 48, "B": 12, "C": 12}
    b = next(p for p in plan.lines if p.sku == "B")
    assert any("trimmed to your budget" in r for r in b.rules)
    assert plan.total_minor <= 60_000
    plan = plan_quantities(lines, currency="EUR", budget_minor=44_400)
    assert [d.sku for d in plan.dropped] == ["B"]
    assert plan.dropped[0].reason == "left out: over your budget"


def test_credit_is_the_cap_when_lower_than_the_budget():
    plan = plan_quantities(
        [line(wanted=48)], currency="EUR", budget_minor=100_000, credit_minor=20_000
    )
    assert plan.cap_kind == "remaining credit"
    assert plan.lines[0].units == 12
    assert any("trimmed to your remaining credit" in r for r in plan.lines[0].rules)


def test_minimum_order_value_tops_up_by_cases():
    plan = plan_quantities(
        [line("A", 12), line("B", 12)], currency="EUR", minimum_order_minor=45_000
    )
    assert plan.total_minor >= 45_000
    assert not plan.below_minimum
    assert any("to reach the minimum order value" in r for p in plan.lines for r in p.rules)
    assert all(p.units % 12 == 0 for p in plan.lines)


def test_minimum_not_reachable_is_flagged_with_the_amount_missing():
    plan = plan_quantities([line(wanted=12, supply=12)], currency="EUR", minimum_order_minor=50_000)
    assert plan.below_minimum
    assert plan.missing_minor == 38_000
    assert plan.notes[0].startswith("Below the minimum order value of €500.00: add €380.00")


tiers_strategy = st.lists(
    st.tuples(st.integers(1, 20), st.integers(0, 5_000)), min_size=1, max_size=3
)


@st.composite
def line_terms(draw, sku: str) -> LineTerms:
    case_pack = draw(st.integers(1, 24))
    moq = case_pack * draw(st.integers(1, 5))
    breaks = sorted({case_pack * m for m, _ in draw(tiers_strategy)} | {moq})
    prices = sorted((draw(st.integers(0, 5_000)) for _ in breaks), reverse=True)
    tiers = tuple(Tier(q, p) for q, p in zip(breaks, prices, strict=True) if q >= moq)
    supply = draw(st.none() | st.integers(0, 500))
    return LineTerms(sku, draw(st.integers(0, 400)), moq, case_pack, tiers, supply)


@st.composite
def order_lines(draw) -> list[LineTerms]:
    n = draw(st.integers(0, 6))
    return [draw(line_terms(f"S{i}")) for i in range(n)]


@settings(max_examples=100, deadline=None)
@given(
    lines=order_lines(),
    minimum=st.integers(0, 200_000),
    budget=st.none() | st.integers(0, 300_000),
    credit=st.none() | st.integers(0, 300_000),
)
def test_plan_invariants(lines, minimum, budget, credit):
    plan = plan_quantities(
        lines, currency="USD", minimum_order_minor=minimum, budget_minor=budget, credit_minor=credit
    )
    by_sku = {x.sku: x for x in lines}
    # Every line is kept or dropped, once, in rank order.
    assert [p.sku for p in plan.lines] + [d.sku for d in plan.dropped] != [] or not lines
    assert sorted([p.sku for p in plan.lines] + [d.sku for d in plan.dropped]) == sorted(by_sku)
    for p in plan.lines:
        terms = by_sku[p.sku]
        assert p.units % terms.case_pack == 0
        assert p.units >= terms.moq
        if terms.supply is not None:
            assert p.units <= terms.supply
    assert plan.total_minor == sum(p.total_minor for p in plan.lines)
    caps = [c for c in (budget, credit) if c is not None]
    if caps:
        assert plan.total_minor <= min(caps)
    assert plan.total_minor >= minimum or plan.below_minimum
    assert plan.below_minimum == (plan.total_minor < minimum)
