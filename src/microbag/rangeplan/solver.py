"""The range plan as a mixed-integer program, solved by HiGHS (highspy).

One binary per SKU and number of cases worth buying (none, when it has free units;
then every whole number of cases from the supplier's MOQ up to the line's own best:
case packs and MOQs hold by construction), at most one per SKU; one binary per style.
Each option's value is the SKU's expected gross margin minus the cost of its leftover
units, read off the piecewise-linear expected-sales curve (``policies.line_value``),
so the objective is linear. Constraints: the budget, the number of styles, at least /
at most SKUs per group (counts, or shares of the carried SKUs through a count column).

Solving: the LP relaxation gives a bound no plan can beat; the variables it already
sets to 0 or 1 are fixed and HiGHS solves the few left (a relaxation-induced
neighbourhood). When that plan is within the gap of the bound it is proven; otherwise
HiGHS runs branch and bound on the whole model, started from the best plan so far.

The answer is not trusted: the service re-checks it with ``policies.check_plan``.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from microbag.rangeplan.policies import (
    PlanInstance,
    PlanLine,
    PlanSku,
    line_value,
    min_cases,
)

INF = highspy.kHighsInf


def _quiet_banner() -> None:
    """HiGHS prints its banner on stdout the first time a solver is made in a process
    (before any option can turn output off); that would land in a CSV on stdout. Made
    once here with stdout pointed at /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_quiet_banner()
DEFAULT_GAP = 0.001  # proven within 0.1 % of the best possible plan


@dataclass
class SolveResult:
    status: str  # optimal | time_limit | infeasible | no_plan (none found in time)
    lines: list[PlanLine] = field(default_factory=list)
    objective: float = 0.0
    # Proven relative gap between the plan and the best bound (0 when proven optimal).
    gap: float | None = None
    bound: float | None = None
    seconds: float = 0.0


