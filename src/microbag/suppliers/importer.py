"""Supplier price list import (CSV or XLSX, bounded like every import): every row is
checked first and any bad row, named with its line and column, rejects the whole file.

Columns: supplier (code), sku or style (code; one per row), unit_cost (major units of the
row's currency), currency, moq, case_pack, lead_time_days (optional), valid_from,
valid_until (optional). A row for a supplier, target and valid_from already recorded
replaces that price, so importing the same file twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style
from microbag.catalog.tabular import read_sheet
from microbag.config import get_settings
from microbag.errors import DomainError, ErrorItem
from microbag.filelimits import FileLimits
from microbag.money import is_currency, to_minor
from microbag.suppliers import policies, service
from microbag.suppliers.models import Supplier, SupplierPrice
from microbag.timeutil import utcnow

REQUIRED = ("supplier", "unit_cost", "currency", "moq", "case_pack", "valid_from")
OPTIONAL = ("sku", "style", "lead_time_days", "valid_until")
MAX_ROWS = 200_000


@dataclass(frozen=True)
class PriceImportResult:
    rows: int  # price rows in the file
    created: int
    updated: int
    unchanged: int
    format: str  # csv | xlsx
    landed_costs_written: int


@dataclass(frozen=True)
class _Row:
    line: int
    supplier_id: int
    sku_id: int | None
    style_id: int | None
    unit_cost_minor: int
    currency: str
    moq: int
    case_pack: int
    lead_time_days: int | None
    valid_from: date
    valid_until: date | None


def _codes(session: Session, model: Any, codes: set[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    wanted = sorted(c for c in codes if c)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        out.update(
            {
                row[0]: row[1]
                for row in session.execute(
                    select(model.code, model.id).where(model.code.in_(chunk))
                )
            }
        )
    return out


def _whole(text: str) -> int | None:
    """A whole number (``12`` or ``12.0``, as spreadsheets write them), else None."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return int(value) if value.is_finite() and value == value.to_integral_value() else None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
    except ValueError:
        return None


def _parse_row(
    line: int,
    cell: Any,
    suppliers: dict[str, int],
    skus: dict[str, int],
    styles: dict[str, int],
) -> tuple[_Row | None, list[ErrorItem]]:
    errors: list[ErrorItem] = []

    def bad(code: str, message: str, column: str) -> None:
        errors.append(ErrorItem(code, f"line {line}, {column}: {message}", line, column))

    supplier = cell("supplier")
    if supplier not in suppliers:
        bad("unknown_supplier", f"no supplier {supplier!r}", "supplier")
    sku, style = cell("sku"), cell("style")
    if bool(sku) == bool(style):
        bad("one_target", "give either a sku or a style", "sku")
    elif sku and sku not in skus:
        bad("unknown_sku", f"no SKU {sku!r}", "sku")
    elif style and style not in styles:
        bad("unknown_style", f"no style {style!r}", "style")
    currency = cell("currency").upper()
    cost = 0
    if not is_currency(currency):
        bad("invalid_currency", f"{cell('currency')!r} is not an ISO 4217 currency", "currency")
    elif currency not in get_settings().fx_rates:
        bad("no_exchange_rate", f"no exchange rate for {currency}", "currency")
    else:
        try:
            cost = to_minor(cell("unit_cost"), currency)
        except (ValueError, InvalidOperation, ArithmeticError):
            bad(
                "invalid_unit_cost",
                f"{cell('unit_cost')!r} is not an amount in {currency}",
                "unit_cost",
            )
    numbers: dict[str, int | None] = {}
    for column in ("moq", "case_pack", "lead_time_days"):
        text = cell(column)
        numbers[column] = None if not text else _whole(text)
        if text and numbers[column] is None:
            bad(f"invalid_{column}", f"{text!r} is not a whole number", column)
    days: dict[str, date | None] = {}
    for column in ("valid_from", "valid_until"):
        text = cell(column)
        days[column] = None if not text else _day(text)
        if text and days[column] is None:
            bad("invalid_date", f"{text!r} is not a date (YYYY-MM-DD)", column)
    if errors:
        return None, errors
    moq, case_pack = numbers["moq"], numbers["case_pack"]
    for item in policies.validate_price(
        unit_cost_minor=cost,
        currency=currency,
        moq=moq,
        case_pack=case_pack,
        lead_time_days=numbers["lead_time_days"],
        valid_from=days["valid_from"],
        valid_until=days["valid_until"],
    ):
        column = item.field or ""
        column = "unit_cost" if column == "unit_cost_minor" else column
        errors.append(ErrorItem(item.code, f"line {line}, {column}: {item.message}", line, column))
    if errors or moq is None or case_pack is None or days["valid_from"] is None:
        return None, errors
    return (
        _Row(
            line=line,
            supplier_id=suppliers[supplier],
            sku_id=skus[sku] if sku else None,
            style_id=styles[style] if style else None,
            unit_cost_minor=cost,
            currency=currency,
            moq=moq,
            case_pack=case_pack,
            lead_time_days=numbers["lead_time_days"],
            valid_from=days["valid_from"],
            valid_until=days["valid_until"],
        ),
        [],
    )


