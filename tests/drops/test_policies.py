"""The fair-share rule and the other pure rules of drops, on hand-made cases and as
properties (Hypothesis) exactly as issue 11 states them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from microbag.drops import policies
from microbag.drops.policies import HeldSku, fair_share, gate_error, is_eligible

# ---- hand-made cases ---------------------------------------------------------------------------


def test_everyone_gets_their_request_when_the_edition_suffices():
    assert fair_share(120, 6, {1: 12, 2: 30, 3: 6}, {1: 0, 2: 500}) == {1: 12, 2: 30, 3: 6}


def test_minimum_one_pack_then_proportional_to_past_purchases():
    # 10 packs for 3 requesters asking 6 packs each: 1 pack each, then 7 packs by
    # weight 3:1:0 -> 5.25, 1.75, 0 -> whole 5 + 1, the last pack to the larger
    # remainder (0.75 of company 2).
    got = fair_share(60, 6, {1: 36, 2: 36, 3: 36}, {1: 3_000, 2: 1_000, 3: 0})
    assert got == {1: 36, 2: 18, 3: 6}
    assert sum(got.values()) == 60


def test_share_capped_at_request_and_the_rest_shared_again():
    # Company 1 has almost all the history but asks 2 packs: it gets 2; the other 8
    # packs go to company 2 (1 minimum + 7), never above its 10 requested.
    got = fair_share(60, 6, {1: 12, 2: 60}, {1: 1_000_000, 2: 1})
    assert got == {1: 12, 2: 48}


def test_fewer_packs_than_requesters_go_to_the_biggest_past_buyers():
    got = fair_share(12, 6, {1: 6, 2: 6, 3: 6}, {1: 10, 2: 30, 3: 20})
    assert got == {1: 0, 2: 6, 3: 6}


def test_no_history_means_equal_shares():
    got = fair_share(48, 6, {1: 48, 2: 48, 3: 48, 4: 48}, {})
    assert got == {1: 12, 2: 12, 3: 12, 4: 12}


def test_edition_not_in_whole_packs_leaves_the_odd_units():
    got = fair_share(50, 6, {1: 60, 2: 60}, {1: 1, 2: 1})
    assert sum(got.values()) == 48  # 8 packs; 2 units stay unallocated
    assert got == {1: 24, 2: 24}


def test_equal_requesters_with_equal_history_differ_by_one_pack_at_most():
    got = fair_share(30, 6, {1: 30, 2: 30}, {1: 5, 2: 5})  # 5 packs for two
    assert sorted(got.values()) == [12, 18]


def test_eligibility_rules():
    base = {"company_id": 7, "segment": "boutique", "region": "europe"}
    assert is_eligible(**base, segments=[], regions=[], company_ids=[])
    assert is_eligible(**base, segments=["boutique"], regions=[], company_ids=[])
    assert not is_eligible(**base, segments=["boutique"], regions=["us"], company_ids=[])
    assert is_eligible(**base, segments=["brand"], regions=["us"], company_ids=[7])
    assert not is_eligible(**base, segments=[], regions=[], company_ids=[8])
    assert is_eligible(**base, segments=[], regions=["europe"], company_ids=[8])


def test_request_rules():
    assert policies.request_errors("X", 12, case_pack=6, cap=24) == []
    assert [e.code for e in policies.request_errors("X", 10, case_pack=6, cap=24)] == ["case_pack"]
    assert [e.code for e in policies.request_errors("X", 30, case_pack=6, cap=24)] == ["drop_cap"]


NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def _held(status: str, embargo: datetime, **rules) -> HeldSku:
    return HeldSku(
        1,
        "LE-1",
        9,
        status,
        embargo,
        rules.get("segments", []),
        rules.get("regions", []),
        rules.get("company_ids", []),
    )


def test_gate_embargo_allocation_and_eligibility():
    who = {"company_id": 3, "segment": "boutique", "region": "europe", "now": NOW}
    before = gate_error(_held("open", NOW + timedelta(hours=1)), **who, drop_id=None)
    assert before is not None and before.code == "drop_embargo"
    assert "2026-12-05 13:00 UTC" in before.message
    waiting = gate_error(_held("open", NOW - timedelta(hours=1)), **who, drop_id=None)
    assert waiting is not None and waiting.code == "drop_embargo"
    assert gate_error(_held("open", NOW + timedelta(hours=1)), **who, drop_id=9) is None
    assert gate_error(_held("allocated", NOW - timedelta(hours=1)), **who, drop_id=None) is None
    other = _held("allocated", NOW - timedelta(hours=1), regions=["us"])
    refused = gate_error(other, **who, drop_id=None)
    assert refused is not None and refused.code == "drop_not_eligible"
    assert gate_error(_held("closed", NOW + timedelta(hours=1)), **who, drop_id=None) is None


def test_allocatable_only_when_open_after_the_embargo():
    assert policies.check_allocatable("open", NOW, NOW) is None
    early = policies.check_allocatable("open", NOW + timedelta(seconds=1), NOW)
    assert early is not None and early.code == "drop_embargo_not_reached"
    again = policies.check_allocatable("allocated", NOW, NOW)
    assert again is not None and again.code == "drop_already_allocated"


def test_to_base_minor_converts_between_minor_digits():
    assert policies.to_base_minor(10_000, "JPY", digits=0, base_digits=2, rate=0.0064) == 6_400
    assert policies.to_base_minor(100, "EUR", digits=2, base_digits=2, rate=1.1) == 110


# ---- properties (issue 11) ---------------------------------------------------------------------

case_packs = st.integers(1, 12)


@st.composite
def drops(draw):
    pack = draw(case_packs)
    edition = draw(st.integers(0, 400))
    n = draw(st.integers(1, 12))
    requests = {c: pack * draw(st.integers(1, 20)) for c in range(1, n + 1)}
    weights = {c: draw(st.integers(0, 10_000)) for c in range(1, n + 1)}
    return edition, pack, requests, weights


@given(drops())
def test_sum_is_the_smaller_of_edition_and_requested_less_the_case_pack_rounding(drop):
    edition, pack, requests, weights = drop
    got = fair_share(edition, pack, requests, weights)
    target = min(edition, sum(requests.values()))
    assert target - pack < sum(got.values()) <= target


@given(drops())
def test_nobody_gets_more_than_asked(drop):
    edition, pack, requests, weights = drop
    got = fair_share(edition, pack, requests, weights)
    assert all(0 <= got[c] <= requests[c] for c in requests)
    assert all(got[c] % pack == 0 for c in requests)


@given(drops(), st.integers(1, 20), st.integers(0, 10_000))
def test_equal_requesters_with_equal_history_get_equal_shares_up_to_one_pack(drop, packs, weight):
    edition, pack, requests, weights = drop
    twins = (101, 102)
    for c in twins:
        requests[c] = packs * pack
        weights[c] = weight
    got = fair_share(edition, pack, requests, weights)
    assert abs(got[101] - got[102]) <= pack