class _Rows:
    """Row-wise sparse constraints for HiGHS."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.start: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []

    def add(self, coefs: Sequence[tuple[int, float]], lower: float, upper: float) -> None:
        for col, val in coefs:
            if val:
                self.index.append(col)
                self.value.append(float(val))
        self.start.append(len(self.index))
        self.lower.append(lower)
        self.upper.append(upper)


@dataclass
class _Model:
    lp: highspy.HighsLp
    # Per SKU: its options as (column, cases).
    options: list[list[tuple[int, int]]]
    carry_cols: list[int | None]
    style_col: dict[str, int]
    total_col: int
    objective_scale: float


def useful_cases(item: PlanSku) -> int:
    """More cases than the line's own best never help: the value falls (it is concave)
    and the budget used grows, and no constraint counts units. So the best is a bound."""
    m = min_cases(item)
    if item.max_cases < m:
        return 0
    best_value = line_value(item, 0) if item.free_units > 0 else -math.inf
    best, previous = 0, -math.inf
    for cases in range(m, item.max_cases + 1):
        value = line_value(item, cases)
        if value < previous:
            break
        previous = value
        if value > best_value or (item.free_units < 1 and best == 0):
            best, best_value = cases, value
    return best


def case_options(item: PlanSku) -> list[int]:
    """The numbers of cases worth considering: none (free units only, when there are
    some), then from the MOQ's cases up to the line's own best (case packs: whole cases)."""
    out = [0] if item.free_units > 0 else []
    cap = useful_cases(item)
    if cap:
        free_value = line_value(item, 0) if item.free_units > 0 else -math.inf
        # Buying fewer cases than pay for themselves against the free units is dominated.
        out.extend(k for k in range(min_cases(item), cap + 1) if line_value(item, k) > free_value)
    return out


class _Columns:
    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []

    def add(self, upper: float, cost: float = 0.0, integer: bool = True) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1


def _build(instance: PlanInstance, with_objective: bool = True) -> _Model:
    skus = instance.skus
    prices = sorted(i.unit_price for i in skus) or [1]
    # Money in units of the median price keeps HiGHS's numbers near 1 (it warns otherwise).
    scale = float(max(1, prices[len(prices) // 2])) if with_objective else 1.0
    cols = _Columns()
    rows = _Rows()
    style_col = {s: cols.add(1.0) for s in sorted({i.style for i in skus})}
    total = cols.add(INF, integer=False)  # number of carried SKUs (for the shares)
    members: dict[str, list[int]] = {}
    options: list[list[tuple[int, int]]] = []
    spend: list[tuple[int, float]] = []
    carry: list[int] = []
    carry_cols: list[int | None] = []
    for item in skus:
        own = []
        for cases in case_options(item):
            value = line_value(item, cases) / scale if with_objective else 0.0
            col = cols.add(1.0, value)
            own.append((col, cases))
            if cases:
                spend.append((col, float(cases * item.case_pack * item.unit_cost)))
        options.append(own)
        if not own:
            carry_cols.append(None)
            continue
        # carry = the one quantity chosen (or none), and only in a carried style.
        x = cols.add(1.0)
        carry.append(x)
        carry_cols.append(x)
        rows.add([(col, 1.0) for col, _cases in own] + [(x, -1)], 0, 0)
        rows.add([(x, 1), (style_col[item.style], -1)], -INF, 0)
        members.setdefault(item.style, []).append(x)
        for group in item.groups:
            members.setdefault("group:" + group, []).append(x)
    for style, col in style_col.items():
        rows.add([(col, 1)] + [(x, -1) for x in members.get(style, [])], -INF, 0)
    rows.add([(total, 1)] + [(x, -1) for x in carry], 0, 0)
    if instance.active("budget"):
        unit = max([1.0] + [v for _c, v in spend]) / 1000  # coefficients up to 1000
        rows.add([(c, v / unit) for c, v in spend], -INF, instance.budget / unit)
    style_cols = [(col, 1.0) for col in style_col.values()]
    if instance.min_styles is not None and instance.active("min_styles"):
        rows.add(style_cols, instance.min_styles, INF)
    if instance.max_styles is not None and instance.active("max_styles"):
        rows.add(style_cols, -INF, instance.max_styles)
    for bound in instance.bounds:
        g = bound.group
        in_group = [(x, 1.0) for x in members.get("group:" + g, [])]
        if bound.min_count is not None and instance.active(f"min_count:{g}"):
            rows.add(in_group, bound.min_count, INF)
        if bound.max_count is not None and instance.active(f"max_count:{g}"):
            rows.add(in_group, -INF, bound.max_count)
        if bound.min_share is not None and instance.active(f"min_share:{g}"):
            rows.add([*in_group, (total, -bound.min_share)], 0, INF)
        if bound.max_share is not None and instance.active(f"max_share:{g}"):
            rows.add([*in_group, (total, -bound.max_share)], -INF, 0)
    lp = highspy.HighsLp()
    lp.num_col_ = len(cols.cost)
    lp.num_row_ = len(rows.lower)
    lp.col_cost_ = np.array(cols.cost)
    lp.col_lower_ = np.zeros(len(cols.cost))
    lp.col_upper_ = np.array(cols.upper)
    lp.row_lower_ = np.array(rows.lower)
    lp.row_upper_ = np.array(rows.upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(rows.start, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(rows.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(rows.value)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
        for i in cols.integer
    ]
    lp.sense_ = highspy.ObjSense.kMaximize
    return _Model(lp, options, carry_cols, style_col, total, scale)


def _start_vector(instance: PlanInstance, model: _Model, lines: Sequence[PlanLine]) -> list[float]:
    chosen = {ln.sku: ln.cases for ln in lines if ln.carried}
    values = [0.0] * model.lp.num_col_
    for item, own, x in zip(instance.skus, model.options, model.carry_cols, strict=True):
        cases = chosen.get(item.sku)
        for col, option in own:
            if option == cases and x is not None:
                values[col] = 1.0
                values[x] = 1.0
                values[model.style_col[item.style]] = 1.0
                values[model.total_col] += 1.0
    return values


def _highs(time_limit: float, gap: float, *, presolve: bool = False) -> highspy.Highs:
    """A quiet HiGHS under a time limit. MIP presolve is off unless asked for: on the
    demo catalog's plan HiGHS 1.16's MIP presolve looped for minutes past the time
    limit (it does not look at the clock), where the solve without it takes a second."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("random_seed", 0)
    if not presolve:
        h.setOptionValue("presolve", "off")
    return h


