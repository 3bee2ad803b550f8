"""The range plan's pure rules: the instance, expected sales, the objective, the
independent checker and the greedy baseline.

A plan instance is plain data (no database): one ``PlanSku`` per candidate SKU with its
price, landed cost, supplier MOQ and case pack, free units (on hand plus incoming by the
ship window) and its expected-sales curve, plus the limits (budget, number of styles,
at least / at most per group). The MILP (``solver.py``) and the checker here read the
same data but share no code: the checker recomputes every constraint and the objective
from the plan's quantities alone, so a solver answer that breaks a constraint is caught
(solvers have open reports of "optimal" answers that do).

Expected sales of ``a`` units available, ``E[min(D, a)]`` for demand ``D``, is concave
in ``a``; it is kept as a few breakpoints (a newsvendor curve) so the plan stays a MILP.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# z-scores of the curve's breakpoints around the mean demand (and 0 units).
CURVE_Z = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
# The 80 % interval of a forecast is mean +- 1.2816 sigma.
Z80 = 1.2815515655446004
# Tolerances of the checker: money and units are integers, expected sales are floats.
UNIT_TOL = 1e-6
OBJECTIVE_REL_TOL = 1e-6
GROUP_KINDS = ("bag_type", "color_family", "price_tier", "occasion")


@dataclass(frozen=True)
class PlanSku:
    sku: str
    style: str
    unit_price: int  # expected selling price per unit, minor units
    unit_cost: int  # landed cost per purchased unit, minor units
    leftover_cost: int  # cost of a unit left at the season's end (markdown, holding)
    case_pack: int
    moq: int  # supplier minimum, units, when buying at all
    free_units: int  # on hand + incoming by the ship window (no purchase needed)
    max_cases: int  # a bound on cases worth buying
    curve: tuple[tuple[float, float], ...]  # (units available, expected units sold), concave
    groups: tuple[str, ...] = ()  # "bag_type:micro_tote", "occasion:casual", ...


@dataclass(frozen=True)
class GroupBound:
    """At least / at most SKUs of a group, as counts or as shares of the chosen SKUs."""

    group: str
    min_count: int | None = None
    max_count: int | None = None
    min_share: float | None = None
    max_share: float | None = None
    source: str = "request"  # "request" | "knowledge"

    def names(self) -> list[str]:
        out = []
        for kind in ("min_count", "max_count", "min_share", "max_share"):
            if getattr(self, kind) is not None:
                out.append(f"{kind.split('_')[0]}_{kind.split('_')[1]}:{self.group}")
        return out


@dataclass(frozen=True)
class PlanInstance:
    skus: tuple[PlanSku, ...]
    budget: int  # purchase budget, minor units
    max_styles: int | None = None
    min_styles: int | None = None
    bounds: tuple[GroupBound, ...] = ()
    # Constraint names left out (the infeasibility search relaxes them one at a time).
    relaxed: frozenset[str] = field(default_factory=frozenset)

    def constraint_names(self) -> list[str]:
        """The relaxable constraints: budget, styles and every group bound."""
        names = ["budget"]
        if self.min_styles is not None:
            names.append("min_styles")
        if self.max_styles is not None:
            names.append("max_styles")
        for bound in self.bounds:
            names.extend(bound.names())
        return names

    def active(self, name: str) -> bool:
        return name not in self.relaxed

    def without(self, names: Iterable[str]) -> PlanInstance:
        return PlanInstance(
            self.skus,
            self.budget,
            self.max_styles,
            self.min_styles,
            self.bounds,
            self.relaxed | frozenset(names),
        )


@dataclass(frozen=True)
class PlanLine:
    sku: str
    cases: int  # cases bought
    carried: bool = True

    def bought(self, item: PlanSku) -> int:
        return self.cases * item.case_pack

    def available(self, item: PlanSku) -> int:
        return (item.free_units + self.bought(item)) if self.carried else 0


@dataclass(frozen=True)
class Violation:
    constraint: str
    message: str


# ---- expected sales --------------------------------------------------------------------------


def _normal_loss(z: float) -> float:
    """E[(Z - z)+] for a standard normal Z."""
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1 + math.erf(z / math.sqrt(2)))
    return pdf - z * (1 - cdf)


def sigma_from_interval(mean: float, lo80: float, hi80: float) -> float:
    """The spread a forecast's 80 % interval implies (at least a quarter of the mean)."""
    return max((hi80 - lo80) / (2 * Z80), 0.25 * mean, 1.0)


