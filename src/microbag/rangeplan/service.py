"""Range plan use cases: landed unit costs (a dated history per SKU, CSV/XLSX import),
margins, saved plans (list, get, compare with the previous season's, export) and the
purchase quantities handed on to purchasing. Solving is in ``planning.py``."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku
from microbag.catalog.tabular import read_sheet, write_csv, write_xlsx
from microbag.config import get_settings
from microbag.errors import DomainError, ErrorItem, NotFound
from microbag.filelimits import FileLimits
from microbag.money import MAX_MINOR, is_currency, to_minor
from microbag.rangeplan.models import RangePlan, RangePlanLine, SkuCost
from microbag.timeutil import utcnow

COST_COLUMNS = ("sku", "unit_cost", "currency", "effective_from")
OPTIONAL_COST_COLUMNS = ("supplier_moq", "supplier_case_pack")
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_COLUMNS = (
    "rank",
    "sku",
    "style",
    "units",
    "units_to_buy",
    "free_units",
    "unit_price_minor",
    "unit_cost_minor",
    "currency",
    "expected_sales",
    "expected_value",
    "basis",
    "demand_mean",
    "demand_lo80",
    "demand_hi80",
    "reasons",
)


# ---- unit costs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostView:
    sku: str
    unit_cost_minor: int
    currency: str
    effective_from: date
    supplier_moq: int
    supplier_case_pack: int


def _view(code: str, row: SkuCost) -> CostView:
    return CostView(
        code,
        row.unit_cost_minor,
        row.currency,
        row.effective_from,
        row.supplier_moq,
        row.supplier_case_pack,
    )


def current_costs(
    session: Session, sku_ids: Iterable[int], today: date | None = None
) -> dict[int, SkuCost]:
    """Per SKU, its latest cost effective on or before ``today``."""
    ids = sorted(set(sku_ids))
    day = today or utcnow().date()
    out: dict[int, SkuCost] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        rows = session.scalars(
            select(SkuCost)
            .where(SkuCost.sku_id.in_(chunk), SkuCost.effective_from <= day)
            .order_by(SkuCost.sku_id, SkuCost.effective_from)
        )
        for row in rows:
            out[row.sku_id] = row  # ordered: the latest wins
    return out


def sku_ids_by_code(session: Session, codes: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(codes))
    out: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        out.update(
            (code, sku_id)
            for code, sku_id in session.execute(select(Sku.code, Sku.id).where(Sku.code.in_(chunk)))
        )
    return out


def current_cost(session: Session, sku_code: str, today: date | None = None) -> CostView | None:
    ids = sku_ids_by_code(session, [sku_code])
    if sku_code not in ids:
        raise NotFound(f"SKU {sku_code}")
    row = current_costs(session, ids.values(), today).get(ids[sku_code])
    return _view(sku_code, row) if row else None


def cost_history(session: Session, sku_code: str) -> list[CostView]:
    rows = session.execute(
        select(SkuCost)
        .join(Sku, Sku.id == SkuCost.sku_id)
        .where(Sku.code == sku_code)
        .order_by(SkuCost.effective_from.desc())
    ).scalars()
    return [_view(sku_code, r) for r in rows]


def _check_cost(
    unit_cost_minor: int, currency: str, moq: int, case_pack: int, line: int | None
) -> list[ErrorItem]:
    errors = []
    if not is_currency(currency):
        errors.append(
            ErrorItem("invalid_currency", f"unknown currency {currency!r}", line, "currency")
        )
    if not 0 <= unit_cost_minor <= MAX_MINOR:
        errors.append(ErrorItem("invalid_cost", "unit cost must be 0 or more", line, "unit_cost"))
    if moq < 1:
        errors.append(
            ErrorItem("invalid_moq", "supplier MOQ must be 1 or more", line, "supplier_moq")
        )
    if case_pack < 1:
        errors.append(
            ErrorItem(
                "invalid_case_pack", "case pack must be 1 or more", line, "supplier_case_pack"
            )
        )
    return errors


def set_cost(
    session: Session,
    sku_code: str,
    unit_cost_minor: int,
    currency: str,
    effective_from: date,
    *,
    supplier_moq: int = 1,
    supplier_case_pack: int = 1,
    by: str = "",
) -> CostView:
    """Record a landed unit cost from ``effective_from`` (replacing one of the same day)."""
    ids = sku_ids_by_code(session, [sku_code])
    if sku_code not in ids:
        raise NotFound(f"SKU {sku_code}")
    errors = _check_cost(unit_cost_minor, currency, supplier_moq, supplier_case_pack, None)
    if errors:
        raise DomainError(errors)
    _upsert(
        session,
        ids[sku_code],
        unit_cost_minor,
        currency,
        effective_from,
        supplier_moq,
        supplier_case_pack,
        by,
    )
    session.flush()
    result = current_cost(session, sku_code, max(effective_from, utcnow().date()))
    assert result is not None  # noqa: S101 - written just above
    return result


def _upsert(
    session: Session,
    sku_id: int,
    cost: int,
    currency: str,
    effective_from: date,
    moq: int,
    case_pack: int,
    by: str,
) -> None:
    row = session.scalars(
        select(SkuCost).where(SkuCost.sku_id == sku_id, SkuCost.effective_from == effective_from)
    ).first()
    if row is None:
        row = SkuCost(sku_id=sku_id, effective_from=effective_from)
        session.add(row)
    row.unit_cost_minor = cost
    row.currency = currency
    row.supplier_moq = moq
    row.supplier_case_pack = case_pack
    row.created_by = by
    row.created_at = utcnow()


@dataclass(frozen=True)
class CostImportResult:
    rows: int
    format: str
    skus: int


def _whole(text: str, default: int) -> int:
    text = text.strip()
    if not text:
        return default
    return int(Decimal(text)) if Decimal(text) == int(Decimal(text)) else -1


def import_costs(
    session: Session, data: bytes, filename: str | None = None, *, by: str = ""
) -> CostImportResult:
    """Import ``sku,unit_cost,currency,effective_from`` (optionally ``supplier_moq``,
    ``supplier_case_pack``): every row is checked first; any bad row (named with its
    line and column) rejects the whole file, nothing written."""
    limit = get_settings().import_max_upload_bytes
    if len(data) > limit:
        raise DomainError(
            ErrorItem("file_too_large", f"the file is larger than {limit} bytes"), 413
        )
    sheet = read_sheet(data, filename, limits=FileLimits.from_settings())
    header = [h.strip().lower() for h in sheet.header]
    missing = [c for c in COST_COLUMNS if c not in header]
    if missing:
        raise DomainError(ErrorItem("missing_columns", f"missing columns: {', '.join(missing)}", 1))
    unknown = [h for h in header if h and h not in COST_COLUMNS + OPTIONAL_COST_COLUMNS]
    if unknown:
        raise DomainError(ErrorItem("unknown_columns", f"unknown columns: {', '.join(unknown)}", 1))
    at = {name: header.index(name) for name in header if name}
    ids = sku_ids_by_code(
        session, (cells[at["sku"]].strip() for _n, cells in sheet.rows if len(cells) > at["sku"])
    )
    errors: list[ErrorItem] = []
    parsed: list[tuple[int, int, str, date, int, int]] = []
    seen: dict[tuple[int, date], int] = {}
    for line, cells in sheet.rows:
        cells = cells + [""] * (len(header) - len(cells))

        def cell(name: str, _cells: list[str] = cells) -> str:
            return _cells[at[name]].strip() if name in at else ""

        code, currency = cell("sku"), cell("currency").upper()
        row_errors: list[ErrorItem] = []
        if code not in ids:
            row_errors.append(ErrorItem("unknown_sku", f"unknown SKU {code!r}", line, "sku"))
        try:
            day = date.fromisoformat(cell("effective_from"))
        except ValueError:
            row_errors.append(
                ErrorItem(
                    "invalid_date", "effective_from must be YYYY-MM-DD", line, "effective_from"
                )
            )
            day = date.min
        try:
            cost = to_minor(cell("unit_cost"), currency) if is_currency(currency) else 0
        except (ValueError, InvalidOperation, ArithmeticError):
            row_errors.append(
                ErrorItem(
                    "invalid_cost",
                    f"unit cost {cell('unit_cost')!r} is not an amount in {currency}",
                    line,
                    "unit_cost",
                )
            )
            cost = 0
        try:
            moq = _whole(cell("supplier_moq"), 1)
            case_pack = _whole(cell("supplier_case_pack"), 1)
        except (ValueError, InvalidOperation):
            moq = case_pack = -1
        row_errors.extend(_check_cost(cost, currency, moq, case_pack, line))
        if not row_errors:
            key = (ids[code], day)
            if key in seen:
                row_errors.append(
                    ErrorItem(
                        "duplicate_row", f"{code} from {day} is also on line {seen[key]}", line
                    )
                )
            seen[key] = line
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append((ids[code], cost, currency, day, moq, case_pack))
    if errors:
        raise DomainError(errors)
    if not parsed:
        raise DomainError(ErrorItem("empty_file", "the file has no cost rows"))
    for sku_id, cost, currency, day, moq, case_pack in parsed:
        _upsert(session, sku_id, cost, currency, day, moq, case_pack, by)
    session.flush()
    return CostImportResult(len(parsed), sheet.format, len({p[0] for p in parsed}))


@dataclass(frozen=True)
class Margin:
    amount_minor: int | None  # per unit; None when the cost is missing or in another currency
    percent: float | None  # of the price
    currency: str
    note: str  # "" | "no cost" | "cost in EUR"


def margin(price_minor: int | None, price_currency: str, cost: CostView | SkuCost | None) -> Margin:
    """Margin a unit at ``price``: price - landed cost, when the currencies agree."""
    if cost is None or price_minor is None:
        return Margin(None, None, price_currency, "no cost")
    if cost.currency != price_currency:
        return Margin(None, None, price_currency, "no cost")
    amount = price_minor - cost.unit_cost_minor
    pct = amount / price_minor if price_minor else 0.0
    return Margin(amount, pct, price_currency, "")


def margins_for(
    session: Session, prices: Sequence[tuple[str, int | None, str]]
) -> dict[str, Margin]:
    """Margins of (sku code, unit price, currency) rows, e.g. a price list's items."""
    ids = sku_ids_by_code(session, (code for code, _p, _c in prices))
    costs = current_costs(session, ids.values())
    return {
        code: margin(price, currency, costs.get(ids.get(code, -1)))
        for code, price, currency in prices
    }