def _lines(instance: PlanInstance, model: _Model, values: Sequence[float]) -> list[PlanLine]:
    return [
        PlanLine(item.sku, cases)
        for item, own in zip(instance.skus, model.options, strict=True)
        for col, cases in own
        if values[col] > 0.5
    ]


def _relaxation(model: _Model, time_limit: float) -> tuple[str, list[float], float]:
    """The LP relaxation: its status, values and bound (the best any plan can reach)."""
    lp = model.lp
    integrality = lp.integrality_
    lp.integrality_ = [highspy.HighsVarType.kContinuous] * lp.num_col_
    try:
        h = _highs(time_limit, 0.0, presolve=True)
        h.passModel(lp)
        h.run()
    finally:
        lp.integrality_ = integrality
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", [], -INF
    if status != highspy.HighsModelStatus.kOptimal:
        return "unknown", [], INF
    return "optimal", list(h.getSolution().col_value), float(h.getInfo().objective_function_value)


def _dive(model: _Model, relaxed: Sequence[float], time_limit: float) -> list[float] | None:
    """A plan near the relaxation: the variables it already sets to 0 or 1 are fixed and
    HiGHS solves what is left (a few dozen choices), a relaxation-induced neighbourhood.

    The fixed columns are taken out here (their part of each row moves into the row's
    bounds), so the model HiGHS gets is small without its presolve (see ``_highs``)."""
    lp = model.lp
    ncol = lp.num_col_
    values = np.zeros(ncol)
    free = np.ones(ncol, dtype=bool)
    for col, kind in enumerate(lp.integrality_):
        if kind != highspy.HighsVarType.kInteger:
            continue
        if relaxed[col] <= 1e-6:
            free[col] = False
        elif relaxed[col] >= 1 - 1e-6:
            free[col], values[col] = False, 1.0
    cols = np.flatnonzero(free)
    new_index = np.full(ncol, -1)
    new_index[cols] = np.arange(len(cols))
    start = np.asarray(lp.a_matrix_.start_)
    index = np.asarray(lp.a_matrix_.index_)
    value = np.asarray(lp.a_matrix_.value_)
    row_of = np.repeat(np.arange(lp.num_row_), np.diff(start))
    fixed_part = np.bincount(row_of, weights=value * values[index], minlength=lp.num_row_)
    keep = free[index]
    sub = highspy.HighsLp()
    sub.num_col_ = len(cols)
    sub.num_row_ = lp.num_row_
    sub.col_cost_ = np.asarray(lp.col_cost_)[cols]
    sub.col_lower_ = np.asarray(lp.col_lower_)[cols]
    sub.col_upper_ = np.asarray(lp.col_upper_)[cols]
    sub.row_lower_ = np.asarray(lp.row_lower_) - fixed_part
    sub.row_upper_ = np.asarray(lp.row_upper_) - fixed_part
    sub.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    sub.a_matrix_.start_ = np.concatenate(
        ([0], np.cumsum(np.bincount(row_of[keep], minlength=lp.num_row_)))
    ).astype(np.int32)
    sub.a_matrix_.index_ = new_index[index[keep]].astype(np.int32)
    sub.a_matrix_.value_ = value[keep]
    sub.integrality_ = [lp.integrality_[c] for c in cols]
    sub.sense_ = highspy.ObjSense.kMaximize
    h = _highs(time_limit, 0.0)
    h.passModel(sub)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    values[cols] = h.getSolution().col_value
    return [float(v) for v in values]


def _value(model: _Model, values: Sequence[float]) -> float:
    return float(np.dot(model.lp.col_cost_, values))


