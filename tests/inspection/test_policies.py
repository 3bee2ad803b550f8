"""ISO 2859-1 sampling plans (single sampling, normal inspection) checked against the
standard's printed tables, typed here cell by cell independently of the module's
diagonal rule."""

from __future__ import annotations

import pytest

from microbag.inspection import policies
from microbag.inspection.policies import NoPlanError, SamplingPlan

# Table II-A as printed, AQL 0.065 .. 10 (v: use the first plan below, ^: above).
PRINTED_AQLS = (0.065, 0.10, 0.15, 0.25, 0.40, 0.65, 1.0, 1.5, 2.5, 4.0, 6.5, 10)
PRINTED = {
    "A": "v    v    v    v    v    v    v    v    v    v    0/1  ^",
    "B": "v    v    v    v    v    v    v    v    v    0/1  ^    v",
    "C": "v    v    v    v    v    v    v    v    0/1  ^    v    1/2",
    "D": "v    v    v    v    v    v    v    0/1  ^    v    1/2  2/3",
    "E": "v    v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4",
    "F": "v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6",
    "G": "v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8",
    "H": "v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11",
    "J": "v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15",
    "K": "v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22",
    "L": "0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^",
    "M": "^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^",
    "N": "v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^",
    "P": "1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^",
    "Q": "2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^    ^",
    "R": "3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^    ^    ^",
}
LETTERS = "ABCDEFGHJKLMNPQR"
SIZES = (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000)


def _printed(letter: str, aql: float) -> str:
    return PRINTED[letter].split()[PRINTED_AQLS.index(aql)]


def _follow(letter: str, aql: float) -> tuple[str, int, int, int] | None:
    row = LETTERS.index(letter)
    cell = _printed(letter, aql)
    while cell in ("v", "^"):
        row += 1 if cell == "v" else -1
        if not 0 <= row < len(LETTERS):
            return None
        cell = _printed(LETTERS[row], aql)
    ac, re = (int(x) for x in cell.split("/"))
    return LETTERS[row], SIZES[row], ac, re


@pytest.mark.parametrize("letter", LETTERS)
@pytest.mark.parametrize("aql", PRINTED_AQLS)
def test_table_ii_a_matches_the_printed_table(letter: str, aql: float) -> None:
    expected = _follow(letter, aql)
    if expected is None:
        with pytest.raises(NoPlanError, match="points out of the table"):
            policies.table_plan(letter, aql)
        return
    plan = policies.table_plan(letter, aql)
    assert (plan.code_letter, plan.sample_size, plan.accept, plan.reject) == expected
    assert plan.aql == aql


def test_sample_sizes_per_letter() -> None:
    assert dict(zip(LETTERS, SIZES, strict=True)) == dict(policies.SAMPLE_SIZES)


# Table I: lot size boundaries -> (level I, II, III).
TABLE_I = [
    (1, "AAB"),
    (2, "AAB"),
    (8, "AAB"),
    (9, "ABC"),
    (15, "ABC"),
    (16, "BCD"),
    (25, "BCD"),
    (26, "CDE"),
    (50, "CDE"),
    (51, "CEF"),
    (90, "CEF"),
    (91, "DFG"),
    (150, "DFG"),
    (151, "EGH"),
    (280, "EGH"),
    (281, "FHJ"),
    (500, "FHJ"),
    (501, "GJK"),
    (1200, "GJK"),
    (1201, "HKL"),
    (3200, "HKL"),
    (3201, "JLM"),
    (10000, "JLM"),
    (10001, "KMN"),
    (35000, "KMN"),
    (35001, "LNP"),
    (150000, "LNP"),
    (150001, "MPQ"),
    (500000, "MPQ"),
    (500001, "NQR"),
    (10_000_000, "NQR"),
]


@pytest.mark.parametrize(("lot_size", "letters"), TABLE_I)
def test_table_i_code_letters(lot_size: int, letters: str) -> None:
    assert policies.code_letter(lot_size, "I") == letters[0]
    assert policies.code_letter(lot_size, "II") == letters[1]
    assert policies.code_letter(lot_size) == letters[1]
    assert policies.code_letter(lot_size, "III") == letters[2]


def _plan(lot: int, aql: float) -> tuple[str, int, int, int]:
    p = policies.sampling_plan(lot, aql)
    return p.code_letter, p.sample_size, p.accept, p.reject


