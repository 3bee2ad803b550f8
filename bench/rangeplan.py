"""Range plan bench: a seeded 5,000-SKU synthetic catalog with 40 constraints, solved by
HiGHS, beside a greedy ranking by margin per unit of budget on the same instance.

    python -m bench.run --only rangeplan

Figures: ``range_plan_seconds`` (the slowest instance's solve), ``range_plan_gap`` (the
largest proven relative gap, a fraction), ``range_plan_objective`` and
``range_plan_greedy_objective`` (sums over the instances; every instance's plan is
checked by the independent checker and must be at least as good as the greedy one).
"""

from __future__ import annotations

import random
import time
from typing import Any

from microbag.rangeplan.policies import (
    GroupBound,
    PlanInstance,
    PlanSku,
    check_plan,
    greedy_plan,
    plan_objective,
    sales_curve,
)
from microbag.rangeplan.solver import solve

BAG_TYPES = ("micro_tote", "mini_crossbody", "belt_bag", "micro_clutch", "pouch", "bucket")
COLOR_FAMILIES = ("black", "neutral", "brown", "white", "red", "pink", "blue", "green")
TIERS = {"luxury": (20000, 40000), "premium": (6000, 15000), "mass": (1500, 5000)}
OCCASIONS = ("casual", "formal", "festival", "commute", "bridal")
SEEDS = (1, 2, 3)


def synthetic_instance(seed: int, n_skus: int = 5000, skus_per_style: int = 5) -> PlanInstance:
    """A catalog with realistic spreads (prices by tier, costs 35-60 % of price, case
    packs, MOQs, some free stock, demand from 5 to ~500 units) and exactly 40
    constraints: budget, min/max styles and 37 group bounds."""
    rng = random.Random(seed)
    skus = []
    full_cost = 0
    for k in range(n_skus):
        style_no = k // skus_per_style
        srng = random.Random(seed * 1_000_003 + style_no)  # the style's own attributes
        bag_type = srng.choice(BAG_TYPES)
        tier = srng.choices(list(TIERS), weights=(1, 3, 2))[0]
        occasions = srng.sample(OCCASIONS, srng.choice((1, 1, 2)))
        lo, hi = TIERS[tier]
        price = srng.randint(lo, hi) // 100 * 100 + rng.choice((0, 0, 500))
        cost = int(price * rng.uniform(0.35, 0.6))
        case = rng.choice((6, 12, 12, 24))
        moq = case * rng.choice((1, 2, 4, 5))
        mean = rng.lognormvariate(3.6, 0.9)
        sigma = mean * rng.uniform(0.25, 0.6)
        free = rng.choice((0, 0, 0, rng.randint(5, 120)))
        max_cases = max(1, int((mean + 3 * sigma) // case) + 2)
        skus.append(
            PlanSku(
                sku=f"S{k:05d}",
                style=f"ST{style_no:04d}",
                unit_price=price,
                unit_cost=cost,
                leftover_cost=int(cost * 0.3),
                case_pack=case,
                moq=moq,
                free_units=free,
                max_cases=max_cases,
                curve=sales_curve(mean, sigma),
                groups=(
                    f"bag_type:{bag_type}",
                    f"color_family:{rng.choice(COLOR_FAMILIES)}",
                    f"price_tier:{tier}",
                    *(f"occasion:{o}" for o in occasions),
                ),
            )
        )
        full_cost += cost * int(mean)
    bounds = [
        *(GroupBound(f"bag_type:{t}", min_share=0.08, max_share=0.3) for t in BAG_TYPES),
        *(GroupBound(f"color_family:{c}", max_share=0.25) for c in COLOR_FAMILIES),
        *(GroupBound(f"color_family:{c}", min_count=20) for c in ("red", "pink", "green")),
        *(GroupBound(f"price_tier:{t}", min_share=0.1, max_share=0.6) for t in TIERS),
        *(GroupBound(f"occasion:{o}", min_count=30) for o in OCCASIONS),
        *(GroupBound(f"occasion:{o}", max_share=0.5) for o in ("casual", "formal", "commute")),
    ]
    instance = PlanInstance(
        skus=tuple(skus),
        budget=int(full_cost * 0.3),
        max_styles=320,
        min_styles=120,
        bounds=tuple(bounds),
    )
    assert len(instance.constraint_names()) == 40, len(instance.constraint_names())
    return instance


def run_instance(seed: int, time_limit: float = 20.0) -> dict[str, Any]:
    instance = synthetic_instance(seed)
    t0 = time.perf_counter()
    greedy = greedy_plan(instance)
    greedy_s = time.perf_counter() - t0
    greedy_objective = plan_objective(instance, greedy) if greedy is not None else None
    result = solve(instance, time_limit=time_limit, start=greedy)
    violations = check_plan(instance, result.lines, result.objective)
    return {
        "seed": seed,
        "status": result.status,
        "seconds": result.seconds,
        "gap": result.gap,
        "objective": result.objective,
        "greedy_objective": greedy_objective,
        "greedy_seconds": greedy_s,
        "violations": [v.constraint for v in violations],
        "skus": len(result.lines),
        "styles": len({i.style for i in instance.skus if i.sku in {ln.sku for ln in result.lines}}),
    }


def run(_pg_url: str | None, quick: bool) -> dict[str, Any]:
    runs = [run_instance(seed) for seed in (SEEDS[:1] if quick else SEEDS)]
    for r in runs:
        if r["violations"]:
            raise AssertionError(f"instance {r['seed']}: the checker found {r['violations']}")
        if r["greedy_objective"] is not None and r["objective"] < r["greedy_objective"]:
            raise AssertionError(f"instance {r['seed']}: the plan is worse than greedy")
    gaps = [r["gap"] for r in runs if r["gap"] is not None]
    return {
        "range_plan_seconds": round(max(r["seconds"] for r in runs), 3),
        "range_plan_gap": round(max(gaps), 6) if gaps else None,
        "range_plan_objective": round(sum(r["objective"] for r in runs), 2),
        "range_plan_greedy_objective": round(sum(r["greedy_objective"] or 0.0 for r in runs), 2),
        "range_plan_instances": len(runs),
        "range_plan_skus": len(synthetic_instance(SEEDS[0]).skus),
        "range_plan_constraints": 40,
        "range_plan_all_optimal": all(r["status"] == "optimal" for r in runs),
        "range_plan_greedy_feasible": sum(r["greedy_objective"] is not None for r in runs),
        "range_plan_over_greedy_pct": round(
            100
            * min(
                (r["objective"] / r["greedy_objective"] - 1) for r in runs if r["greedy_objective"]
            ),
            2,
        )
        if any(r["greedy_objective"] for r in runs)
        else None,
    }


if __name__ == "__main__":
    for seed in SEEDS:
        print(run_instance(seed))
