"""The range plan MILP on random small instances: every plan passes the independent
checker, is at least as good as the greedy baseline and (small enough to enumerate)
as good as the best plan there is; an infeasible request names its conflict."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microbag.rangeplan.policies import (
    GroupBound,
    PlanInstance,
    PlanLine,
    PlanSku,
    check_plan,
    greedy_plan,
    plan_objective,
    sales_curve,
)
from microbag.rangeplan.solver import case_options, conflicting_constraints, solve

GROUPS = ("bag_type:micro_tote", "bag_type:belt_bag", "color_family:neutral", "occasion:formal")


@st.composite
def instances(draw: st.DrawFn) -> PlanInstance:
    n = draw(st.integers(1, 6))
    skus = []
    for k in range(n):
        case = draw(st.sampled_from((1, 6, 12)))
        mean = draw(st.floats(0, 120))
        price = draw(st.integers(500, 20000))
        skus.append(
            PlanSku(
                sku=f"S{k}",
                style=f"ST{draw(st.integers(0, 2))}",
                unit_price=price,
                unit_cost=int(price * draw(st.floats(0.2, 1.1))),
                leftover_cost=draw(st.integers(0, price // 2)),
                case_pack=case,
                moq=case * draw(st.integers(1, 3)),
                free_units=draw(st.sampled_from((0, 0, 5, 30))),
                max_cases=draw(st.integers(0, 4)),
                curve=sales_curve(mean, mean * draw(st.floats(0.1, 0.8))),
                groups=tuple(g for g in GROUPS if draw(st.booleans())),
            )
        )
    bounds = []
    for g in draw(st.lists(st.sampled_from(GROUPS), max_size=3, unique=True)):
        kind = draw(st.sampled_from(("min_count", "max_count", "min_share", "max_share")))
        value = draw(st.integers(0, 3)) if kind.endswith("count") else draw(st.floats(0, 1))
        bounds.append(GroupBound(g, **{kind: value}))
    return PlanInstance(
        skus=tuple(skus),
        budget=draw(st.integers(0, 200_000)),
        max_styles=draw(st.none() | st.integers(0, 3)),
        min_styles=draw(st.none() | st.integers(0, 2)),
        bounds=tuple(bounds),
    )


def best_by_enumeration(instance: PlanInstance) -> float | None:
    """The best objective over every combination of quantities (None: nothing holds)."""
    choices = [[None, *case_options(item)] for item in instance.skus]
    best = None
    for combo in itertools.product(*choices):
        lines = [
            PlanLine(item.sku, cases)
            for item, cases in zip(instance.skus, combo, strict=True)
            if cases is not None
        ]
        if not check_plan(instance, lines):
            value = plan_objective(instance, lines)
            best = value if best is None else max(best, value)
    return best


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_plan_is_checked_and_beats_greedy(instance: PlanInstance) -> None:
    greedy = greedy_plan(instance)
    result = solve(instance, time_limit=5, gap=0.0, start=greedy)
    best = best_by_enumeration(instance)
    if best is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal", (repr(instance), best, result)
    assert check_plan(instance, result.lines, result.objective) == []
    if greedy is not None:
        assert check_plan(instance, greedy) == []
        assert result.objective >= plan_objective(instance, greedy) - 1e-6
    assert result.objective >= best - 1e-6 * max(1.0, abs(best))


def _sku(code: str, style: str, groups: tuple[str, ...]) -> PlanSku:
    return PlanSku(
        sku=code,
        style=style,
        unit_price=5000,
        unit_cost=2000,
        leftover_cost=500,
        case_pack=6,
        moq=12,
        free_units=0,
        max_cases=10,
        curve=sales_curve(40, 10),
        groups=groups,
    )


def test_an_infeasible_request_names_the_conflicting_constraints() -> None:
    skus = tuple(_sku(f"T{k}", f"ST{k}", ("bag_type:micro_tote",)) for k in range(4)) + tuple(
        _sku(f"B{k}", f"SB{k}", ("bag_type:belt_bag",)) for k in range(4)
    )
    instance = PlanInstance(
        skus=skus,
        budget=10_000_000,
        max_styles=3,
        bounds=(
            GroupBound("bag_type:micro_tote", min_count=2),
            GroupBound("bag_type:belt_bag", min_count=2),
            GroupBound("bag_type:belt_bag", max_share=0.9),
        ),
    )
    assert solve(instance, time_limit=5).status == "infeasible"
    conflict, alone = conflicting_constraints(instance)
    assert sorted(conflict) == [
        "max_styles",
        "min_count:bag_type:belt_bag",
        "min_count:bag_type:micro_tote",
    ]
    assert sorted(alone) == sorted(conflict)


def test_the_checker_catches_each_broken_constraint() -> None:
    item = _sku("T0", "ST0", ("bag_type:micro_tote",))
    instance = PlanInstance(
        skus=(item,),
        budget=10_000,
        max_styles=0,
        bounds=(GroupBound("bag_type:micro_tote", max_count=0),),
    )
    names = {v.constraint for v in check_plan(instance, [PlanLine("T0", 1)], objective=1.0)}
    assert names == {"moq:T0", "budget", "max_styles", "max_count:bag_type:micro_tote", "objective"}


def load_instance(name: str) -> PlanInstance:
    """A saved instance (the demo catalog's holiday plan: 268 SKUs, 32 constraints)."""
    data = json.loads((Path(__file__).parent / "data" / name).read_text())
    return PlanInstance(
        skus=tuple(
            PlanSku(**{**s, "curve": tuple(map(tuple, s["curve"])), "groups": tuple(s["groups"])})
            for s in data["skus"]
        ),
        budget=data["budget"],
        max_styles=data["max_styles"],
        min_styles=data["min_styles"],
        bounds=tuple(GroupBound(**b) for b in data["bounds"]),
    )


def test_the_demo_catalogs_plan_is_solved_within_its_time_limit() -> None:
    """HiGHS 1.16's MIP presolve looped for minutes past the time limit on this one."""
    instance = load_instance("demo_holiday_plan.json")
    greedy = greedy_plan(instance)
    started = time.perf_counter()
    result = solve(instance, time_limit=10, start=greedy)
    assert time.perf_counter() - started < 15
    assert result.status == "optimal" and result.gap is not None and result.gap <= 0.001
    assert check_plan(instance, result.lines, result.objective) == []
    assert result.objective >= plan_objective(instance, greedy)