def test_known_level_ii_plans() -> None:
    assert _plan(1000, 2.5) == ("J", 80, 5, 6)
    assert _plan(1000, 4.0) == ("J", 80, 7, 8)
    assert _plan(2000, 2.5) == ("K", 125, 7, 8)
    assert _plan(2000, 4.0) == ("K", 125, 10, 11)
    assert _plan(400, 2.5) == ("H", 50, 3, 4)
    assert _plan(400, 4.0) == ("H", 50, 5, 6)
    assert _plan(100, 2.5) == ("F", 20, 1, 2)
    assert _plan(100, 4.0) == ("F", 20, 2, 3)
    # Lot 40 is D (n=8): 2.5 is an up arrow (C's plan), 4.0 a down arrow (E's plan).
    assert policies.code_letter(40) == "D"
    assert _plan(40, 2.5) == ("C", 5, 0, 1)
    assert _plan(40, 4.0) == ("E", 13, 1, 2)
    # Lot 10 is B (n=3): 4.0 is B's own 0/1; 2.5 points down to C's n=5.
    assert _plan(10, 4.0) == ("B", 3, 0, 1)
    assert _plan(10, 2.5) == ("C", 5, 0, 1)
    assert _plan(5000, 2.5) == ("L", 200, 10, 11)
    assert _plan(20000, 0.65) == ("M", 315, 5, 6)
    assert _plan(600_000, 1.0) == ("Q", 1250, 21, 22)


@pytest.mark.parametrize(
    ("below", "above", "major_below", "major_above"),
    [
        (8, 9, ("C", 5, 0, 1), ("C", 5, 0, 1)),  # A -> B: both arrows lead to C at 2.5
        (150, 151, ("F", 20, 1, 2), ("G", 32, 2, 3)),
        (500, 501, ("H", 50, 3, 4), ("J", 80, 5, 6)),
        (1200, 1201, ("J", 80, 5, 6), ("K", 125, 7, 8)),
        (3200, 3201, ("K", 125, 7, 8), ("L", 200, 10, 11)),
        (10000, 10001, ("L", 200, 10, 11), ("M", 315, 14, 15)),
        (35000, 35001, ("M", 315, 14, 15), ("N", 500, 21, 22)),
        (150000, 150001, ("N", 500, 21, 22), ("N", 500, 21, 22)),  # P at 2.5 points up
    ],
)
def test_major_plans_across_boundaries(
    below: int,
    above: int,
    major_below: tuple[str, int, int, int],
    major_above: tuple[str, int, int, int],
) -> None:
    assert _plan(below, 2.5) == major_below
    assert _plan(above, 2.5) == major_above


def test_minor_plans_across_boundaries() -> None:
    assert _plan(8, 4.0) == ("B", 3, 0, 1)  # A at 4.0 points down to B
    assert _plan(9, 4.0) == ("B", 3, 0, 1)
    assert _plan(15, 4.0) == ("B", 3, 0, 1)
    assert _plan(16, 4.0) == ("B", 3, 0, 1)  # C at 4.0 points up to B
    assert _plan(26, 4.0) == ("E", 13, 1, 2)  # D at 4.0 points down to E
    assert _plan(51, 4.0) == ("E", 13, 1, 2)
    assert _plan(91, 4.0) == ("F", 20, 2, 3)
    assert _plan(151, 4.0) == ("G", 32, 3, 4)
    assert _plan(281, 4.0) == ("H", 50, 5, 6)
    assert _plan(501, 4.0) == ("J", 80, 7, 8)
    assert _plan(1201, 4.0) == ("K", 125, 10, 11)
    assert _plan(3201, 4.0) == ("L", 200, 14, 15)
    assert _plan(10001, 4.0) == ("M", 315, 21, 22)
    assert _plan(35001, 4.0) == ("M", 315, 21, 22)  # N at 4.0 points up to M


def test_other_levels() -> None:
    assert policies.sampling_plan(1000, 2.5, "I").sample_size == 32  # G
    assert policies.sampling_plan(1000, 2.5, "III") == SamplingPlan("K", 125, 7, 8, 2.5)
    with pytest.raises(ValueError, match="inspection level"):
        policies.sampling_plan(1000, 2.5, "IV")


def test_full_inspection_when_the_sample_reaches_the_lot() -> None:
    plan = policies.sampling_plan(4, 2.5)  # C's n=5 > 4 units: all 4
    assert (plan.sample_size, plan.accept, plan.reject) == (4, 0, 1)
    assert plan.is_full_inspection(4)
    assert policies.sampling_plan(1, 4.0).sample_size == 1
    plan = policies.sampling_plan(10, 0.065)  # points down to L (n=200): the whole lot
    assert (plan.code_letter, plan.sample_size, plan.accept) == ("L", 10, 0)
    assert not policies.sampling_plan(1000, 2.5).is_full_inspection(1000)


