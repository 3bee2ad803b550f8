"""Reorder suggestions per SKU and warehouse (issue 10): how much to order now, from whom.

For each SKU and warehouse (a periodic review, order-up-to policy; reorder.policies):

- demand: the latest forecast run's SKU-level weekly forecasts from this week on, and
  the spread of a week's forecast error from its 80 % interval,
  (hi80 - lo80) / (2 * 1.2816); a SKU the run has no forecast for (or no run at all)
  falls back to its sales of the last ``FALLBACK_WEEKS`` weeks (mean and standard
  deviation per week), and its line's ``basis`` says so;
- the SKU's demand is split over warehouses by the units each shipped or reserved
  (order allocations of the last year), else equally over those holding its stock, else
  it all goes to the first warehouse;
- inventory position = on hand - reserved + incoming batches not from purchase orders
  + units on order (open purchase orders, not yet delivered) + lots delivered and
  waiting for inspection (they become stock unless rejected);
- supplier: the cheapest offer by landed cost whose supplier is not very poor (poor
  ones only when nothing else serves, flagged) and whose monthly capacity still covers
  the rounded quantity (capacity is shared by the lines of one call; 0 = not stated);
  its lead time (days -> weeks) and the review period size the levels, its MOQ and
  case pack round the quantity.

Nothing here writes; drafts.py turns lines into draft purchase orders.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku
from microbag.config import get_settings
from microbag.errors import DomainError, ErrorItem, NotFound
from microbag.purchasing.models import PurchaseOrder, PurchaseOrderLine, ReceiptLine
from microbag.purchasing.service import on_order
from microbag.reorder import policies
from microbag.reorder.demand import FALLBACK_WEEKS as FALLBACK_WEEKS
from microbag.reorder.demand import chunks as _chunks
from microbag.reorder.demand import forecast_demand as forecast_demand
from microbag.reorder.demand import latest_sku_run as latest_sku_run
from microbag.reorder.demand import sales_demand as sales_demand
from microbag.reorder.demand import warehouse_shares as warehouse_shares
from microbag.reorder.lines import Choice as Choice
from microbag.reorder.lines import Demand as Demand
from microbag.reorder.lines import ReorderLine as ReorderLine
from microbag.reorder.lines import Stock as Stock
from microbag.reorder.lines import check_service_level as check_service_level
from microbag.reorder.lines import choose_offer as choose_offer
from microbag.reorder.lines import levels_for_lead, rounded_for
from microbag.stock.models import IncomingStock, StockLevel, Warehouse
from microbag.suppliers.models import Supplier
from microbag.timeutil import utcnow

# Suppliers.default_lead_time_days' default, for a SKU nobody offers yet.
DEFAULT_LEAD_DAYS = 45
# A rounded-up order covering more weeks of demand than this is flagged.
LONG_COVER_WEEKS = 26


# ---- other packages' answers, through one function each (tests may replace them) --------------


def supplier_offers(session: Session, sku_ids: Iterable[int], today: date) -> dict[int, list[Any]]:
    """suppliers.service.offers_for_skus: PriceOffers per SKU, cheapest landed first."""
    suppliers = importlib.import_module("microbag.suppliers.service")
    result: dict[int, list[Any]] = suppliers.offers_for_skus(session, sku_ids, today)
    return result


def supplier_standings(
    session: Session, supplier_ids: Iterable[int], today: date
) -> dict[int, Any]:
    """scorecards.service.standings: Standing (level, score, reason) per supplier."""
    scorecards = importlib.import_module("microbag.scorecards.service")
    result: dict[int, Any] = scorecards.standings(session, supplier_ids, today)
    return result


# ---- inputs ------------------------------------------------------------------------------------


def _skus(session: Session, sku: str | None) -> dict[int, str]:
    """id -> code of the SKUs to consider: active (not draft, not discontinued) ones, or
    the one named (whatever its lifecycle)."""
    only = Sku.code == sku if sku else Sku.lifecycle == "active"
    query = select(Sku.id, Sku.code).where(only)
    rows = {int(i): str(c) for i, c in session.execute(query)}
    if sku and not rows:
        raise NotFound(f"SKU {sku!r}", "unknown_sku")
    return rows


def stock_positions(session: Session, sku_ids: Sequence[int]) -> dict[tuple[int, int], Stock]:
    """(sku_id, warehouse_id) -> what is there, coming and drafted."""
    out: dict[tuple[int, int], Stock] = defaultdict(Stock)
    from_pos = select(PurchaseOrderLine.incoming_id).where(
        PurchaseOrderLine.incoming_id.is_not(None)
    )
    for part in _chunks(list(sku_ids)):
        for sku_id, wh, on_hand, reserved in session.execute(
            select(
                StockLevel.sku_id, StockLevel.warehouse_id, StockLevel.on_hand, StockLevel.reserved
            ).where(StockLevel.sku_id.in_(part))
        ):
            st = out[(int(sku_id), int(wh))]
            st.on_hand, st.reserved = int(on_hand), int(reserved)
        for sku_id, wh, quantity in session.execute(
            select(IncomingStock.sku_id, IncomingStock.warehouse_id, IncomingStock.quantity).where(
                IncomingStock.sku_id.in_(part),
                IncomingStock.received_at.is_(None),
                IncomingStock.id.not_in(from_pos),
            )
        ):
            out[(int(sku_id), int(wh))].incoming += int(quantity)
        for sku_id, wh, quantity in session.execute(
            select(ReceiptLine.sku_id, ReceiptLine.warehouse_id, ReceiptLine.quantity).where(
                ReceiptLine.sku_id.in_(part),
                ReceiptLine.status.in_(("pending_inspection", "rework")),
            )
        ):
            out[(int(sku_id), int(wh))].in_inspection += int(quantity)
        for sku_id, wh, quantity, number in session.execute(
            select(
                PurchaseOrderLine.sku_id,
                PurchaseOrderLine.warehouse_id,
                PurchaseOrderLine.quantity,
                PurchaseOrder.number,
            )
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
            .where(PurchaseOrderLine.sku_id.in_(part), PurchaseOrder.status == "draft")
            .order_by(PurchaseOrder.id)
        ):
            st = out[(int(sku_id), int(wh))]
            st.drafted += int(quantity)
            if number not in st.draft_numbers:
                st.draft_numbers.append(str(number))
    for key, units in on_order(session, sku_ids).items():
        out[key].on_order += units
    return dict(out)


def sku_ids_for_codes(session: Session, codes: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(codes))
    out: dict[str, int] = {}
    for part in _chunks(wanted):
        out.update(
            {
                str(c): int(i)
                for i, c in session.execute(select(Sku.id, Sku.code).where(Sku.code.in_(part)))
            }
        )
    return out


def unknown_skus(codes: Sequence[str]) -> NoReturn:
    raise DomainError(
        [ErrorItem("unknown_sku", f"SKU {c!r} does not exist", None, "skus") for c in codes],
        404,
    )


def no_warehouse() -> DomainError:
    return DomainError.single("unknown_warehouse", "no warehouse exists", 404)


def warehouse_codes(session: Session) -> dict[int, str]:
    return {int(i): str(c) for i, c in session.execute(select(Warehouse.id, Warehouse.code))}


def supplier_capacities(session: Session, supplier_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    return {
        int(i): int(c)
        for i, c in session.execute(
            select(Supplier.id, Supplier.monthly_capacity_units).where(Supplier.id.in_(ids))
        )
    }


def supplier_id_for_code(session: Session, code: str) -> int:
    found = session.scalar(select(Supplier.id).where(Supplier.code == code))
    if found is None:
        raise NotFound(f"supplier {code!r}", "unknown_supplier")
    return int(found)


def warehouse_id_for_code(session: Session, code: str) -> int:
    found = session.scalar(select(Warehouse.id).where(Warehouse.code == code))
    if found is None:
        raise NotFound(f"warehouse {code!r}", "unknown_warehouse")
    return int(found)


# ---- suggestions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestions:
    lines: list[ReorderLine]
    service_level: float
    review_days: int
    forecast_run_id: int | None
    today: date


def _warehouses_for(
    sku_id: int,
    shares: Mapping[int, Mapping[int, float]],
    stock: Mapping[tuple[int, int], Stock],
    default_warehouse: int | None,
) -> dict[int, float]:
    """warehouse_id -> share of the SKU's demand; warehouses holding or expecting the SKU
    without a share get 0 (their position still shows)."""
    held = sorted(wh for (sid, wh) in stock if sid == sku_id)
    split = dict(shares.get(sku_id, {}))
    if not split:
        with_stock = [wh for wh in held if stock[(sku_id, wh)].on_hand > 0]
        if with_stock:
            split = {wh: 1 / len(with_stock) for wh in with_stock}
        elif default_warehouse is not None:
            split = {default_warehouse: 1.0}
    for wh in held:
        split.setdefault(wh, 0.0)
    return split


def pack_warning(quantity: int, moq: int, case_pack: int, weekly_mean: list[float]) -> list[str]:
    """Say so when MOQ or case pack rounding buys more than LONG_COVER_WEEKS of demand
    (a slow seller's minimum order can be years of stock)."""
    weekly = sum(weekly_mean[:13]) / len(weekly_mean[:13]) if weekly_mean else 0.0
    if weekly <= 0:
        return [f"MOQ {moq} / case pack {case_pack}: buys stock with no forecast demand"]
    weeks = quantity / weekly
    if weeks <= LONG_COVER_WEEKS:
        return []
    return [f"MOQ {moq} / case pack {case_pack} buy about {weeks:.0f} weeks of demand"]


def supplier_summary(
    session: Session, offers: Mapping[int, Sequence[Any]], today: date
) -> tuple[dict[int, Any], dict[int, int | None]]:
    ids = {o.supplier_id for per_sku in offers.values() for o in per_sku}
    standings = supplier_standings(session, ids, today) if ids else {}
    capacity: dict[int, int | None] = {
        sid: (cap if cap > 0 else None) for sid, cap in supplier_capacities(session, ids).items()
    }
    return standings, capacity


def suggestions(
    session: Session,
    *,
    service_level: float | None = None,
    today: date | None = None,
    sku: str | None = None,
    warehouse: str | None = None,
    supplier: str | None = None,
    include_all: bool = False,
) -> list[ReorderLine]:
    """Reorder lines per SKU and warehouse (only those to order, unless ``include_all``)."""
    return suggest(
        session,
        service_level=service_level,
        today=today,
        sku=sku,
        warehouse=warehouse,
        supplier=supplier,
        include_all=include_all,
    ).lines


def suggest(
    session: Session,
    *,
    service_level: float | None = None,
    today: date | None = None,
    sku: str | None = None,
    warehouse: str | None = None,
    supplier: str | None = None,
    include_all: bool = False,
) -> Suggestions:
    """``suggestions`` with the parameters used (service level, review days, run)."""
    settings = get_settings()
    level = check_service_level(
        settings.reorder_service_level if service_level is None else service_level
    )
    today = today or utcnow().date()
    warehouse_id = warehouse_id_for_code(session, warehouse) if warehouse else None
    supplier_id = supplier_id_for_code(session, supplier) if supplier else None
    skus = _skus(session, sku)
    ids = sorted(skus)
    review_days = settings.reorder_review_days
    review_weeks = review_days / 7
    wh_codes = warehouse_codes(session)
    default_warehouse = min(wh_codes) if wh_codes else None
    offers = supplier_offers(session, ids, today) if ids else {}
    standings, capacity = supplier_summary(session, offers, today)
    longest = max([o.lead_time_days for per in offers.values() for o in per] + [DEFAULT_LEAD_DAYS])
    demand, run_id = forecast_demand(
        session, [skus[i] for i in ids], today, longest / 7 + review_weeks
    )
    demand.update(sales_demand(session, [skus[i] for i in ids if skus[i] not in demand], today))
    shares = warehouse_shares(session, ids, today)
    stock = stock_positions(session, ids)
    used: dict[int, int] = defaultdict(int)
    lines: list[ReorderLine] = []
    for sku_id in sorted(ids, key=lambda i: skus[i]):
        code = skus[sku_id]
        sku_demand = demand.get(code) or Demand([], 0.0, "no forecast and no sales")
        split = _warehouses_for(sku_id, shares, stock, default_warehouse)
        for wh in sorted(split, key=lambda w: wh_codes.get(w, "")):
            share = split[wh]
            st = stock.get((sku_id, wh), Stock())
            mean = [m * share for m in sku_demand.weekly_mean]
            # Each warehouse's error taken as the SKU's, scaled like its mean.
            sigma = sku_demand.sigma_per_week * share

            levels_for = partial(
                levels_for_lead,
                weekly_mean=mean,
                sigma=sigma,
                review_weeks=review_weeks,
                level=level,
            )
            rounded = partial(rounded_for, position=st.position, levels_for=levels_for)
            left = {
                sid: (None if cap is None else max(0, cap - used[sid]))
                for sid, cap in capacity.items()
            }
            choice = choose_offer(offers.get(sku_id, []), standings, left, rounded)
            warnings = list(sku_demand.warnings)
            if choice is None:
                lead_days = DEFAULT_LEAD_DAYS
                warnings.append(
                    "no supplier offers this SKU today"
                    if not offers.get(sku_id)
                    else "every supplier offering this SKU stands very poor"
                )
            else:
                lead_days = int(choice.offer.lead_time_days)
                warnings.extend(choice.warnings)
            levels = levels_for(lead_days)
            raw = policies.order_quantity(inventory_position=st.position, levels=levels)
            if choice is None:
                quantity, moq, case_pack = raw, 1, 1
            else:
                quantity = choice.quantity
                moq, case_pack = int(choice.offer.moq), int(choice.offer.case_pack)
            if quantity > raw:
                warnings.extend(pack_warning(quantity, moq, case_pack, mean))
            if st.drafted:
                warnings.append(
                    f"{st.drafted} units already on draft {', '.join(st.draft_numbers)}"
                )
            line = ReorderLine(
                sku=code,
                sku_id=sku_id,
                warehouse=wh_codes.get(wh, str(wh)),
                warehouse_id=wh,
                supplier=choice.offer.supplier_code if choice else None,
                supplier_id=choice.offer.supplier_id if choice else None,
                quantity=quantity,
                raw_quantity=raw,
                moq=moq,
                case_pack=case_pack,
                reorder_point=levels.reorder_point,
                order_up_to=levels.order_up_to,
                safety_stock=levels.safety_stock,
                on_hand=st.on_hand,
                reserved=st.reserved,
                incoming=st.incoming,
                on_order=st.on_order,
                in_inspection=st.in_inspection,
                inventory_position=st.position,
                drafted=st.drafted,
                weekly_demand=round(mean[0], 3) if mean else 0.0,
                sigma_per_week=round(sigma, 3),
                lead_time_days=lead_days,
                unit_cost_minor=choice.offer.unit_cost_minor if choice else None,
                currency=choice.offer.currency if choice else None,
                landed_unit_cost_minor=choice.offer.landed_unit_cost_minor if choice else None,
                basis=sku_demand.basis
                + ("" if share == 1.0 else f"; {share:.0%} of the SKU's demand ships from here"),
                warnings=warnings,
            )
            if choice is not None and quantity > 0:
                used[choice.offer.supplier_id] += quantity
            if warehouse_id is not None and wh != warehouse_id:
                continue
            if supplier_id is not None and line.supplier_id != supplier_id:
                continue
            if include_all or quantity > 0:
                lines.append(line)
    return Suggestions(lines, level, review_days, run_id, today)


def lock_drafting(session: Session) -> None:
    """Serialize the making of reorder and range-plan drafts: two presses of the button at
    once must not both find "nothing drafted yet". The first warehouse row serves as the
    mutex (FOR NO KEY UPDATE: foreign keys to it still insert freely); after it is held,
    READ COMMITTED reads see the other call's drafts. SQLite's writers are serial anyway."""
    session.execute(
        select(Warehouse.id).order_by(Warehouse.id).limit(1).with_for_update(key_share=True)
    ).all()


def range_plan_drafts(session: Session, plan_id: int) -> list[PurchaseOrder]:
    """Purchase orders (not cancelled) already drafted from a range plan."""
    return list(
        session.scalars(
            select(PurchaseOrder)
            .where(
                PurchaseOrder.source == "range_plan",
                PurchaseOrder.source_ref == str(plan_id),
                PurchaseOrder.status != "cancelled",
            )
            .order_by(PurchaseOrder.id)
        )
    )
