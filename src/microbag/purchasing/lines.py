"""Draft purchase order lines: given by SKU and warehouse code (API, pages, CLI) or by id,
and checked against the supplier's price for each SKU (MOQ, case pack, currency), every
broken rule named with its line. Used by ``purchasing.service``; callers commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku
from microbag.errors import DomainError, ErrorItem
from microbag.purchasing import policies
from microbag.purchasing.models import PurchaseOrderLine
from microbag.stock.models import Warehouse
from microbag.suppliers.service import PriceOffer

# (session, supplier id, SKU id, day) -> the supplier's price then, or None.
OfferLookup = Callable[[Session, int, int, date], PriceOffer | None]


class SupplierTerms(Protocol):
    """What the line checks read of the supplier (a suppliers.models.Supplier)."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def currency(self) -> str: ...


@dataclass(frozen=True)
class DraftLine:
    sku_id: int
    quantity: int
    unit_cost_minor: int | None = None  # None: the supplier's current price (offer_for)
    warehouse_id: int | None = None  # None: the PO's warehouse
    requested_date: date | None = None


@dataclass(frozen=True)
class CodedLine:
    """A draft line as the API, pages and CLI give it: by SKU and warehouse code."""

    sku: str
    quantity: int
    unit_cost_minor: int | None = None
    warehouse: str | None = None
    requested_date: date | None = None


def lines_from_codes(session: Session, lines: Sequence[CodedLine]) -> list[DraftLine]:
    """Draft lines by id; unknown SKU or warehouse codes are named per line."""
    skus = {
        code: int(i)
        for i, code in session.execute(
            select(Sku.id, Sku.code).where(Sku.code.in_({ln.sku for ln in lines}))
        )
    }
    warehouses = {
        code: int(i)
        for i, code in session.execute(
            select(Warehouse.id, Warehouse.code).where(
                Warehouse.code.in_({ln.warehouse for ln in lines if ln.warehouse})
            )
        )
    }
    errors: list[ErrorItem] = []
    out: list[DraftLine] = []
    for n, ln in enumerate(lines, start=1):
        sku_id = skus.get(ln.sku)
        warehouse_id = warehouses.get(ln.warehouse) if ln.warehouse else None
        if sku_id is None:
            errors.append(
                ErrorItem(
                    "unknown_sku",
                    f"line {n}: SKU {ln.sku!r} does not exist",
                    n,
                    f"lines[{n - 1}].sku",
                )
            )
        if ln.warehouse and warehouse_id is None:
            errors.append(
                ErrorItem(
                    "unknown_warehouse",
                    f"line {n}: warehouse {ln.warehouse!r} does not exist",
                    n,
                    f"lines[{n - 1}].warehouse",
                )
            )
        if sku_id is not None:
            out.append(
                DraftLine(sku_id, ln.quantity, ln.unit_cost_minor, warehouse_id, ln.requested_date)
            )
    if errors:
        raise DomainError(errors)
    return out


def checked_lines(
    session: Session,
    supplier: SupplierTerms,
    lines: Sequence[DraftLine],
    default_warehouse: int,
    today: date,
    offer_for: OfferLookup,
) -> list[PurchaseOrderLine]:
    """Lines as rows (not yet added to the session), every rule checked against the
    supplier's price from ``offer_for``; all problems raised together."""
    if not lines:
        raise DomainError(ErrorItem("no_lines", "a purchase order needs at least one line"))
    if len(lines) > policies.MAX_LINES:
        raise DomainError(
            ErrorItem("too_many_lines", f"at most {policies.MAX_LINES} lines per order")
        )
    skus = {
        int(i): code
        for i, code in session.execute(
            select(Sku.id, Sku.code).where(Sku.id.in_({ln.sku_id for ln in lines}))
        )
    }
    warehouses = set(
        session.scalars(
            select(Warehouse.id).where(
                Warehouse.id.in_({ln.warehouse_id for ln in lines if ln.warehouse_id})
            )
        )
    )
    errors: list[ErrorItem] = []
    rows: list[PurchaseOrderLine] = []
    seen: set[tuple[int, int]] = set()
    for n, line in enumerate(lines, start=1):
        field = f"lines[{n - 1}]"
        code = skus.get(line.sku_id)
        if code is None:
            errors.append(
                ErrorItem(
                    "unknown_sku", f"line {n}: SKU {line.sku_id} does not exist", n, f"{field}.sku"
                )
            )
            continue
        warehouse_id = line.warehouse_id or default_warehouse
        if line.warehouse_id and line.warehouse_id not in warehouses:
            errors.append(
                ErrorItem(
                    "unknown_warehouse",
                    f"line {n}: warehouse {line.warehouse_id} does not exist",
                    n,
                    f"{field}.warehouse",
                )
            )
            continue
        if (line.sku_id, warehouse_id) in seen:
            errors.append(
                ErrorItem(
                    "duplicate_line",
                    f"line {n}: {code} is already on the order for that warehouse",
                    n,
                    f"{field}.sku",
                )
            )
            continue
        seen.add((line.sku_id, warehouse_id))
        offer = offer_for(session, supplier.id, line.sku_id, today)
        if offer is None:
            errors.append(
                ErrorItem(
                    "no_supplier_price",
                    f"line {n}: {supplier.code} has no price for {code} valid on {today}",
                    n,
                    f"{field}.sku",
                )
            )
            continue
        problems = policies.line_quantity_errors(
            n, code, line.quantity, moq=offer.moq, case_pack=offer.case_pack
        )
        cost = line.unit_cost_minor
        if cost is None:
            cost = int(offer.unit_cost_minor)
            if offer.currency != supplier.currency:
                problems.append(
                    ErrorItem(
                        "price_currency_mismatch",
                        f"line {n}: the price of {code} is in"
                        f" {offer.currency}, the supplier orders in {supplier.currency};"
                        " give the unit cost",
                        n,
                        f"{field}.unit_cost_minor",
                    )
                )
        elif cost < 0 or cost > 10**12:
            problems.append(
                ErrorItem(
                    "invalid_unit_cost",
                    f"line {n}: the unit cost must be 0 or more",
                    n,
                    f"{field}.unit_cost_minor",
                )
            )
        errors.extend(problems)
        if not problems:
            rows.append(
                PurchaseOrderLine(
                    line_no=n,
                    sku_id=line.sku_id,
                    sku_code=code,
                    quantity=line.quantity,
                    unit_cost_minor=cost,
                    warehouse_id=warehouse_id,
                    requested_date=line.requested_date,
                )
            )
    if errors:
        raise DomainError(errors)
    return rows
