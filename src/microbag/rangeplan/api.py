"""HTTP API of range plans: solve one (admin, merchandiser), read, list, export (staff)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.db import Database
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    IdPath,
    Paging,
    ReadSession,
    get_database,
    require_staff,
)
from microbag.rangeplan import planning, service
from microbag.rangeplan.models import RangePlan
from microbag.rangeplan.policies import PLAN_ROLES
from microbag.rangeplan.schemas import (
    ComparisonOut,
    RangePlanLineOut,
    RangePlanOut,
    RangePlanPage,
    RangePlanRequest,
    RangePlanSummary,
)

router = APIRouter(tags=["range plans"])

StaffReader = Annotated[Principal, Depends(require_staff())]
Planner = Annotated[Principal, Depends(require_staff(*PLAN_ROLES))]


def plan_out(session: Session, plan: RangePlan) -> RangePlanOut:
    comparison = service.compare(session, plan) if plan.status != "infeasible" else None
    return RangePlanOut(
        id=plan.id,
        season=plan.season,
        year=plan.year,
        region=plan.region,
        segment=plan.segment,
        currency=plan.currency,
        budget_minor=plan.budget_minor,
        status=plan.status,
        objective=plan.objective,
        greedy_objective=plan.greedy_objective,
        gap=plan.gap,
        seconds=plan.seconds,
        created_at=plan.created_at,
        created_by=plan.created_by,
        inputs=plan.inputs,
        conflicts=plan.conflicts,
        lines=[
            RangePlanLineOut(
                rank=ln.rank,
                sku=ln.sku_code,
                style=ln.style_code,
                units=ln.units,
                units_to_buy=ln.units_to_buy,
                free_units=ln.free_units,
                unit_price_minor=ln.unit_price_minor,
                unit_cost_minor=ln.unit_cost_minor,
                expected_sales=ln.expected_sales,
                expected_value=ln.expected_value,
                basis=ln.basis,
                demand_mean=ln.demand_mean,
                demand_lo80=ln.demand_lo80,
                demand_hi80=ln.demand_hi80,
                reasons=list(ln.reasons),
            )
            for ln in plan.lines
        ],
        comparison=ComparisonOut(**comparison.__dict__) if comparison else None,
    )


@router.post(
    "/range-plans", status_code=201, response_model=RangePlanOut, responses=WRITE_RESPONSES
)
def create_plan(
    body: RangePlanRequest,
    staff: Planner,
    db: Annotated[Database, Depends(get_database)],
) -> RangePlanOut:
    """Solve a season's range plan (admin, merchandiser) under ``time_limit_s``, check it
    against every constraint and save it. An infeasible request is saved too, with
    ``status`` "infeasible" and the conflicting constraints in ``conflicts``."""
    plan_id = planning.solve_and_save(db, body, staff.email)
    with db.session() as session:
        return plan_out(session, service.get_plan(session, plan_id))


@router.get("/range-plans", response_model=RangePlanPage, responses=READ_RESPONSES)
def list_plans(_staff: StaffReader, session: ReadSession, paging: Paging) -> RangePlanPage:
    """Saved plans, newest first (all staff)."""
    plans, total = service.list_plans(session, paging.offset, paging.page_size)
    return RangePlanPage(
        items=[
            RangePlanSummary(
                id=p.id,
                season=p.season,
                year=p.year,
                region=p.region,
                segment=p.segment,
                currency=p.currency,
                budget_minor=p.budget_minor,
                status=p.status,
                objective=p.objective,
                gap=p.gap,
                skus=len(p.lines),
                created_at=p.created_at,
            )
            for p in plans
        ],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.get("/range-plans/{plan_id}", response_model=RangePlanOut, responses=READ_RESPONSES)
def get_plan(plan_id: IdPath, _staff: StaffReader, session: ReadSession) -> RangePlanOut:
    """One plan with its lines, reasons, inputs and the comparison with the previous
    season's plan for the same region and segment."""
    return plan_out(session, service.get_plan(session, plan_id))


@router.get("/range-plans/{plan_id}/export", responses=READ_RESPONSES)
def export_plan(
    plan_id: IdPath,
    _staff: StaffReader,
    session: ReadSession,
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx")] = "csv",
) -> Response:
    """The plan's lines as CSV or XLSX (amounts in minor units)."""
    plan = service.get_plan(session, plan_id)
    return Response(
        service.export_plan(plan, format),
        media_type=service.EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="range-plan-{plan.id}.{format}"'},
    )
