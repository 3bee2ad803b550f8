"""Supplier price list import: good files (CSV, XLSX), every bad row named, bounds,
all-or-nothing, idempotent re-import, landed costs written."""

from __future__ import annotations

from datetime import date

import pytest

from microbag.config import get_settings
from microbag.errors import DomainError
from microbag.rangeplan import service as rangeplan
from microbag.suppliers import importer, service
from tests.bombs import ratio_bomb_workbook, wide_row_workbook, workbook
from tests.sourcing_data import add_supplier

HEADER = [
    "supplier",
    "sku",
    "style",
    "unit_cost",
    "currency",
    "moq",
    "case_pack",
    "lead_time_days",
    "valid_from",
    "valid_until",
]
GOOD = [
    ["GZ-01", "MC-001-GLD", "", "12.50", "USD", "50", "10", "30", "2026-01-01", ""],
    ["GZ-01", "", "MT-001", "8", "USD", "100", "20", "", "2026-01-01", "2099-12-31"],
    ["IT-01", "MC-001-GLD", "", "9.90", "EUR", "24", "6", "60", "2026-01-01", ""],
]


def as_csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in [HEADER, *rows]).encode() + b"\n"


@pytest.fixture
def suppliers(db, world, monkeypatch: pytest.MonkeyPatch) -> None:
    s = get_settings()
    monkeypatch.setattr(s, "base_currency", "USD")
    monkeypatch.setattr(s, "fx_rates", {"USD": 1.0, "EUR": 1.1, "CNY": 0.14, "JPY": 0.0065})
    monkeypatch.setattr(s, "landed_fx_buffer_percent", 0.0)
    monkeypatch.setattr(s, "landed_freight_percent", 0.0)
    monkeypatch.setattr(s, "landed_duty_percent", 0.0)
    with db.session(write=True) as session:
        add_supplier(session, "GZ-01", currency="USD")
        add_supplier(session, "IT-01", country="IT", currency="EUR")


def test_good_csv_then_the_same_again(db, suppliers) -> None:
    today = date(2026, 6, 1)
    with db.session(write=True) as s:
        result = importer.import_prices(s, as_csv(GOOD), "p.csv", actor="m", today=today)
    assert (result.rows, result.created, result.updated, result.format) == (3, 3, 0, "csv")
    # MC-001-GLD: USD 12.50 vs EUR 9.90 = 10.89 USD -> IT; MT-001's two SKUs? only MT-001-RED
    assert result.landed_costs_written == 2
    with db.session() as s:
        cost = rangeplan.current_cost(s, "MC-001-GLD", today)
        assert (cost.unit_cost_minor, cost.currency, cost.supplier_moq) == (1_089, "USD", 24)
        assert rangeplan.current_cost(s, "MT-001-RED", today).unit_cost_minor == 800
        offers = service.offers_for_sku_code(s, "MC-001-GLD", today)
        assert [(o.supplier_code, o.lead_time_days) for o in offers] == [
            ("IT-01", 60),
            ("GZ-01", 30),
        ]
    with db.session(write=True) as s:
        again = importer.import_prices(s, as_csv(GOOD), "p.csv", today=today)
    assert (again.created, again.updated, again.unchanged, again.landed_costs_written) == (
        0,
        0,
        3,
        0,
    )
    changed = [r.copy() for r in GOOD]
    changed[0][3] = "11.00"
    with db.session(write=True) as s:
        third = importer.import_prices(s, as_csv(changed), "p.csv", today=today)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)


def test_xlsx(db, suppliers) -> None:
    data = workbook([HEADER, *GOOD])
    with db.session(write=True) as s:
        result = importer.import_prices(s, data, "prices.xlsx")
    assert (result.rows, result.format) == (3, "xlsx")


def test_every_bad_row_is_named_and_nothing_written(db, suppliers) -> None:
    bad = [
        GOOD[0],
        ["NOPE", "MC-001-GLD", "", "1", "USD", "1", "1", "", "2026-01-01", ""],  # 3
        ["GZ-01", "NOPE", "", "1", "USD", "1", "1", "", "2026-01-01", ""],  # 4
        ["GZ-01", "MC-001-GLD", "MC-001", "1", "USD", "1", "1", "", "2026-01-01", ""],  # 5
        ["GZ-01", "MC-001-BLK", "", "1.234", "USD", "1", "1", "", "2026-01-01", ""],  # 6
        ["GZ-01", "MC-001-BLK", "", "1", "GBP", "1", "1", "", "2026-01-01", ""],  # 7
        ["GZ-01", "MC-001-BLK", "", "1", "USD", "0", "x", "", "2026-01-01", ""],  # 8
        ["GZ-01", "MC-001-BLK", "", "1", "USD", "1", "1", "", "1/1/2026", ""],  # 9
        ["GZ-01", "MC-001-BLK", "", "1", "USD", "1", "1", "", "2026-02-01", "2026-01-01"],  # 10
        GOOD[0],  # 11: duplicate of line 2
        ["GZ-01", "NOPE-STYLE", "", "-1", "USD", "1", "1", "999", "2026-01-01", ""],  # 12
    ]
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            importer.import_prices(s, as_csv(bad), "p.csv")
    got = {(e.line, e.field, e.code) for e in exc.value.items}
    assert got == {
        (3, "supplier", "unknown_supplier"),
        (4, "sku", "unknown_sku"),
        (5, "sku", "one_target"),
        (6, "unit_cost", "invalid_unit_cost"),
        (7, "currency", "no_exchange_rate"),
        (8, "case_pack", "invalid_case_pack"),
        (9, "valid_from", "invalid_date"),
        (10, "valid_until", "invalid_validity"),
        (11, None, "duplicate_row"),
        (12, "sku", "unknown_sku"),
    }
    assert all(f"line {e.line}" in e.message for e in exc.value.items)
    with db.session() as s:
        assert service.list_prices(s, sku="MC-001-GLD") == []


def test_moq_zero_is_named(db, suppliers) -> None:
    row = ["GZ-01", "MC-001-BLK", "", "1", "USD", "0", "1", "", "2026-01-01", ""]
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        importer.import_prices(s, as_csv([row]), "p.csv")
    assert [(e.line, e.field, e.code) for e in exc.value.items] == [(2, "moq", "invalid_moq")]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"supplier,sku\nGZ-01,MC-001-GLD\n", "missing_columns"),
        (as_csv([])[:-1].replace(b"valid_until", b"colour") + b"\n", "unknown_columns"),
        (as_csv([]), "empty_file"),
        (b"", "unreadable_file"),
    ],
)
def test_file_level_errors(db, suppliers, data: bytes, code: str) -> None:
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        importer.import_prices(s, data, "p.csv")
    assert exc.value.items[0].code == code


def test_bounds(db, suppliers, monkeypatch: pytest.MonkeyPatch) -> None:
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            importer.import_prices(s, ratio_bomb_workbook(HEADER), "bomb.xlsx")
        assert exc.value.status == 413
        with pytest.raises(DomainError) as exc:
            importer.import_prices(s, wide_row_workbook(HEADER, cells=200_000), "wide.xlsx")
        assert exc.value.status in (413, 422)
        monkeypatch.setattr(get_settings(), "import_max_upload_bytes", 100)
        with pytest.raises(DomainError) as exc:
            importer.import_prices(s, as_csv(GOOD), "p.csv")
        assert exc.value.status == 413 and exc.value.items[0].code == "file_too_large"