def sales_curve(mean: float, sigma: float) -> tuple[tuple[float, float], ...]:
    """Breakpoints of E[min(D+, a)], D ~ Normal(mean, sigma) kept at 0 or more: starts at
    (0, 0), concave, flat after the last point (where it is close to the mean)."""
    if mean <= 0:
        return ((0.0, 0.0),)
    sigma = max(sigma, 1e-6)

    def expected(a: float) -> float:
        # E[min(D, a)] - E[min(D, 0)]: the same for D and for D kept at zero or more.
        return sigma * (_normal_loss(-mean / sigma) - _normal_loss((a - mean) / sigma))

    points = sorted({round(max(0.0, mean + z * sigma), 3) for z in CURVE_Z} | {0.0})
    curve = [(a, max(0.0, min(a, expected(a)))) for a in points]
    # Keep it concave whatever the rounding: each slope at most the one before.
    fixed = [curve[0]]
    slope_before = 1.0
    for (a0, _v0), (a1, v1) in itertools.pairwise(curve):
        slope = min(slope_before, max(0.0, (v1 - fixed[-1][1]) / (a1 - a0)))
        fixed.append((a1, fixed[-1][1] + slope * (a1 - a0)))
        slope_before = slope
    return tuple(fixed)


def expected_sales(curve: Sequence[tuple[float, float]], units: float) -> float:
    """Linear interpolation of the curve at ``units`` (flat after its last point)."""
    if units <= 0 or len(curve) == 1:
        return 0.0
    for (a0, v0), (a1, v1) in itertools.pairwise(curve):
        if units <= a1:
            return v0 + (v1 - v0) * (units - a0) / (a1 - a0)
    return curve[-1][1]


# ---- value of a line and of a plan -----------------------------------------------------------


def line_value(item: PlanSku, cases: int, carried: bool = True) -> float:
    """Expected gross margin of one SKU's line minus the cost of its leftover units."""
    if not carried:
        return 0.0
    available = item.free_units + cases * item.case_pack
    sold = expected_sales(item.curve, available)
    return (
        item.unit_price * sold
        - item.unit_cost * cases * item.case_pack
        - item.leftover_cost * (available - sold)
    )


def plan_objective(instance: PlanInstance, lines: Sequence[PlanLine]) -> float:
    items = {i.sku: i for i in instance.skus}
    return sum(line_value(items[ln.sku], ln.cases, ln.carried) for ln in lines)


def min_cases(item: PlanSku) -> int:
    """Fewest cases that meet the supplier's MOQ."""
    return max(1, math.ceil(item.moq / item.case_pack))


# ---- the independent checker -----------------------------------------------------------------