def import_prices(
    session: Session,
    data: bytes,
    filename: str | None = None,
    *,
    actor: str = "",
    today: date | None = None,
) -> PriceImportResult:
    """Check every row, then write them all (or nothing) and refresh the landed costs of
    the SKUs they cover."""
    limit = get_settings().import_max_upload_bytes
    if len(data) > limit:
        raise DomainError(
            ErrorItem("file_too_large", f"the file is larger than {limit} bytes"), 413
        )
    sheet = read_sheet(data, filename, MAX_ROWS, FileLimits.from_settings())
    header = [h.strip().lower() for h in sheet.header]
    missing = [c for c in REQUIRED if c not in header]
    if "sku" not in header and "style" not in header:
        missing.append("sku or style")
    if missing:
        raise DomainError(ErrorItem("missing_columns", f"missing columns: {', '.join(missing)}", 1))
    unknown = [h for h in header if h and h not in REQUIRED + OPTIONAL]
    if unknown:
        raise DomainError(ErrorItem("unknown_columns", f"unknown columns: {', '.join(unknown)}", 1))
    if len(set(h for h in header if h)) != len([h for h in header if h]):
        raise DomainError(ErrorItem("duplicate_columns", "a column is named twice", 1))
    at = {name: i for i, name in enumerate(header) if name}

    def column_values(name: str) -> set[str]:
        if name not in at:
            return set()
        return {cells[at[name]].strip() for _n, cells in sheet.rows if len(cells) > at[name]}

    suppliers = _codes(session, Supplier, column_values("supplier"))
    skus = _codes(session, Sku, column_values("sku"))
    styles = _codes(session, Style, column_values("style"))
    errors: list[ErrorItem] = []
    parsed: list[_Row] = []
    seen: dict[tuple[int, int | None, int | None, date], int] = {}
    for line, cells in sheet.rows:

        def cell(name: str, _cells: list[str] = cells) -> str:
            return _cells[at[name]].strip() if name in at and at[name] < len(_cells) else ""

        row, row_errors = _parse_row(line, cell, suppliers, skus, styles)
        if row is not None:
            key = (row.supplier_id, row.sku_id, row.style_id, row.valid_from)
            if key in seen:
                row_errors.append(
                    ErrorItem(
                        "duplicate_row",
                        f"line {line}: same supplier, target and valid_from as line {seen[key]}",
                        line,
                    )
                )
            else:
                seen[key] = line
                parsed.append(row)
        errors.extend(row_errors)
    if errors:
        raise DomainError(errors)
    if not parsed:
        raise DomainError(ErrorItem("empty_file", "the file has no price rows"))
    created = updated = unchanged = 0
    touched: list[SupplierPrice] = []
    for row in parsed:
        existing = session.scalars(
            select(SupplierPrice).where(
                SupplierPrice.supplier_id == row.supplier_id,
                SupplierPrice.sku_id.is_(None)
                if row.sku_id is None
                else SupplierPrice.sku_id == row.sku_id,
                SupplierPrice.style_id.is_(None)
                if row.style_id is None
                else SupplierPrice.style_id == row.style_id,
                SupplierPrice.valid_from == row.valid_from,
            )
        ).first()
        values = {
            "unit_cost_minor": row.unit_cost_minor,
            "currency": row.currency,
            "moq": row.moq,
            "case_pack": row.case_pack,
            "lead_time_days": row.lead_time_days,
            "valid_until": row.valid_until,
        }
        if existing is None:
            price = SupplierPrice(
                supplier_id=row.supplier_id,
                sku_id=row.sku_id,
                style_id=row.style_id,
                valid_from=row.valid_from,
                created_by=actor,
                **values,
            )
            session.add(price)
            touched.append(price)
            created += 1
        elif all(getattr(existing, k) == v for k, v in values.items()):
            unchanged += 1
        else:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.created_by = actor
            touched.append(existing)
            updated += 1
    session.flush()
    written = 0
    if touched:
        written = service.refresh_landed_costs(
            session, service.covered_sku_ids(session, touched), today or utcnow().date()
        )
    return PriceImportResult(len(parsed), created, updated, unchanged, sheet.format, written)