def solve(
    instance: PlanInstance,
    *,
    time_limit: float = 10.0,
    gap: float = DEFAULT_GAP,
    start: Sequence[PlanLine] | None = None,
) -> SolveResult:
    """The best plan within ``gap`` (relative) of the best possible, under ``time_limit``
    seconds. ``start`` (e.g. the greedy plan) is a first solution: the answer is never
    worse than it.

    First the LP relaxation (its bound caps every plan) and a plan near it (``_dive``);
    when that plan is within ``gap`` of the bound it is proven good enough. Otherwise
    HiGHS runs branch and bound on the whole model from the best plan so far."""
    began = time.perf_counter()

    def left() -> float:
        return max(0.1, time_limit - (time.perf_counter() - began))

    model = _build(instance)
    scale = model.objective_scale
    status, relaxed, bound = _relaxation(model, left())
    if status == "infeasible":
        return SolveResult("infeasible", seconds=time.perf_counter() - began)
    best: list[float] | None = _start_vector(instance, model, start) if start else None
    if status == "optimal":
        dived = _dive(model, relaxed, left() / 2)
        if dived is not None and (best is None or _value(model, dived) > _value(model, best)):
            best = dived
    if best is not None and status == "optimal":
        found = _value(model, best)
        proven = (bound - found) / max(abs(found), 1e-9)
        if proven <= gap:
            return SolveResult(
                "optimal",
                _lines(instance, model, best),
                found * scale,
                max(0.0, proven),
                bound * scale,
                time.perf_counter() - began,
            )
    h = _highs(left(), gap)
    h.passModel(model.lp)
    if best is not None:
        solution = highspy.HighsSolution()
        solution.col_value = best
        solution.value_valid = True
        h.setSolution(solution)
    h.run()
    mip_status = h.getModelStatus()
    seconds = time.perf_counter() - began
    if mip_status == highspy.HighsModelStatus.kInfeasible:
        return SolveResult("infeasible", seconds=seconds)
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no plan found in time (nor proven none exists)
        return SolveResult("no_plan", seconds=seconds)
    found = float(info.objective_function_value)
    best_bound = min(float(info.mip_dual_bound), bound)
    proven = (best_bound - found) / max(abs(found), 1e-9)
    optimal = mip_status == highspy.HighsModelStatus.kOptimal or proven <= gap
    return SolveResult(
        "optimal" if optimal else "time_limit",
        _lines(instance, model, h.getSolution().col_value),
        found * scale,
        max(0.0, proven) if np.isfinite(proven) else None,
        best_bound * scale,
        seconds,
    )


def feasible(instance: PlanInstance, time_limit: float = 5.0) -> bool | None:
    """Is there any plan meeting the active constraints? None when HiGHS cannot tell in time."""
    began = time.monotonic()
    model = _build(instance, with_objective=False)
    # The relaxation first: when it has no solution, nor has the MIP (and it is quick).
    if _relaxation(model, time_limit)[0] == "infeasible":
        return False
    h = _highs(max(0.1, time_limit - (time.monotonic() - began)), 1.0)
    h.passModel(model.lp)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return False
    if h.getInfo().primal_solution_status == 2:
        return True
    return None


def conflicting_constraints(
    instance: PlanInstance, time_limit: float = 20.0
) -> tuple[list[str], list[str]]:
    """A small set of constraints that cannot hold together (a deletion filter: drop each
    in turn and keep it out while the rest still conflicts), and the constraints whose
    relaxation alone makes the request feasible."""
    deadline = time.monotonic() + time_limit

    def left() -> float:
        return deadline - time.monotonic()

    names = instance.constraint_names()
    conflict = list(names)
    for name in names:
        if left() <= 0:
            break  # out of time: the rest stay in the set (it is then not the smallest)
        trial = [c for c in conflict if c != name]
        relaxed = instance.without(set(names) - set(trial))
        if feasible(relaxed, left()) is False:
            conflict = trial
    alone = []
    for name in conflict:
        if left() <= 0:
            break
        if feasible(instance.without({name}), left()) is True:
            alone.append(name)
    return conflict, alone