# ---- saved plans -------------------------------------------------------------------------------


def get_plan(session: Session, plan_id: int) -> RangePlan:
    plan = session.get(RangePlan, plan_id)
    if plan is None:
        raise NotFound("range plan")
    return plan


def list_plans(session: Session, offset: int = 0, limit: int = 50) -> tuple[list[RangePlan], int]:
    total = session.scalar(select(func.count()).select_from(RangePlan)) or 0
    rows = session.scalars(
        select(RangePlan)
        .order_by(RangePlan.created_at.desc(), RangePlan.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def previous_plan(session: Session, plan: RangePlan) -> RangePlan | None:
    """The latest solved plan of the same season, region and segment for an earlier year
    (else an earlier plan of the same year)."""
    query = select(RangePlan).where(
        RangePlan.season == plan.season,
        RangePlan.id != plan.id,
        RangePlan.status != "infeasible",
        RangePlan.region.is_(None) if plan.region is None else RangePlan.region == plan.region,
        RangePlan.segment.is_(None) if plan.segment is None else RangePlan.segment == plan.segment,
        (RangePlan.year < plan.year) | ((RangePlan.year == plan.year) & (RangePlan.id < plan.id)),
    )
    return session.scalars(
        query.order_by(RangePlan.year.desc(), RangePlan.id.desc()).limit(1)
    ).first()


@dataclass(frozen=True)
class Comparison:
    previous_id: int
    previous_year: int
    added: list[str]
    dropped: list[str]
    kept: int
    units: int
    previous_units: int
    objective: float | None
    previous_objective: float | None


def compare(session: Session, plan: RangePlan) -> Comparison | None:
    before = previous_plan(session, plan)
    if before is None:
        return None
    now = {ln.sku_code: ln.units for ln in plan.lines}
    then = {ln.sku_code: ln.units for ln in before.lines}
    return Comparison(
        before.id,
        before.year,
        sorted(set(now) - set(then)),
        sorted(set(then) - set(now)),
        len(set(now) & set(then)),
        sum(now.values()),
        sum(then.values()),
        plan.objective,
        before.objective,
    )


def purchase_quantities(plan: RangePlan) -> list[tuple[str, int]]:
    """What to buy for the plan, (SKU code, units), for purchasing (issue 10)."""
    return [(ln.sku_code, ln.units_to_buy) for ln in plan.lines if ln.units_to_buy > 0]


def export_rows(plan: RangePlan) -> list[list[Any]]:
    return [
        [
            ln.rank,
            ln.sku_code,
            ln.style_code,
            ln.units,
            ln.units_to_buy,
            ln.free_units,
            ln.unit_price_minor,
            ln.unit_cost_minor,
            plan.currency,
            round(ln.expected_sales, 1),
            round(ln.expected_value),
            ln.basis,
            round(ln.demand_mean, 1),
            round(ln.demand_lo80, 1),
            round(ln.demand_hi80, 1),
            "; ".join(ln.reasons),
        ]
        for ln in plan.lines
    ]


def export_plan(plan: RangePlan, fmt: str) -> bytes:
    """The plan's lines as CSV or XLSX (amounts in minor units, like the API)."""
    rows = export_rows(plan)
    if fmt == "xlsx":
        out = io.BytesIO()
        write_xlsx(out, EXPORT_COLUMNS, rows, f"Range plan {plan.id}")
        return out.getvalue()
    text = io.StringIO()
    write_csv(text, EXPORT_COLUMNS, rows)
    return text.getvalue().encode("utf-8")


def plan_lines(plan: RangePlan) -> list[RangePlanLine]:
    return list(plan.lines)
