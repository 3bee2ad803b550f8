"""Exports: formula-like cells escaped, buyers scoped, and the catalog round-trips."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import microbag.models as models
from microbag.accounts.principal import Principal
from microbag.buyers.models import Company
from microbag.catalog import service
from microbag.catalog.exporter import export_catalog
from microbag.catalog.importer import import_catalog
from microbag.catalog.models import Sku, Style
from microbag.catalog.rows import COLUMNS
from microbag.catalog.schemas import SkuCreate, SkuPatch, StyleCreate
from microbag.catalog.tabular import escape_cell, looks_like_formula, unescape_cell
from microbag.db import Database
from microbag.errors import DomainError
from microbag.orders.exporter import export_orders
from microbag.orders.models import Order, OrderLine

STAFF = Principal(1, "admin@seller.test", "admin", None)
TRICKY = ['=HYPERLINK("http://evil")', "+1+2", "-cmd", "@SUM(A1)", "\tTabbed", "\rReturn"]


def test_escape_rules():
    for value in TRICKY:
        escaped = escape_cell(value)
        assert escaped == "'" + value
        assert unescape_cell(escaped) == (value, True)
    assert escape_cell("plain") == "plain" and escape_cell(-5) == -5 and escape_cell(None) is None
    assert unescape_cell("'quoted") == ("'quoted", False)
    assert looks_like_formula("=1") and looks_like_formula("@x") and looks_like_formula("-x")
    assert not looks_like_formula("-5") and not looks_like_formula("+3.5")


def export(db, fmt: str, principal=None, kind: str = "catalog") -> bytes:
    out = io.BytesIO()
    writer = export_catalog if kind == "catalog" else export_orders
    with db.session() as s:
        writer(s, fmt, out, principal)
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def xlsx_rows(data: bytes) -> list[list[object]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    return rows


def tricky_catalog(db) -> None:
    """A style and SKU whose texts would run as formulas in a spreadsheet."""
    with db.session(write=True) as s:
        style = service.create_style(
            s,
            StyleCreate(
                code="TR-001",
                name=TRICKY[0],
                description=TRICKY[2] + " and more",
                lining=TRICKY[1],
                bag_type="pouch",
                width_mm=120,
                height_mm=90,
                depth_mm=30,
                price_tier="premium",
                season="holiday",
                images=[TRICKY[3]],
            ),
        )
        service.add_sku(s, style.id, SkuCreate(code="TR-001-BLK", color="black", material="satin"))
        service.update_sku(
            s, "TR-001-BLK", SkuPatch(retail_price={"amount_minor": 9900, "currency": "EUR"})
        )


def test_catalog_csv_escapes_formula_cells(db, world):
    tricky_catalog(db)
    rows = csv_rows(export(db, "csv"))
    assert rows[0] == list(COLUMNS)
    tr = next(r for r in rows if r[0] == "TR-001")
    cells = dict(zip(COLUMNS, tr, strict=True))
    assert cells["style_name"] == "'" + TRICKY[0]
    assert cells["lining"] == "'" + TRICKY[1]
    assert cells["description"].startswith("'-cmd")
    assert cells["images"] == "'" + TRICKY[3]
    assert cells["retail_price"] == "99.00" and cells["currency"] == "EUR"
    for row in rows:
        for cell in row:
            assert not looks_like_formula(cell), cell
    assert len(rows) == 1 + 5


def test_catalog_xlsx_escapes_formula_cells(db, world):
    tricky_catalog(db)
    rows = xlsx_rows(export(db, "xlsx"))
    tr = next(r for r in rows if r[0] == "TR-001")
    assert tr[1] == "'" + TRICKY[0]
    assert tr[3] == 120  # numbers stay numbers
    for row in rows:
        for cell in row:
            assert not (isinstance(cell, str) and looks_like_formula(cell)), cell


def test_buyer_catalog_export_is_what_they_can_see(db, world):
    with db.session(write=True) as s:
        s.scalar(select(Sku).where(Sku.code == "MT-001-RED")).lifecycle = "discontinued"
    buyer = Principal(9, "buyer@a.test", "buyer", world.company_a)
    codes = [r[19] for r in csv_rows(export(db, "csv", buyer))[1:]]
    assert codes == ["CB-001-TAN", "MC-001-BLK", "MC-001-GLD"]
    assert len(csv_rows(export(db, "csv"))) == 5


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalog_round_trip_on_the_same_database(db, world, fmt, fingerprint):
    tricky_catalog(db)
    first = export(db, fmt)
    with db.session(write=True) as s:
        report = import_catalog(s, first, f"catalog.{fmt}")
    assert report.skus_created == 0 and report.skus_updated == 5 and report.styles_updated == 4
    assert (
        export(db, fmt) == first if fmt == "csv" else xlsx_rows(export(db, fmt)) == xlsx_rows(first)
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalog_round_trip_into_an_empty_database(db, world, tmp_path, fmt):
    tricky_catalog(db)
    with db.session(write=True) as s:
        style = s.scalar(select(Style).where(Style.code == "MT-001"))
        style.is_limited_edition = True
        style.drop_date = date(2026, 9, 1)
        style.edition_size = 250
    first = export(db, fmt)
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    models.Base.metadata.create_all(fresh.engine)
    try:
        with fresh.session(write=True) as s:
            report = import_catalog(s, first, f"catalog.{fmt}")
        assert report.skus_created == 5 and report.styles_created == 4
        again = export(fresh, fmt)
        if fmt == "csv":
            assert again == first
        else:
            assert xlsx_rows(again) == xlsx_rows(first)
        with fresh.session() as s:
            style = s.scalar(select(Style).where(Style.code == "TR-001"))
            assert style.name == TRICKY[0] and style.images == [TRICKY[3]]
            assert s.scalar(select(Sku.lifecycle).where(Sku.code == "MC-001-GLD")) == "active"
    finally:
        fresh.dispose()


def add_order(s, company_id: int, sku_code: str, qty: int, price: int, currency: str) -> None:
    order = Order(
        company_id=company_id, status="placed", currency=currency, total_minor=qty * price
    )
    order.lines = [
        OrderLine(
            line_no=1,
            sku_id=s.scalar(select(Sku.id).where(Sku.code == sku_code)),
            sku_code=sku_code,
            quantity=qty,
            unit_price_minor=price,
            line_total_minor=qty * price,
        )
    ]
    s.add(order)
    s.flush()


def test_orders_export_scope_and_escaping(db, world):
    with db.session(write=True) as s:
        evil = Company(
            name="=cmd|' /C calc'!A0",
            segment="boutique",
            country="FR",
            region="europe",
            currency="EUR",
        )
        s.add(evil)
        s.flush()
        add_order(s, world.company_a, "MC-001-GLD", 12, 4500, "EUR")
        add_order(s, world.company_b, "MT-001-RED", 6, 4500, "USD")
        add_order(s, evil.id, "CB-001-TAN", 24, 1999, "EUR")
    staff_rows = csv_rows(export(db, "csv", kind="orders"))
    assert len(staff_rows) == 4
    evil_row = next(r for r in staff_rows if r[9] == "CB-001-TAN")
    assert evil_row[1] == "'=cmd|' /C calc'!A0"
    assert evil_row[11] == "19.99" and evil_row[12] == "479.76"
    buyer_a = Principal(9, "buyer@a.test", "buyer", world.company_a)
    rows = csv_rows(export(db, "csv", buyer_a, kind="orders"))
    assert [r[9] for r in rows[1:]] == ["MC-001-GLD"]
    assert "Big Store" not in str(rows)
    xrows = xlsx_rows(export(db, "xlsx", kind="orders"))
    assert len(xrows) == 4 and any(r[1] == "'=cmd|' /C calc'!A0" for r in xrows)


def test_unknown_format(db, world):
    with pytest.raises(DomainError):
        export(db, "pdf")
