"""Acceptance sampling by attributes, ISO 2859-1 (= ANSI/ASQ Z1.4, MIL-STD-105E): single
sampling, normal inspection, general inspection levels I, II (the default) and III.

Pure rules: no database, no web.

Table I gives the sample size code letter for a lot size and an inspection level.
Table II-A gives, per code letter and AQL, a plan (sample size n, acceptance number Ac,
rejection number Re = Ac + 1) or an arrow: "use the first sampling plan below (or
above) the arrow", and that plan's sample size too, so one lot can be sampled with
different sizes for different AQLs (lot 40 at level II is code D, n = 8, but AQL 2.5
points up to C's n = 5, Ac 0 and AQL 4.0 down to E's n = 13, Ac 1).

Table II-A is a diagonal table: moving one code letter down (sample about 1.6 times
larger) is worth one AQL step to the left (AQL about 1.6 times smaller). With letters
indexed A=0 ... R=15 and the preferred AQLs 0.010=0 ... 1000=25, a cell depends only on
the sum ``s`` of both indexes:

    s <= 13  down arrow        s = 17..24  Ac 1, 2, 3, 5, 7, 10, 14, 21
    s = 14   Ac 0, Re 1        s = 25, 26  Ac 30, 44 for letters A..E only
    s = 15   up arrow          otherwise   up arrow
    s = 16   down arrow

Checked against the standard's printed table, e.g. J (n=80) at AQL 2.5 is 5/6 and at
4.0 7/8; K (125) 7/8 and 10/11; H (50) 3/4 and 5/6; F (20) 1/2 and 2/3; N (500) at 2.5
21/22; Q (1250) at 0.010 0/1; A (2) at 6.5 0/1 and at 1000 30/31; B (3) at 1000 44/45.

Two printed arrows point out of the table: A at AQL 10 (up, no letter above A) and R at
AQL 0.015 (down, no letter below R). The standard gives no plan there, so neither do we
(``NoPlanError``); every other (letter, AQL) pair has one.

An AQL of 0 (critical defects, zero tolerance) is not a column of Table II-A: it is
inspected with the lot's code letter's sample size and Ac 0, Re 1. Whenever a sample
size equals or exceeds the lot size, every unit is inspected (the standard's footnote),
with the plan's Ac and Re.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LEVELS = ("I", "II", "III")
CODE_LETTERS = "ABCDEFGHJKLMNPQR"
SAMPLE_SIZES: Mapping[str, int] = dict(
    zip(
        CODE_LETTERS,
        (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000),
        strict=True,
    )
)
# Table II-A's columns (the preferred AQLs: percent nonconforming up to 10, nonconformities
# per hundred units above).
AQLS = (
    0.010,
    0.015,
    0.025,
    0.040,
    0.065,
    0.10,
    0.15,
    0.25,
    0.40,
    0.65,
    1.0,
    1.5,
    2.5,
    4.0,
    6.5,
    10.0,
    15.0,
    25.0,
    40.0,
    65.0,
    100.0,
    150.0,
    250.0,
    400.0,
    650.0,
    1000.0,
)

# Table I: (largest lot size of the range, code letter at level I, II, III); the last
# range is open ("500 001 and over").
_TABLE_I: tuple[tuple[int, str, str, str], ...] = (
    (8, "A", "A", "B"),
    (15, "A", "B", "C"),
    (25, "B", "C", "D"),
    (50, "C", "D", "E"),
    (90, "C", "E", "F"),
    (150, "D", "F", "G"),
    (280, "E", "G", "H"),
    (500, "F", "H", "J"),
    (1200, "G", "J", "K"),
    (3200, "H", "K", "L"),
    (10000, "J", "L", "M"),
    (35000, "K", "M", "N"),
    (150000, "L", "N", "P"),
    (500000, "M", "P", "Q"),
)
_TABLE_I_OVER = ("N", "Q", "R")

# Acceptance numbers along a diagonal of Table II-A, from s = 17 (see the module's doc).
_ACCEPT_BY_DIAGONAL = (1, 2, 3, 5, 7, 10, 14, 21)
# Ac 30 and 44 exist only in the rows of the five smallest samples (A..E), at high AQLs.
_HIGH_ACCEPT = (30, 44)
_LAST_HIGH_ROW = CODE_LETTERS.index("E")

_DOWN = "down"
_UP = "up"


class NoPlanError(ValueError):
    """The standard gives no plan: an AQL outside its columns, or an arrow out of the table."""


@dataclass(frozen=True)
class SamplingPlan:
    """A single-sampling plan: inspect ``sample_size`` units; accept the lot with at most
    ``accept`` nonconforming units (or nonconformities), reject it with ``reject`` or
    more. ``code_letter`` is the letter whose plan this is (after the arrows)."""

    code_letter: str
    sample_size: int
    accept: int
    reject: int
    aql: float

    def is_full_inspection(self, lot_size: int) -> bool:
        return self.sample_size >= lot_size


def _check_lot_size(lot_size: int) -> None:
    if isinstance(lot_size, bool) or not isinstance(lot_size, int) or lot_size < 1:
        raise ValueError(f"the lot size must be a whole number of units, at least 1: {lot_size!r}")


def code_letter(lot_size: int, level: str = "II") -> str:
    """Table I: the sample size code letter of a lot at a general inspection level.

    A lot of one unit (below the table's first range, 2 to 8) takes the first range's
    letter; its sample is then the whole lot.
    """
    _check_lot_size(lot_size)
    if level not in LEVELS:
        raise ValueError(f"unknown inspection level {level!r}: use one of {', '.join(LEVELS)}")
    column = LEVELS.index(level)
    for upper, *letters in _TABLE_I:
        if lot_size <= upper:
            return letters[column]
    return _TABLE_I_OVER[column]


def aql_index(aql: float) -> int:
    """The column of Table II-A for ``aql`` (NoPlanError when it is not one of them)."""
    for index, value in enumerate(AQLS):
        if abs(aql - value) <= value * 1e-6:
            return index
    listed = ", ".join(f"{a:g}" for a in AQLS)
    raise NoPlanError(f"AQL {aql:g} is not one of the standard's AQLs ({listed}, or 0)")


def _cell(letter_index: int, aql_idx: int) -> tuple[int, int] | str:
    """Table II-A at (letter, AQL): (Ac, Re) or an arrow."""
    s = letter_index + aql_idx
    if s == 14:
        return (0, 1)
    if s == 15:
        return _UP
    if s <= 16:
        return _DOWN
    if s <= 24:
        accept = _ACCEPT_BY_DIAGONAL[s - 17]
        return (accept, accept + 1)
    if s <= 26 and letter_index <= _LAST_HIGH_ROW:
        accept = _HIGH_ACCEPT[s - 25]
        return (accept, accept + 1)
    return _UP


def table_plan(letter: str, aql: float) -> SamplingPlan:
    """Table II-A for a code letter and an AQL, following the arrows to a plan."""
    if letter not in SAMPLE_SIZES:
        raise ValueError(f"unknown code letter {letter!r}")
    column = aql_index(aql)
    row = CODE_LETTERS.index(letter)
    cell = _cell(row, column)
    direction = cell
    while isinstance(cell, str):
        if cell != direction:
            # The table never points an arrow back at another; a guard against an edit slip.
            raise AssertionError(f"Table II-A walk from {letter} at AQL {aql:g} turned back")
        row += 1 if cell == _DOWN else -1
        if not 0 <= row < len(CODE_LETTERS):
            raise NoPlanError(
                f"Table II-A gives no plan for code letter {letter} at AQL {aql:g} "
                f"(its arrow points out of the table): choose another AQL"
            )
        cell = _cell(row, column)
    found = CODE_LETTERS[row]
    return SamplingPlan(found, SAMPLE_SIZES[found], cell[0], cell[1], AQLS[column])


def sampling_plan(lot_size: int, aql: float, level: str = "II") -> SamplingPlan:
    """The plan for a lot: Table I's letter, then Table II-A (arrows followed).

    ``aql`` 0 means zero tolerance: the letter's own sample size with Ac 0, Re 1. The
    sample size is capped at the lot size (every unit inspected).
    """
    if isinstance(aql, bool) or not isinstance(aql, int | float) or aql < 0 or aql != aql:
        raise NoPlanError(f"the AQL must be 0 or one of the standard's AQLs: {aql!r}")
    letter = code_letter(lot_size, level)
    if aql == 0:
        plan = SamplingPlan(letter, SAMPLE_SIZES[letter], 0, 1, 0.0)
    else:
        plan = table_plan(letter, float(aql))
    if plan.sample_size > lot_size:
        plan = SamplingPlan(plan.code_letter, lot_size, plan.accept, plan.reject, plan.aql)
    return plan


def lot_plans(
    lot_size: int, aqls: Mapping[str, float], level: str = "II"
) -> dict[str, SamplingPlan]:
    """One plan per defect class (e.g. {"critical": 0, "major": 2.5, "minor": 4.0})."""
    return {name: sampling_plan(lot_size, aql, level) for name, aql in aqls.items()}


def units_to_inspect(plans: Mapping[str, SamplingPlan]) -> int:
    """Units to draw from the lot: the largest sample (each class is judged on the first
    ``sample_size`` units of it that its own plan asks for)."""
    return max((p.sample_size for p in plans.values()), default=0)


def judge(plans: Mapping[str, SamplingPlan], found: Mapping[str, int]) -> str:
    """ "reject" when any class's count reaches its rejection number, else "accept".

    A count for a class without a plan is an error (a defect nobody agreed to judge).
    """
    unknown = sorted(set(found) - set(plans))
    if unknown:
        raise ValueError(f"no sampling plan for defect class(es) {', '.join(unknown)}")
    for name, plan in plans.items():
        count = found.get(name, 0)
        if count < 0:
            raise ValueError(f"a defect count cannot be negative ({name}: {count})")
        if count >= plan.reject:
            return "reject"
    return "accept"


def failing_classes(plans: Mapping[str, SamplingPlan], found: Mapping[str, int]) -> list[str]:
    """The classes whose count reached the rejection number (for the result's reason)."""
    return [name for name, plan in plans.items() if found.get(name, 0) >= plan.reject]


def defect_rate(found: Mapping[str, int], inspected: int) -> float:
    """Defects found (all classes) per unit inspected; 0 when nothing was inspected."""
    if inspected <= 0:
        return 0.0
    return sum(found.values()) / inspected
