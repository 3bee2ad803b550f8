"""HTTP API of reorder (staff only; buyers never see the buying side): the suggestions
(all staff) and draft purchase orders made from them or from a range plan (admin and
merchandiser)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.config import get_settings
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    IdPath,
    ReadSession,
    WriteSession,
    require_staff,
)
from microbag.purchasing import service as purchasing
from microbag.purchasing.policies import PURCHASE_ROLES
from microbag.reorder import drafts, service
from microbag.reorder.schemas import (
    DraftPoOut,
    DraftsOut,
    RangePlanDraftsIn,
    ReorderDraftsIn,
    ReorderLineOut,
    ReorderSuggestionsOut,
    SkippedOut,
)

router = APIRouter(tags=["reorder"])

StaffReader = Annotated[Principal, Depends(require_staff())]
Buyer = Annotated[Principal, Depends(require_staff(*PURCHASE_ROLES))]
Code = Annotated[str | None, Query(min_length=1, max_length=64)]


def line_out(line: service.ReorderLine, base_currency: str) -> ReorderLineOut:
    return ReorderLineOut(
        sku=line.sku,
        warehouse=line.warehouse,
        supplier=line.supplier,
        quantity=line.quantity,
        raw_quantity=line.raw_quantity,
        moq=line.moq,
        case_pack=line.case_pack,
        reorder_point=line.reorder_point,
        order_up_to=line.order_up_to,
        safety_stock=line.safety_stock,
        on_hand=line.on_hand,
        reserved=line.reserved,
        incoming=line.incoming,
        on_order=line.on_order,
        in_inspection=line.in_inspection,
        inventory_position=line.inventory_position,
        drafted=line.drafted,
        urgent=line.urgent,
        weekly_demand=line.weekly_demand,
        sigma_per_week=line.sigma_per_week,
        lead_time_days=line.lead_time_days,
        unit_cost_minor=line.unit_cost_minor,
        currency=line.currency,
        landed_unit_cost_minor=line.landed_unit_cost_minor,
        base_currency=base_currency,
        basis=line.basis,
        warnings=list(line.warnings),
    )


def drafts_out(session: Session, result: drafts.DraftResult) -> DraftsOut:
    pos = result.purchase_orders
    names = purchasing.supplier_names(session, [po.supplier_id for po in pos])
    codes = purchasing.warehouse_codes(session, [po.warehouse_id for po in pos])
    return DraftsOut(
        created=result.created,
        purchase_orders=[
            DraftPoOut(
                id=po.id,
                number=po.number,
                supplier_id=po.supplier_id,
                supplier=names.get(po.supplier_id, ("", ""))[0],
                status=po.status,
                currency=po.currency,
                warehouse=codes.get(po.warehouse_id, ""),
                source=po.source,
                source_ref=po.source_ref,
                lines=len(po.lines),
                units=sum(ln.quantity for ln in po.lines),
                total_minor=purchasing.total_minor(po),
            )
            for po in pos
        ],
        skipped=[
            SkippedOut(sku=s.sku, warehouse=s.warehouse, reason=s.reason) for s in result.skipped
        ],
    )


@router.get("/reorder-suggestions", response_model=ReorderSuggestionsOut, responses=READ_RESPONSES)
def reorder_suggestions(
    _staff: StaffReader,
    session: ReadSession,
    service_level: Annotated[
        float | None, Query(gt=0.5, lt=1.0, description="Default: reorder_service_level")
    ] = None,
    warehouse: Code = None,
    supplier: Code = None,
    sku: Code = None,
    include_all: Annotated[
        bool, Query(description="Also the SKU/warehouse pairs with nothing to order")
    ] = False,
) -> ReorderSuggestionsOut:
    """What to order now per SKU and warehouse: safety stock, reorder point and
    order-up-to level from the demand forecast over lead time plus review period, the
    quantity rounded to the chosen supplier's MOQ and case pack, the cheapest adequate
    supplier by landed cost and standing (all staff)."""
    result = service.suggest(
        session,
        service_level=service_level,
        warehouse=warehouse,
        supplier=supplier,
        sku=sku,
        include_all=include_all,
    )
    base = get_settings().base_currency
    return ReorderSuggestionsOut(
        service_level=result.service_level,
        review_days=result.review_days,
        forecast_run_id=result.forecast_run_id,
        today=result.today,
        items=[line_out(ln, base) for ln in result.lines],
    )


@router.post(
    "/reorder-suggestions/drafts",
    status_code=201,
    response_model=DraftsOut,
    responses=WRITE_RESPONSES,
)
def create_reorder_drafts(body: ReorderDraftsIn, staff: Buyer, session: WriteSession) -> DraftsOut:
    """Today's suggestions (optionally only some SKUs, one warehouse or one supplier) as
    draft purchase orders, one per supplier and warehouse, all or none (admin and
    merchandiser). SKUs already on a draft are skipped, so a repeat makes nothing new."""
    result = drafts.drafts_from_suggestions(
        session,
        actor=staff.email,
        service_level=body.service_level,
        skus=body.skus,
        warehouse=body.warehouse,
        supplier=body.supplier,
    )
    return drafts_out(session, result)


@router.post(
    "/range-plans/{plan_id}/purchase-drafts",
    status_code=201,
    response_model=DraftsOut,
    responses=WRITE_RESPONSES,
)
def create_range_plan_drafts(
    plan_id: IdPath,
    body: RangePlanDraftsIn,
    staff: Buyer,
    session: WriteSession,
    response: Response,
) -> DraftsOut:
    """A saved range plan's units to buy as draft purchase orders: the cheapest adequate
    supplier per SKU, rounded to its MOQ and case pack (admin and merchandiser). A plan
    drafted before answers 200 with its drafts (``created`` false)."""
    result = drafts.plan_drafts(session, plan_id, actor=staff.email, warehouse=body.warehouse)
    if not result.created:
        response.status_code = 200
    return drafts_out(session, result)
