"""Catalog export (CSV or XLSX) in the import layout, so a file can be imported back.

Staff (or the command line, principal None) export every SKU; a buyer exports only
what they can see (active SKUs of active styles). Cells that a spreadsheet would
run as formulas are escaped with a leading quote (catalog/tabular.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.catalog.listing import visible_to
from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.catalog.rows import COLUMNS, LIST_SEPARATOR
from microbag.catalog.tabular import write_csv, write_xlsx
from microbag.errors import DomainError
from microbag.money import to_major

FORMATS = ("csv", "xlsx")


def _occasions(session: Session) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for style_id, occasion in session.execute(
        select(StyleOccasion.style_id, StyleOccasion.occasion).order_by(
            StyleOccasion.style_id, StyleOccasion.occasion
        )
    ):
        found.setdefault(style_id, []).append(occasion)
    return found


def _joined(values: list[str] | None) -> str:
    return LIST_SEPARATOR.join(values or [])


def catalog_rows(session: Session, principal: Principal | None = None) -> Iterator[list[Any]]:
    """One row per SKU in COLUMNS order, by style code then SKU code."""
    occasions = _occasions(session)
    stmt = (
        select(
            Style.id,
            Style.code,
            Style.name,
            Style.bag_type,
            Style.width_mm,
            Style.height_mm,
            Style.depth_mm,
            Style.weight_g,
            Style.price_tier,
            Style.season,
            Style.holds,
            Style.phone_max_mm,
            Style.lining,
            Style.description,
            Style.is_limited_edition,
            Style.drop_date,
            Style.edition_size,
            Style.images,
            Style.lifecycle,
            Sku.code,
            Sku.color,
            Sku.material,
            Sku.hardware,
            Sku.lifecycle,
            Sku.attributes,
        )
        .join(Sku, Sku.style_id == Style.id)
        .where(*visible_to(principal))
        .order_by(Style.code, Sku.code)
        .execution_options(yield_per=5000)
    )
    for r in session.execute(stmt):
        retail = (r[24] or {}).get("retail_price") or {}
        currency = retail.get("currency", "")
        amount = (
            str(to_major(int(retail["amount_minor"]), currency))
            if currency and "amount_minor" in retail
            else ""
        )
        yield [
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            _joined(occasions.get(r[0])),
            _joined(r[10]),
            r[11],
            r[12],
            r[13],
            "yes" if r[14] else "no",
            r[15].isoformat() if r[15] else "",
            r[16],
            _joined(r[17]),
            r[18],
            r[19],
            r[20],
            r[21],
            r[22],
            r[23],
            amount,
            currency,
        ]


def export_catalog(
    session: Session, fmt: str, out: IO[bytes], principal: Principal | None = None
) -> int:
    """Write the catalog to ``out`` as CSV (UTF-8) or XLSX; returns the number of SKUs."""
    rows = catalog_rows(session, principal)
    return write_table(fmt, out, COLUMNS, rows, "catalog")


def write_table(
    fmt: str, out: IO[bytes], header: tuple[str, ...], rows: Iterator[list[Any]], title: str
) -> int:
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        try:
            return write_csv(text, header, rows)
        finally:
            text.flush()
            text.detach()
    if fmt == "xlsx":
        return write_xlsx(out, header, rows, title)
    raise DomainError.single("unknown_format", f"format {fmt!r} is not one of {FORMATS}")