def check_plan(
    instance: PlanInstance,
    lines: Sequence[PlanLine],
    objective: float | None = None,
) -> list[Violation]:
    """Every constraint re-checked from the plan's quantities; [] when the plan holds."""
    out: list[Violation] = []
    items = {i.sku: i for i in instance.skus}
    seen: set[str] = set()
    carried: list[PlanSku] = []
    spend = 0
    for ln in lines:
        item = items.get(ln.sku)
        if item is None:
            out.append(Violation("unknown_sku", f"{ln.sku} is not a candidate of this plan"))
            continue
        if ln.sku in seen:
            out.append(Violation("duplicate_sku", f"{ln.sku} appears twice"))
        seen.add(ln.sku)
        if ln.cases < 0 or ln.cases != int(ln.cases):
            out.append(Violation(f"case_pack:{ln.sku}", f"{ln.sku}: {ln.cases} cases"))
            continue
        if not ln.carried:
            if ln.cases:
                out.append(
                    Violation(f"carried:{ln.sku}", f"{ln.sku} buys units but is not carried")
                )
            continue
        carried.append(item)
        bought = ln.bought(item)
        if bought and bought < item.moq:
            out.append(
                Violation(f"moq:{ln.sku}", f"{ln.sku}: {bought} units bought, MOQ {item.moq}")
            )
        if ln.cases > item.max_cases:
            out.append(Violation(f"max_cases:{ln.sku}", f"{ln.sku}: more than {item.max_cases}"))
        if ln.available(item) < 1:
            out.append(Violation(f"available:{ln.sku}", f"{ln.sku} is carried with no units"))
        spend += bought * item.unit_cost
    if instance.active("budget") and spend > instance.budget:
        out.append(Violation("budget", f"spends {spend} of a budget of {instance.budget}"))
    styles = {i.style for i in carried}
    if (
        instance.max_styles is not None
        and instance.active("max_styles")
        and len(styles) > instance.max_styles
    ):
        out.append(Violation("max_styles", f"{len(styles)} styles, at most {instance.max_styles}"))
    if (
        instance.min_styles is not None
        and instance.active("min_styles")
        and len(styles) < instance.min_styles
    ):
        out.append(Violation("min_styles", f"{len(styles)} styles, at least {instance.min_styles}"))
    total = len(carried)
    for bound in instance.bounds:
        count = sum(1 for i in carried if bound.group in i.groups)
        out.extend(_bound_violations(instance, bound, count, total))
    if objective is not None:
        actual = plan_objective(instance, lines)
        if abs(actual - objective) > OBJECTIVE_REL_TOL * max(1.0, abs(actual)) + 1e-3:
            out.append(Violation("objective", f"reported {objective:.2f}, recomputed {actual:.2f}"))
    return out


def _bound_violations(
    instance: PlanInstance, bound: GroupBound, count: int, total: int
) -> list[Violation]:
    g = bound.group
    checks = (
        ("min_count", bound.min_count, count < (bound.min_count or 0), "at least"),
        ("max_count", bound.max_count, count > (bound.max_count or 0), "at most"),
        (
            "min_share",
            bound.min_share,
            count < (bound.min_share or 0) * total - UNIT_TOL,
            "at least",
        ),
        (
            "max_share",
            bound.max_share,
            count > (bound.max_share or 0) * total + UNIT_TOL,
            "at most",
        ),
    )
    out = []
    for kind, limit, broken, words in checks:
        if limit is None or not broken or not instance.active(f"{kind}:{g}"):
            continue
        wanted = f"{limit:.0%} of {total}" if kind.endswith("share") else str(limit)
        out.append(Violation(f"{kind}:{g}", f"{count} SKUs of {g}, {words} {wanted}"))
    return out


# ---- the greedy baseline ---------------------------------------------------------------------


def best_cases(item: PlanSku) -> tuple[int, float]:
    """The line's best number of cases on its own (0 cases: free units only) and its value.

    The value is concave in the units available, so the scan stops once it falls."""
    best = (0, line_value(item, 0)) if item.free_units > 0 else (0, -math.inf)
    previous = -math.inf
    for cases in range(min_cases(item), item.max_cases + 1):
        value = line_value(item, cases)
        if value > best[1]:
            best = (cases, value)
        if value < previous:
            break
        previous = value
    return best


