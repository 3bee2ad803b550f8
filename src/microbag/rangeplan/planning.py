"""Solving a season's range plan from the database (candidates come from ``candidates``):
constraints, the MILP, the independent check, the reasons, and saving it.

Candidates are the active SKUs with a price in the plan's currency (the default price
list's first tier, or the segment's list) and a current landed cost in that currency.
Demand over the season's weeks comes from the latest forecast (scaled to the weeks it
does not cover), else from the same weeks a year before, else a prior: the average of
SKUs with history of the same bag type and price tier, weighted by the knowledge file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from microbag.db import Database
from microbag.display_names import display_name
from microbag.errors import DomainError, ErrorItem
from microbag.knowledge.facts import Knowledge
from microbag.rangeplan import explain, policies
from microbag.rangeplan.candidates import (
    Candidates,
    build_candidates,
    season_window,
    trend_labels,
)
from microbag.rangeplan.models import RangePlan, RangePlanLine
from microbag.rangeplan.policies import (
    PlanInstance,
    PlanLine,
    check_plan,
    greedy_plan,
    plan_objective,
)
from microbag.rangeplan.schemas import RangePlanRequest
from microbag.rangeplan.solver import conflicting_constraints, solve
from microbag.timeutil import utcnow


def compute_plan(
    session: Session,
    request: RangePlanRequest,
    knowledge: Knowledge,
    *,
    by: str = "",
    today: date | None = None,
) -> RangePlan:
    """Solve and check a plan, not yet saved (reads only: the solve runs outside a write
    transaction). An infeasible request gives a plan with its conflicting constraints."""
    day = today or utcnow().date()
    found = build_candidates(session, request, knowledge, day)
    instance = found.instance
    if not instance.skus:
        raise DomainError(
            ErrorItem(
                "no_candidates",
                f"no active SKU has both a price and a current cost in {request.currency} "
                f"({found.skipped['no_price']} without a price, {found.skipped['no_cost']} "
                "without a cost)",
            )
        )
    greedy = greedy_plan(instance)
    result = solve(instance, time_limit=request.time_limit_s, start=greedy)
    plan = RangePlan(
        season=request.season,
        year=request.year,
        region=request.region,
        segment=request.segment,
        currency=request.currency,
        budget_minor=request.budget_minor,
        status=result.status,
        gap=result.gap,
        seconds=round(result.seconds, 3),
        greedy_objective=plan_objective(instance, greedy) if greedy is not None else None,
        inputs=_inputs(request, found),
        conflicts={},
        created_by=by,
    )
    if result.status == "infeasible":
        conflict, alone = conflicting_constraints(instance)
        plan.conflicts = {
            "constraints": conflict,
            "relax_one": alone,
            "described": [
                explain.describe_constraint(instance, c, request.currency) for c in conflict
            ],
            "relax_one_described": [
                explain.describe_constraint(instance, c, request.currency) for c in alone
            ],
        }
    elif result.status in ("optimal", "time_limit"):
        violations = check_plan(instance, result.lines, result.objective)
        if violations:
            # Never a silent plan: the solver's answer broke a constraint.
            raise DomainError(
                [
                    ErrorItem("plan_check_failed", f"{v.constraint}: {v.message}")
                    for v in violations
                ],
                500,
            )
        plan.objective = result.objective
        trends = trend_labels(session, request.region)
        plan.lines = _lines(instance, found, result.lines, request.currency, trends)
    else:
        raise DomainError(
            ErrorItem(
                "no_plan_found",
                f"no plan was found in {request.time_limit_s:g} s (nor proof that none "
                "exists): allow more time, or relax the budget, styles or group bounds",
            ),
            422,
        )
    return plan


def save_plan(session: Session, plan: RangePlan) -> RangePlan:
    session.add(plan)
    session.flush()
    return plan


def run_plan(
    session: Session,
    request: RangePlanRequest,
    knowledge: Knowledge,
    *,
    by: str = "",
    today: date | None = None,
) -> RangePlan:
    """Solve, check and save a plan in one unit of work."""
    return save_plan(session, compute_plan(session, request, knowledge, by=by, today=today))


def _inputs(request: RangePlanRequest, found: Candidates) -> dict[str, Any]:
    instance = found.instance
    window = season_window(request.season, request.year, request.region)
    return {
        "request": request.model_dump(mode="json"),
        "season_window": [window.first_day.isoformat(), window.last_day.isoformat()],
        "ship_by": window.ship_by.isoformat(),
        "candidates": len(instance.skus),
        "skipped": found.skipped,
        "constraints": instance.constraint_names(),
        "bounds": [
            {
                "group": b.group,
                "min_count": b.min_count,
                "max_count": b.max_count,
                "min_share": b.min_share,
                "max_share": b.max_share,
                "source": b.source,
            }
            for b in instance.bounds
        ],
        "basis": {
            basis: sum(1 for e in found.evidence.values() if e.basis == basis)
            for basis in ("forecast", "history", "prior")
        },
    }


def _lines(
    instance: PlanInstance,
    found: Candidates,
    lines: Sequence[PlanLine],
    currency: str,
    trends: dict[str, str],
) -> list[RangePlanLine]:
    items = {i.sku: i for i in instance.skus}
    forced = explain.binding_minimums(instance, lines)
    rows = []
    ordered = sorted(lines, key=lambda ln: (-policies.line_value(items[ln.sku], ln.cases), ln.sku))
    for rank, ln in enumerate(ordered, start=1):
        item, ev = items[ln.sku], found.evidence[ln.sku]
        bag_type = ev.groups.get("bag_type", "")
        sold = policies.expected_sales(item.curve, ln.available(item))
        rows.append(
            RangePlanLine(
                rank=rank,
                sku_code=item.sku,
                style_code=item.style,
                units=ln.available(item),
                units_to_buy=ln.bought(item),
                free_units=item.free_units,
                unit_price_minor=item.unit_price,
                unit_cost_minor=item.unit_cost,
                expected_sales=round(sold, 2),
                expected_value=round(policies.line_value(item, ln.cases), 2),
                basis=ev.basis,
                demand_mean=round(ev.mean, 2),
                demand_lo80=round(ev.lo80, 2),
                demand_hi80=round(ev.hi80, 2),
                reasons=explain.pick_reasons(
                    item,
                    ln,
                    basis=ev.basis,
                    mean=ev.mean,
                    lo80=ev.lo80,
                    hi80=ev.hi80,
                    note=ev.note,
                    trend=trends.get(f"bag_type:{bag_type}"),
                    trend_of=display_name(bag_type),
                    currency=currency,
                    forced=forced.get(ln.sku, ()),
                ),
            )
        )
    return rows


def solve_and_save(db: Database, request: RangePlanRequest, by: str) -> int:
    """Solve in a read transaction, then save in a short write transaction (on SQLite the
    write lock is not held while HiGHS works). The saved plan's id."""
    from microbag.knowledge.service import effective_knowledge

    with db.session() as session:
        plan = compute_plan(session, request, effective_knowledge(session), by=by)
    with db.session(write=True) as session:
        return save_plan(session, plan).id
