"""Mining on tiny synthetic baskets whose support, confidence and lift are known."""

from __future__ import annotations

import random

import pytest

from microbag.bundles.mining import TogetherModel, set_rules
from microbag.bundles.policies import rank_together

# N = 6 baskets; A in 4, B in 4, C in 2, D in 1. A+B together in 3, A+C in 2, B+C in 1.
BASKETS = [{"A", "B"}, {"A", "B"}, {"A", "B", "C"}, {"A", "C"}, {"B"}, {"D"}]


def test_pair_measures_match_the_definitions() -> None:
    model = TogetherModel(BASKETS)
    assert model.n_baskets == 6
    b, c = model.partners("A")
    assert b.sku == "B" and b.baskets == 3
    assert b.confidence == pytest.approx(3 / 4)  # P(B | A)
    assert b.lift == pytest.approx(3 * 6 / (4 * 4))  # P(A,B) / (P(A) P(B))
    # weighted: two baskets of 2 (1 each) and one of 3 (1/2), over sqrt(4 * 4)
    assert b.score == pytest.approx((1 + 1 + 0.5) / 4)
    assert c.sku == "C" and c.score == pytest.approx((0.5 + 1) / (4 * 2) ** 0.5)
    assert c.confidence == pytest.approx(2 / 4) and c.lift == pytest.approx(2 * 6 / (4 * 2))
    rules = {(r.antecedent, r.consequent): r for r in model.pair_rules()}
    # B+C is in one basket only: below the two-basket floor
    assert set(rules) == {(("A",), "B"), (("A",), "C"), (("B",), "A"), (("C",), "A")}
    assert rules[("A",), "B"].support == pytest.approx(3 / 6)
    assert rules[("A",), "B"].rank == 1


def test_suggest_ranks_partners_then_popular_never_the_basket() -> None:
    model = TogetherModel(BASKETS)
    got = model.suggest(["C"], 3)
    assert [t.sku for t in got] == ["A", "B", "D"]
    assert got[0].because_of == ("C",) and got[0].score > got[1].score
    assert got[2].score == 0.0 and got[2].because_of == ()
    assert [t.sku for t in model.suggest(["NEW"], 2)] == ["A", "B"]  # popularity back-off
    assert [t.sku for t in model.suggest(["A", "B", "C"], 5)] == ["D"]
    assert [t.sku for t in model.suggest(["A"], 3, allowed={"C", "D"})] == ["C", "D"]


def test_the_vectorised_ranking_is_the_policy_over_every_partner() -> None:
    """``TogetherModel.suggest`` (the CLI, the bench) and ``policies.rank_together`` over
    the stored partners (the pages) rank alike. Every basket is there twice, so every
    pair clears the two-basket floor of the stored partners."""
    rng = random.Random(5)
    codes = [f"S{i:02d}" for i in range(30)]
    baskets = [set(rng.sample(codes, rng.randint(1, 6))) for _ in range(150)] * 2
    model = TogetherModel(baskets)
    partners = {c: model.partners(c, limit=100) for c in model.codes}
    for basket in rng.sample(baskets, 40):
        fast = [(t.sku, round(t.score, 9), t.because_of) for t in model.suggest(basket, 5)]
        slow = [
            (t.sku, round(t.score, 9), t.because_of)
            for t in rank_together(basket, partners, 5, popular=model.popular)
        ]
        assert fast == slow
        assert {s for s, _, _ in fast}.isdisjoint(basket)


def test_sets_of_three_with_efficient_apriori() -> None:
    baskets = [{"X", "Y", "Z"}] * 12 + [{"X", "Y", "W"}] * 3 + [{"X", "Q", "R"}] * 5
    rules = {(r.antecedent, r.consequent): r for r in set_rules(baskets, min_baskets=10)}
    xy_z = rules[("X", "Y"), "Z"]
    assert xy_z.baskets == 12
    assert xy_z.confidence == pytest.approx(12 / 15)
    assert xy_z.lift == pytest.approx((12 / 20) / ((15 / 20) * (12 / 20)))
    assert xy_z.antecedent_key == "X+Y"
    assert set_rules([{"A", "B", "C"}], min_baskets=10) == []
