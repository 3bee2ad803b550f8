"""Pure rules that turn the engine's suggested units into an orderable quantity per line.

Given each line's terms on the buyer's price list (MOQ, case pack, volume tiers) and
the units obtainable by the ship window, ``plan_quantities``:

1. raises a line to its MOQ and rounds it up to whole cases;
2. trims it to what is obtainable by the ship window (whole cases), or drops it when
   that is below the MOQ;
3. keeps the running total within the buyer's budget and remaining credit, lines in
   rank order: a line that does not fit is trimmed by cases (not below the MOQ) or
   left out, and later, smaller lines may still fit;
4. when the total is below the price list's minimum order value, adds cases to the
   kept lines in rank order while the supply and the cap allow; if that is not enough
   the plan is flagged ``below_minimum`` with the amount missing.

Every change is recorded on the line in plain words ("rounded up to a case of 12").
Invariants (tested with Hypothesis): every kept line is a multiple of its case pack
and at least its MOQ, never more than its supply; the total never exceeds the cap;
the total reaches the minimum or the plan says it does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from microbag.money import format_money
from microbag.pricing.policies import Tier, unit_price

# How many single-case additions the minimum-order top-up may make (a guard: each step
# raises the total, but a free line could otherwise loop).
MAX_TOP_UP_STEPS = 10_000


@dataclass(frozen=True)
class LineTerms:
    """One suggested line with the terms that bind its quantity."""

    sku: str
    wanted: int  # the engine's units for the period
    moq: int
    case_pack: int
    tiers: tuple[Tier, ...]
    supply: int | None = None  # units obtainable by the ship window; None: no limit

    @property
    def smallest(self) -> int:
        """The smallest valid quantity: the MOQ rounded up to whole cases."""
        pack = max(self.case_pack, 1)
        return -(-max(self.moq, 1) // pack) * pack

    def largest(self) -> int | None:
        """The largest valid quantity the supply allows (None: no limit)."""
        if self.supply is None:
            return None
        pack = max(self.case_pack, 1)
        return self.supply // pack * pack


@dataclass(frozen=True)
class PlannedLine:
    sku: str
    wanted: int
    units: int
    unit_price_minor: int
    rules: tuple[str, ...]

    @property
    def total_minor(self) -> int:
        return self.units * self.unit_price_minor


@dataclass(frozen=True)
class DroppedLine:
    sku: str
    wanted: int
    reason: str


@dataclass(frozen=True)
class OrderPlan:
    lines: tuple[PlannedLine, ...]
    dropped: tuple[DroppedLine, ...]
    currency: str
    total_minor: int
    minimum_minor: int
    cap_minor: int | None
    cap_kind: str | None  # "budget" or "remaining credit"
    below_minimum: bool
    notes: tuple[str, ...]

    @property
    def missing_minor(self) -> int:
        """How much more the order needs to reach the minimum order value."""
        return max(self.minimum_minor - self.total_minor, 0)


def _price(line: LineTerms, units: int) -> int:
    return unit_price(line.tiers, units) if line.tiers else 0


def _cap(budget_minor: int | None, credit_minor: int | None) -> tuple[int | None, str | None]:
    if budget_minor is None and credit_minor is None:
        return None, None
    if credit_minor is None or (budget_minor is not None and budget_minor <= credit_minor):
        return max(budget_minor or 0, 0), "budget"
    return max(credit_minor, 0), "remaining credit"


def _fit(line: LineTerms, units: int, room: int) -> int | None:
    """The largest valid quantity at most ``units`` whose line total fits in ``room``.

    Line totals are not monotone in the quantity (a tier break can make more units
    cheaper), so the candidates are tried downwards, starting where even the cheapest
    tier could fit.
    """
    pack = max(line.case_pack, 1)
    cheapest = min((t.unit_price_minor for t in line.tiers), default=0)
    start = units
    if cheapest > 0:
        start = min(units, room // cheapest // pack * pack)
    quantity = start
    while quantity >= line.smallest:
        if quantity * _price(line, quantity) <= room:
            return quantity
        quantity -= pack
    return None


def _shape(line: LineTerms) -> tuple[int | None, list[str], str | None]:
    """MOQ, whole cases and supply: the units, the rules applied, or why it is dropped."""
    rules: list[str] = []
    units = max(line.wanted, 1)
    if units < line.moq:
        units = line.moq
        rules.append(f"raised to the minimum order quantity of {line.moq}")
    pack = max(line.case_pack, 1)
    if units % pack:
        units = -(-units // pack) * pack
        rules.append(f"rounded up to a case of {pack}")
    largest = line.largest()
    if largest is not None and units > largest:
        if largest < line.smallest:
            return (
                None,
                rules,
                (
                    f"only {max(line.supply or 0, 0)} available by the ship window, "
                    f"below the minimum order quantity of {line.smallest}"
                ),
            )
        units = largest
        rules.append(f"trimmed to the {largest} available by the ship window")
    return units, rules, None


def plan_quantities(
    lines: Sequence[LineTerms],
    *,
    currency: str,
    minimum_order_minor: int = 0,
    budget_minor: int | None = None,
    credit_minor: int | None = None,
    locale: str = "en_US",
) -> OrderPlan:
    """Orderable quantities for suggested lines given in rank order (see the module doc)."""

    def money(amount: int) -> str:
        return format_money(amount, currency, locale)

    cap, cap_kind = _cap(budget_minor, credit_minor)
    kept: list[tuple[LineTerms, int, list[str]]] = []
    dropped: list[DroppedLine] = []
    total = 0
    capped = False  # did the budget or credit change anything (then the plan says so)
    for line in lines:
        units, rules, why = _shape(line)
        if units is None:
            dropped.append(DroppedLine(line.sku, line.wanted, why or "not orderable"))
            continue
        if cap is not None:
            room = cap - total
            fitted = _fit(line, units, room) if room >= 0 else None
            if fitted is None:
                dropped.append(
                    DroppedLine(line.sku, line.wanted, f"left out: over your {cap_kind}")
                )
                capped = True
                continue
            if fitted < units:
                rules.append(f"trimmed to your {cap_kind} ({money(cap)})")
                capped = True
                units = fitted
        total += units * _price(line, units)
        kept.append((line, units, rules))

    minimum = max(minimum_order_minor, 0)
    added = [0] * len(kept)
    steps = 0
    while total < minimum and steps < MAX_TOP_UP_STEPS:
        grew = False
        for i, (line, units, _rules) in enumerate(kept):
            if total >= minimum:
                break
            pack = max(line.case_pack, 1)
            # Spread what is missing over the lines: several cases at once when a case
            # is small beside it, else one (so the cap and supply are met exactly).
            case_value = pack * max(_price(line, units), 1)
            share = -(-(minimum - total) // (len(kept) * case_value))
            for cases in dict.fromkeys((max(share, 1), 1)):
                more = units + cases * pack
                largest = line.largest()
                if largest is not None and more > largest:
                    continue
                new_total = total - units * _price(line, units) + more * _price(line, more)
                if new_total <= total or (cap is not None and new_total > cap):
                    continue
                kept[i] = (line, more, _rules)
                added[i] += cases
                total = new_total
                grew = True
                steps += 1
                break
        if not grew:
            break

    planned: list[PlannedLine] = []
    for (line, units, rules), cases in zip(kept, added, strict=True):
        if cases:
            plural = "case" if cases == 1 else "cases"
            rules = [*rules, f"raised by {cases} {plural} to reach the minimum order value"]
        planned.append(PlannedLine(line.sku, line.wanted, units, _price(line, units), tuple(rules)))

    notes: list[str] = []
    below = total < minimum
    if below:
        notes.append(
            f"Below the minimum order value of {money(minimum)}: add {money(minimum - total)}"
            + (f" (your {cap_kind} of {money(cap)} does not allow more)" if cap is not None else "")
        )
    if capped:
        notes.append(f"Kept within your {cap_kind} of {money(cap or 0)}")
    return OrderPlan(
        lines=tuple(planned),
        dropped=tuple(dropped),
        currency=currency,
        total_minor=total,
        minimum_minor=minimum,
        cap_minor=cap,
        cap_kind=cap_kind,
        below_minimum=below,
        notes=tuple(notes),
    )