def test_zero_tolerance_uses_the_lots_letter() -> None:
    assert policies.sampling_plan(1000, 0) == SamplingPlan("J", 80, 0, 1, 0.0)
    assert policies.sampling_plan(40, 0) == SamplingPlan("D", 8, 0, 1, 0.0)
    assert policies.sampling_plan(6, 0) == SamplingPlan("A", 2, 0, 1, 0.0)
    assert policies.sampling_plan(1, 0).sample_size == 1


def test_extended_aqls() -> None:
    assert policies.table_plan("Q", 0.010) == SamplingPlan("Q", 1250, 0, 1, 0.010)
    assert policies.table_plan("R", 0.010) == SamplingPlan("Q", 1250, 0, 1, 0.010)
    assert policies.table_plan("R", 0.025) == SamplingPlan("R", 2000, 1, 2, 0.025)
    assert policies.table_plan("A", 15) == SamplingPlan("B", 3, 1, 2, 15.0)
    assert policies.table_plan("A", 1000) == SamplingPlan("A", 2, 30, 31, 1000.0)
    assert policies.table_plan("B", 1000) == SamplingPlan("B", 3, 44, 45, 1000.0)
    assert policies.table_plan("C", 1000) == SamplingPlan("B", 3, 44, 45, 1000.0)
    assert policies.table_plan("E", 250) == SamplingPlan("E", 13, 44, 45, 250.0)
    assert policies.table_plan("F", 65) == SamplingPlan("F", 20, 21, 22, 65.0)
    assert policies.table_plan("F", 100) == SamplingPlan("E", 13, 21, 22, 100.0)
    assert policies.table_plan("F", 150) == SamplingPlan("E", 13, 30, 31, 150.0)
    # The two arrows that point out of the printed table.
    for letter, aql in (("A", 10), ("R", 0.015)):
        with pytest.raises(NoPlanError, match="out of the table"):
            policies.table_plan(letter, aql)


@pytest.mark.parametrize("aql", [3.0, -1, 0.5, 2000, float("nan")])
def test_unknown_aqls_are_refused(aql: float) -> None:
    with pytest.raises(NoPlanError):
        policies.sampling_plan(1000, aql)


@pytest.mark.parametrize("lot", [0, -5])
def test_lot_size_must_be_positive(lot: int) -> None:
    with pytest.raises(ValueError, match="lot size"):
        policies.sampling_plan(lot, 2.5)


def test_lot_plans_and_judge() -> None:
    plans = policies.lot_plans(1000, {"critical": 0, "major": 2.5, "minor": 4.0})
    assert {k: (p.sample_size, p.accept, p.reject) for k, p in plans.items()} == {
        "critical": (80, 0, 1),
        "major": (80, 5, 6),
        "minor": (80, 7, 8),
    }
    assert policies.units_to_inspect(plans) == 80
    assert policies.judge(plans, {}) == "accept"
    assert policies.judge(plans, {"major": 5, "minor": 7}) == "accept"
    assert policies.judge(plans, {"major": 6}) == "reject"
    assert policies.judge(plans, {"minor": 8}) == "reject"
    assert policies.judge(plans, {"critical": 1}) == "reject"
    assert policies.failing_classes(plans, {"critical": 1, "minor": 8, "major": 1}) == [
        "critical",
        "minor",
    ]
    with pytest.raises(ValueError, match="no sampling plan"):
        policies.judge(plans, {"cosmetic": 1})
    with pytest.raises(ValueError, match="negative"):
        policies.judge(plans, {"major": -1})


def test_different_sample_sizes_in_one_lot() -> None:
    plans = policies.lot_plans(40, {"critical": 0, "major": 2.5, "minor": 4.0})
    assert [plans[k].sample_size for k in ("critical", "major", "minor")] == [8, 5, 13]
    assert policies.units_to_inspect(plans) == 13
    assert policies.judge(plans, {"minor": 1}) == "accept"
    assert policies.judge(plans, {"minor": 2}) == "reject"


def test_defect_rate() -> None:
    assert policies.defect_rate({"major": 3, "minor": 5}, 80) == pytest.approx(0.1)
    assert policies.defect_rate({}, 0) == 0.0
