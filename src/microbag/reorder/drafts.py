"""Reorder lines and range plans into draft purchase orders, in one step.

Lines are grouped per supplier and warehouse, one draft each (purchasing.service.
create_draft checks MOQ, case pack and standing again). Nothing commits here: the
caller's unit of work makes every draft of a call, or none.

Repeats are harmless: a SKU and warehouse that already has units on a draft purchase
order is skipped (and said so), and a range plan already drafted answers with its
drafts instead of making new ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from microbag.purchasing.models import PurchaseOrder
from microbag.purchasing.policies import MAX_LINES
from microbag.purchasing.service import DraftLine, create_draft
from microbag.rangeplan.service import get_plan, purchase_quantities, sku_ids_by_code
from microbag.reorder import policies, service
from microbag.reorder.service import ReorderLine
from microbag.timeutil import utcnow


@dataclass(frozen=True)
class Skipped:
    sku: str
    warehouse: str
    reason: str


@dataclass
class DraftResult:
    purchase_orders: list[PurchaseOrder]
    skipped: list[Skipped] = field(default_factory=list)
    # False: the drafts existed already (a range plan drafted before); none were made.
    created: bool = True


def create_drafts(
    session: Session,
    lines: Sequence[ReorderLine],
    *,
    actor: str,
    source: str = "reorder",
    source_ref: str = "",
    today: date | None = None,
) -> list[PurchaseOrder]:
    """One draft purchase order per supplier and warehouse (split past MAX_LINES lines);
    lines without a supplier or quantity are left out."""
    groups: dict[tuple[int, int], list[ReorderLine]] = defaultdict(list)
    for line in lines:
        if line.supplier_id is not None and line.quantity > 0:
            groups[(line.supplier_id, line.warehouse_id)].append(line)
    made: list[PurchaseOrder] = []
    for (supplier_id, warehouse_id), group in sorted(
        groups.items(), key=lambda kv: (kv[1][0].supplier or "", kv[1][0].warehouse)
    ):
        group.sort(key=lambda ln: ln.sku)
        for start in range(0, len(group), MAX_LINES):
            part = group[start : start + MAX_LINES]
            made.append(
                create_draft(
                    session,
                    supplier_id=supplier_id,
                    lines=[DraftLine(sku_id=ln.sku_id, quantity=ln.quantity) for ln in part],
                    actor=actor,
                    warehouse_id=warehouse_id,
                    source=source,
                    source_ref=source_ref,
                    notes=_notes(source, part),
                    today=today,
                )
            )
    return made


def _notes(source: str, lines: Sequence[ReorderLine]) -> str:
    if source == "range_plan":
        return "Drafted from the range plan: its units to buy, rounded to MOQ and case pack."
    urgent = sum(1 for ln in lines if ln.urgent)
    count = f"{len(lines)} line" if len(lines) == 1 else f"{len(lines)} lines"
    return f"Drafted from reorder suggestions: {count}, {urgent} below the reorder point."


def drafts_from_suggestions(
    session: Session,
    *,
    actor: str,
    service_level: float | None = None,
    skus: Sequence[str] | None = None,
    warehouse: str | None = None,
    supplier: str | None = None,
    today: date | None = None,
) -> DraftResult:
    """Today's suggestions (optionally only ``skus``) as draft purchase orders."""
    today = today or utcnow().date()
    service.lock_drafting(session)
    wanted = set(skus or [])
    lines = service.suggestions(
        session,
        service_level=service_level,
        today=today,
        warehouse=warehouse,
        supplier=supplier,
    )
    if wanted:
        known = set(service.sku_ids_for_codes(session, wanted))
        unknown = sorted(wanted - known)
        if unknown:
            service.unknown_skus(unknown)
        lines = [ln for ln in lines if ln.sku in wanted]
    skipped: list[Skipped] = []
    chosen: list[ReorderLine] = []
    for ln in lines:
        if ln.supplier_id is None:
            skipped.append(Skipped(ln.sku, ln.warehouse, "no supplier offers this SKU"))
        elif ln.drafted:
            skipped.append(
                Skipped(ln.sku, ln.warehouse, f"already on a draft ({ln.drafted} units)")
            )
        else:
            chosen.append(ln)
    return DraftResult(create_drafts(session, chosen, actor=actor, today=today), skipped)