@dataclass
class _Greedy:
    instance: PlanInstance
    chosen: dict[str, PlanLine] = field(default_factory=dict)
    spend: int = 0
    styles: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def fits(self, item: PlanSku, cases: int) -> bool:
        inst = self.instance
        if item.sku in self.chosen:
            return False
        if (
            inst.active("budget")
            and self.spend + cases * item.case_pack * item.unit_cost > inst.budget
        ):
            return False
        if (
            inst.max_styles is not None
            and inst.active("max_styles")
            and item.style not in self.styles
            and len(self.styles) >= inst.max_styles
        ):
            return False
        for bound in inst.bounds:
            if (
                bound.group in item.groups
                and bound.max_count is not None
                and inst.active(f"max_count:{bound.group}")
                and self.counts.get(bound.group, 0) >= bound.max_count
            ):
                return False
        return True

    def add(self, item: PlanSku, cases: int) -> None:
        self.chosen[item.sku] = PlanLine(item.sku, cases)
        self.spend += cases * item.case_pack * item.unit_cost
        self.styles[item.style] = self.styles.get(item.style, 0) + 1
        for g in item.groups:
            self.counts[g] = self.counts.get(g, 0) + 1

    def remove(self, item: PlanSku) -> None:
        line = self.chosen.pop(item.sku)
        self.spend -= line.cases * item.case_pack * item.unit_cost
        self.styles[item.style] -= 1
        if not self.styles[item.style]:
            del self.styles[item.style]
        for g in item.groups:
            self.counts[g] -= 1


def greedy_plan(instance: PlanInstance) -> list[PlanLine] | None:
    """The baseline: SKUs ranked by expected margin per unit of budget, taken while they
    fit (minimums first, shares repaired at the end); None when it cannot meet the
    constraints. Its plan is checked by ``check_plan`` like the solver's."""
    options = []
    for item in instance.skus:
        cases, value = best_cases(item)
        if value == -math.inf:
            continue
        spend = cases * item.case_pack * item.unit_cost
        ratio = value / spend if spend else (math.inf if value > 0 else value)
        options.append((ratio, value, item, cases))
    options.sort(key=lambda o: (-o[0], -o[1], o[2].sku))
    state = _Greedy(instance)
    # Minimum counts first, with each group's best items.
    for bound in instance.bounds:
        if bound.min_count is None or not instance.active(f"min_count:{bound.group}"):
            continue
        for _ratio, _value, item, cases in options:
            if state.counts.get(bound.group, 0) >= bound.min_count:
                break
            if bound.group in item.groups and state.fits(item, cases):
                state.add(item, cases)
    for _ratio, value, item, cases in options:
        if value > 0 and state.fits(item, cases):
            state.add(item, cases)
    if instance.min_styles is not None and instance.active("min_styles"):
        for _ratio, _value, item, cases in options:
            if len(state.styles) >= instance.min_styles:
                break
            if item.style not in state.styles and state.fits(item, cases):
                state.add(item, cases)
    _repair_shares(state, options)
    lines = list(state.chosen.values())
    return lines if not check_plan(instance, lines) else None


def _repair_shares(state: _Greedy, options: list[tuple[float, float, PlanSku, int]]) -> None:
    inst = state.instance
    worst_first = [o[2] for o in reversed(options)]
    for _round in range(len(options)):
        total = len(state.chosen)
        broken = None
        for bound in inst.bounds:
            count = state.counts.get(bound.group, 0)
            too_many = bound.max_share is not None and count > bound.max_share * total + UNIT_TOL
            too_few = bound.min_share is not None and count < bound.min_share * total - UNIT_TOL
            if too_many and inst.active(f"max_share:{bound.group}"):
                broken = (bound.group, True)
            if too_few and inst.active(f"min_share:{bound.group}"):
                broken = (bound.group, False)
            if broken:
                break
        if broken is None:
            return
        group, drop_members = broken
        # Too many of a group: drop its weakest member; too few: drop the weakest other.
        victim = next(
            (
                i
                for i in worst_first
                if i.sku in state.chosen and (group in i.groups) == drop_members
            ),
            None,
        )
        if victim is None:
            return
        state.remove(victim)


# Staff roles that may solve range plans and set unit costs (merchandisers own them).
PLAN_ROLES = ("admin", "merchandiser")
