"""The suggestion engine on tiny synthetic purchases (no database)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microbag.suggestions.engine import BuyerProfile, SuggestionModel
from microbag.suggestions.policies import RepeatStats, due_reason, dueness, repeat_reason

AS_OF = date(2024, 6, 30)
SCHEMA = {
    "buyer_ref": pl.String,
    "sku": pl.String,
    "day": pl.Date,
    "invoice": pl.String,
    "units": pl.Int64,
}


def frame(rows: list[tuple[str, str, date, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def shop() -> pl.DataFrame:
    """A reorders TOTE every 6 weeks (48 units); A, B and C share baskets of CLUTCH and
    BELT; B also buys WALLET; D buys only POUCH, lately."""
    rows: list[tuple[str, str, date, str, int]] = []
    for i in range(6):
        day = AS_OF - timedelta(weeks=6 * i + 5)
        rows.append(("A", "TOTE", day, f"A{i}", 48))
    for n, buyer in enumerate("ABC"):
        for i in range(3):
            day = AS_OF - timedelta(days=20 * i + n + 3)
            rows.append((buyer, "CLUTCH", day, f"{buyer}c{i}", 6))
            if buyer != "A":
                rows.append((buyer, "BELT", day, f"{buyer}c{i}", 12))
    rows.append(("B", "WALLET", AS_OF - timedelta(days=9), "Bw", 10))
    rows.append(("C", "WALLET", AS_OF - timedelta(days=12), "Cw", 10))
    rows.append(("D", "POUCH", AS_OF - timedelta(days=2), "D1", 5))
    return frame(rows)


PROFILES = {
    "A": BuyerProfile("A", "europe", "boutique"),
    "B": BuyerProfile("B", "europe", "boutique"),
    "C": BuyerProfile("C", "us", "department_store"),
    "D": BuyerProfile("D", "us", "ecommerce"),
}


@pytest.fixture(scope="module")
def model() -> SuggestionModel:
    return SuggestionModel.fit(shop(), PROFILES, AS_OF)


def test_a_regular_reorder_is_suggested_and_explained(model: SuggestionModel) -> None:
    lines = model.suggest("A", 3)
    assert {s.sku for s in lines[:2]} == {"TOTE", "CLUTCH"}  # its own repeats first
    tote = next(s for s in lines if s.sku == "TOTE")
    assert tote.units == 48 and tote.basis == "data"
    assert "reordered every 6 weeks (6 orders), 48 units each time" in tote.reasons
    assert "due: last ordered 5 weeks ago" in tote.reasons


def test_similar_buyers_fill_in_with_a_reason(model: SuggestionModel) -> None:
    lines = model.suggest("A", 4)
    assert {s.sku for s in lines[:2]} == {"TOTE", "CLUTCH"}
    belt = next(s for s in lines if s.sku == "BELT")
    assert belt.units == 12  # the other buyers' usual quantity
    assert any("also order this" in r or "buyers" in r for r in belt.reasons)


def test_ranks_units_and_uniqueness(model: SuggestionModel) -> None:
    for ref in model.buyers():
        lines = model.suggest(ref, 4)
        assert [s.rank for s in lines] == list(range(1, len(lines) + 1))
        assert len({s.sku for s in lines}) == len(lines) <= 4
        assert all(s.units >= 1 and s.reasons for s in lines)
        scores = [s.score for s in lines]
        assert scores == sorted(scores, reverse=True)


def test_allowed_restricts_the_candidates(model: SuggestionModel) -> None:
    lines = model.suggest("A", 10, allowed={"BELT", "POUCH", "NOT-A-SKU"})
    assert {s.sku for s in lines} == {"BELT", "POUCH"}
    assert model.suggest("A", 10, allowed=set()) == []


def test_new_only_never_offers_what_the_buyer_bought(model: SuggestionModel) -> None:
    lines = model.suggest("A", 10, new_only=True)
    assert lines and not {"TOTE", "CLUTCH"} & {s.sku for s in lines}


def test_a_buyer_without_history_gets_prior_picks(model: SuggestionModel) -> None:
    newcomer = BuyerProfile("NEW", "us", "boutique")
    lines = model.suggest("NEW", 3, profile=newcomer)
    assert len(lines) == 3 and all(s.basis == "prior" for s in lines)
    assert all(s.reasons for s in lines)


def test_also_refs_pool_a_linked_history(model: SuggestionModel) -> None:
    alone = model.suggest("NEW", 2)
    pooled = model.suggest("NEW", 2, also_refs=("A",))
    assert alone[0].basis == "prior"
    assert {s.sku for s in pooled} == {"TOTE", "CLUTCH"} and pooled[0].basis == "data"


def test_the_prior_follows_the_brief() -> None:
    class Brief:
        def type_weight(self, segment: str, bag_type: str) -> float:
            return 1.0 if bag_type == "belt_bag" else 0.0

        def color_weight(self, region: str, color_family: str) -> float:
            return 0.5

    model = SuggestionModel.fit(
        shop(),
        PROFILES,
        AS_OF,
        knowledge=Brief(),
        sku_attributes={"BELT": {"bag_type": "belt_bag", "color_family": "black"}},
    )
    lines = model.suggest("NEW", 1, profile=BuyerProfile("NEW", "us", "boutique"))
    assert lines[0].sku == "BELT" and lines[0].basis == "prior"
    assert any("market brief" in r for r in lines[0].reasons)


def test_only_purchases_up_to_as_of_count() -> None:
    later = frame([("A", "LATER", AS_OF + timedelta(days=1), "X", 5)])
    model = SuggestionModel.fit(pl.concat([shop(), later]), PROFILES, AS_OF)
    assert "LATER" not in model.skus


def test_dueness_and_reasons() -> None:
    due = dueness([4, 1, 4], [120, 10, 120], [40, 10, 2], 14)
    assert due[0] == pytest.approx(1.0) and due[1] == 0.0 and 0 < due[2] < 1
    once = RepeatStats(orders=1, first_age_days=35, last_age_days=35, median_units=1)
    assert repeat_reason(once) == "ordered once, 5 weeks ago (1 unit)"
    assert due_reason(once) is None
    lapsed = RepeatStats(orders=3, first_age_days=400, last_age_days=300, median_units=2)
    assert due_reason(lapsed) is None


purchases_strategy = st.lists(
    st.tuples(
        st.sampled_from(["b1", "b2", "b3", "b4"]),
        st.sampled_from(["s1", "s2", "s3", "s4", "s5", "s6"]),
        st.integers(min_value=0, max_value=200),
        st.integers(min_value=0, max_value=30),
        st.integers(min_value=1, max_value=500),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=purchases_strategy,
    top=st.integers(min_value=1, max_value=8),
    allowed=st.none() | st.sets(st.sampled_from(["s1", "s2", "s3", "x"])),
    new_only=st.booleans(),
)
def test_invariants(
    rows: list[tuple[str, str, int, int, int]],
    top: int,
    allowed: set[str] | None,
    new_only: bool,
) -> None:
    purchases = frame(
        [(b, s, AS_OF - timedelta(days=age), f"{b}-{inv}", units) for b, s, age, inv, units in rows]
    )
    model = SuggestionModel.fit(purchases, {}, AS_OF)
    bought = {(b, s) for b, s, *_ in rows}
    for ref in [*model.buyers(), "nobody"]:
        lines = model.suggest(ref, top, allowed=allowed, new_only=new_only)
        skus = [s.sku for s in lines]
        assert [s.rank for s in lines] == list(range(1, len(lines) + 1))
        assert len(set(skus)) == len(skus) <= top
        assert set(skus) <= set(model.skus)
        if allowed is not None:
            assert set(skus) <= allowed
        if new_only:
            assert not any((ref, s) in bought for s in skus)
        assert all(s.units >= 1 and s.reasons and s.basis in ("data", "prior") for s in lines)
        assert all(s.basis == ("prior" if ref == "nobody" else "data") for s in lines)
        candidates = set(model.skus) & (allowed if allowed is not None else set(model.skus))
        if new_only:
            candidates -= {s for b, s in bought if b == ref}
        assert len(lines) == min(top, len(candidates))