def plan_drafts(
    session: Session,
    plan_id: int,
    *,
    actor: str,
    warehouse: str | None = None,
    today: date | None = None,
) -> DraftResult:
    """A saved range plan's units to buy -> the cheapest adequate supplier per SKU ->
    MOQ / case-pack rounded -> draft purchase orders (source range_plan, ref = plan id)."""
    today = today or utcnow().date()
    plan = get_plan(session, plan_id)
    service.lock_drafting(session)
    existing = service.range_plan_drafts(session, plan.id)
    if existing:
        return DraftResult(existing, [], created=False)
    wh_codes = service.warehouse_codes(session)
    if warehouse:
        warehouse_id = service.warehouse_id_for_code(session, warehouse)
    elif wh_codes:
        warehouse_id = min(wh_codes)
    else:
        raise service.no_warehouse()
    wh_code = wh_codes[warehouse_id]
    to_buy = purchase_quantities(plan)
    ids = sku_ids_by_code(session, [code for code, _units in to_buy])
    offers = service.supplier_offers(session, ids.values(), today) if ids else {}
    standings, capacity = service.supplier_summary(session, offers, today)
    used: dict[int, int] = defaultdict(int)
    lines: list[ReorderLine] = []
    skipped: list[Skipped] = []
    for code, units in sorted(to_buy):
        sku_id = ids.get(code)
        if sku_id is None:
            skipped.append(Skipped(code, wh_code, "the SKU no longer exists"))
            continue
        left = {
            sid: (None if cap is None else max(0, cap - used[sid])) for sid, cap in capacity.items()
        }
        choice = service.choose_offer(
            offers.get(sku_id, []), standings, left, partial(_pack, units)
        )
        if choice is None:
            skipped.append(Skipped(code, wh_code, "no supplier offers this SKU"))
            continue
        used[choice.offer.supplier_id] += choice.quantity
        lines.append(_plan_line(code, sku_id, wh_code, warehouse_id, units, choice))
    made = create_drafts(
        session, lines, actor=actor, source="range_plan", source_ref=str(plan.id), today=today
    )
    return DraftResult(made, skipped)


def drafts_from_range_plan(
    session: Session, plan_id: int, *, actor: str, warehouse: str | None = None
) -> list[PurchaseOrder]:
    """``plan_drafts``' purchase orders (made now, or made before for this plan)."""
    return plan_drafts(session, plan_id, actor=actor, warehouse=warehouse).purchase_orders


def _pack(units: int, offer: Any) -> int:
    return policies.round_to_pack(units, moq=int(offer.moq), case_pack=int(offer.case_pack))


def _plan_line(
    code: str, sku_id: int, wh_code: str, warehouse_id: int, units: int, choice: Any
) -> ReorderLine:
    offer = choice.offer
    return ReorderLine(
        sku=code,
        sku_id=sku_id,
        warehouse=wh_code,
        warehouse_id=warehouse_id,
        supplier=offer.supplier_code,
        supplier_id=offer.supplier_id,
        quantity=choice.quantity,
        raw_quantity=units,
        moq=int(offer.moq),
        case_pack=int(offer.case_pack),
        reorder_point=0,
        order_up_to=0,
        safety_stock=0,
        on_hand=0,
        reserved=0,
        incoming=0,
        on_order=0,
        in_inspection=0,
        inventory_position=0,
        drafted=0,
        weekly_demand=0.0,
        sigma_per_week=0.0,
        lead_time_days=int(offer.lead_time_days),
        unit_cost_minor=offer.unit_cost_minor,
        currency=offer.currency,
        landed_unit_cost_minor=offer.landed_unit_cost_minor,
        basis="range plan",
        warnings=list(choice.warnings),
    )
