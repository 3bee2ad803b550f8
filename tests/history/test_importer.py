"""``import_sales``: real slices, flags, regions, --until, and broken files (all or nothing)."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from microbag.catalog.models import Sku, Style
from microbag.db import Database
from microbag.errors import DomainError
from microbag.history.importer import import_sales
from microbag.history.models import SalesLine

from .conftest import HEADER, counts, row, write_csv


def run(db: Database, paths: list[Path], **kw):
    with db.session(write=True) as s:
        return import_sales(s, paths, kw.pop("mapping", "online-retail"), **kw)


def rejected(db: Database, paths: list[Path], **kw) -> DomainError:
    with pytest.raises(DomainError) as info:
        run(db, paths, **kw)
    return info.value


# ---- real data -------------------------------------------------------------------------------


def test_real_slice_is_imported_with_flags_skus_and_regions(db: Database, uci_slice: Path) -> None:
    with uci_slice.open(encoding="utf-8", newline="") as f:
        raw = list(csv.DictReader(f))
    expected_cancel = sum(r["InvoiceNo"].startswith("C") for r in raw)
    expected_returns = sum(
        int(r["Quantity"]) < 0 and not r["InvoiceNo"].startswith("C") for r in raw
    )
    product_codes = {r["StockCode"] for r in raw} - {"POST", "DOT", "M", "C2", "D", "S", "B"}

    report = run(db, [uci_slice])

    assert report.rows_read == len(raw) == 1999
    assert report.rows_imported == 1999
    assert report.cancellations == expected_cancel > 0
    assert report.returns == expected_returns
    assert report.skus_created == len(product_codes)
    with db.session() as s:
        lines = s.scalars(select(SalesLine)).all()
        assert len(lines) == 1999
        assert {line.sku_code for line in lines} == {r["StockCode"] for r in raw}
        cancelled = [line for line in lines if line.is_cancellation]
        assert len(cancelled) == expected_cancel
        assert all(line.external_invoice.startswith("C") for line in cancelled)
        assert not any(line.is_return for line in cancelled)
        uk = next(line for line in lines if line.source_line == 2)
        first = raw[0]
        assert uk.sku_code == first["StockCode"]
        assert uk.quantity == int(first["Quantity"])
        assert uk.unit_price_minor == round(float(first["UnitPrice"]) * 100)
        assert uk.currency == "GBP"
        if first["Country"] == "United Kingdom":
            assert (uk.country, uk.region) == ("GB", "europe")
        skus = {k.code: k for k in s.scalars(select(Sku)).all()}
        assert set(skus) == product_codes
        assert all(k.is_imported and k.lifecycle == "discontinued" for k in skus.values())
        assert all(
            line.sku_id == skus[line.sku_code].id for line in lines if not line.is_non_product
        )


# ---- flags, gross units, regions --------------------------------------------------------------


def test_returns_and_cancellations_are_flagged_not_netted(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "flags.csv",
        [
            HEADER,
            row(invoice="540001", quantity="10"),
            row(invoice="540002", quantity="-2"),  # a return on a normal invoice
            row(invoice="C540003", quantity="-3"),  # a cancelled invoice
            row(invoice="540004", code="POST", description="POSTAGE", quantity="1", price="18"),
        ],
    )
    report = run(db, [path])
    assert (report.returns, report.cancellations, report.non_product) == (1, 1, 1)
    assert report.skus_created == 1  # POST is not a product
    from microbag.history.service import weekly_units

    with db.session() as s:
        flags = {
            line.external_invoice: (line.quantity, line.is_return, line.is_cancellation)
            for line in s.scalars(select(SalesLine))
        }
        assert flags["540002"] == (-2, True, False)
        assert flags["C540003"] == (-3, False, True)
        assert flags["540001"] == (10, False, False)
        assert weekly_units(s, "total")["y"].to_list() == [10.0]
        assert weekly_units(s, "total", measure="returns")["y"].to_list() == [2.0]
        assert weekly_units(s, "total", measure="cancellations")["y"].to_list() == [3.0]
        assert s.scalar(select(Sku).where(Sku.code == "POST")) is None


@pytest.mark.parametrize(
    ("name", "country", "region"),
    [
        ("EIRE", "IE", "europe"),
        ("Channel Islands", None, "europe"),
        ("USA", "US", "us"),
        ("Japan", "JP", "japan_korea"),
        ("United Arab Emirates", "AE", "middle_east"),
        ("Hong Kong", "HK", "china"),
        ("Unspecified", None, "other"),
        ("Atlantis", None, "other"),
    ],
)
def test_countries_map_to_regions(
    db: Database, tmp_path: Path, name: str, country: str | None, region: str
) -> None:
    run(db, [write_csv(tmp_path, "c.csv", [HEADER, row(country=name)])])
    with db.session() as s:
        line = s.scalars(select(SalesLine)).one()
    assert (line.country, line.region) == (country, region)


def test_times_are_converted_from_uk_time_to_utc(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "tz.csv",
        [
            HEADER,
            row(invoice="1", when="2011-07-01 10:00:00"),
            row(invoice="2", when="2011-01-10 10:00:00"),
        ],
    )
    run(db, [path])
    with db.session() as s:
        at = {x.external_invoice: x.invoiced_at for x in s.scalars(select(SalesLine))}
    assert at["1"] == datetime(2011, 7, 1, 9, 0, tzinfo=UTC)  # BST is UTC+1
    assert at["2"] == datetime(2011, 1, 10, 10, 0, tzinfo=UTC)


def test_until_skips_rows_dated_on_or_after_it(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "until.csv",
        [
            HEADER,
            row(invoice="1", when="2011-05-31 23:59:00"),
            row(invoice="2", when="2011-06-01 00:00:00"),
            row(invoice="3", when="2011-06-02 12:00:00", quantity="oops"),  # skipped, not bad
        ],
    )
    report = run(db, [path], until=date(2011, 6, 1))
    assert (report.rows_imported, report.skipped_until) == (1, 2)
    with db.session() as s:
        assert [x.external_invoice for x in s.scalars(select(SalesLine))] == ["1"]


# ---- catalog entries ------------------------------------------------------------------------


def test_unknown_products_become_flagged_skus_with_extracted_attributes(
    db: Database, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "bags.csv",
        [
            HEADER,
            row(invoice="1", code="85099B", description="JUMBO BAG RED RETROSPOT", price="1.95"),
            row(invoice="2", code="85099B", description="JUMBO BAG RED RETROSPOT", price="2.08"),
            row(invoice="3", code="22386", description="JUMBO BAG PINK POLKADOT"),
            row(invoice="4", code="21212", description="PACK OF 72 RETROSPOT CAKE CASES"),
        ],
    )
    run(db, [path])
    with db.session() as s:
        skus = {k.code: k for k in s.scalars(select(Sku))}
        jumbo = skus["85099B"]
        assert jumbo.is_imported and jumbo.color == "red"
        assert jumbo.attributes["bag_type"] == "bag"
        assert jumbo.attributes["size_class"] == "large"
        assert jumbo.attributes["price_tier"] == "mass"
        assert jumbo.attributes["description"] == "JUMBO BAG RED RETROSPOT"
        assert jumbo.style.code == "IMPORTED-BAG" and jumbo.style.lifecycle == "discontinued"
        assert skus["22386"].style_id == jumbo.style_id
        assert skus["22386"].color == "pink"
        assert skus["21212"].style.code == "IMPORTED-OTHER"
        assert skus["21212"].color == "unknown"
        assert "bag_type" not in skus["21212"].attributes
        assert s.scalar(select(Style).where(Style.code == "IMPORTED-BAG")) is not None


def test_known_sku_codes_link_to_the_catalog(db: Database, world, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "own.csv", [HEADER, row(code="MC-001-GLD", description="Gala")])
    report = run(db, [path])
    assert (report.skus_created, report.skus_matched) == (0, 1)
    with db.session() as s:
        line = s.scalars(select(SalesLine)).one()
        assert line.sku_id == world.skus["MC-001-GLD"]
        assert not s.get(Sku, line.sku_id).is_imported


# ---- other layouts -----------------------------------------------------------------------------


def test_gzip_and_xlsx_files(db: Database, tmp_path: Path) -> None:
    from openpyxl import Workbook

    gz = write_csv(tmp_path, "a.csv.gz", [HEADER, row(invoice="1")], gz=True)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["2", "85123A", "HEART", 12, datetime(2011, 3, 2, 9, 30), 2.55, 17850.0, "France"])
    xlsx = tmp_path / "b.xlsx"
    book.save(xlsx)
    report = run(db, [gz, xlsx])
    assert report.rows_imported == 2
    with db.session() as s:
        lines = {x.external_invoice: x for x in s.scalars(select(SalesLine))}
    assert lines["2"].quantity == 12 and lines["2"].customer_ref == "17850"
    assert lines["2"].invoiced_at == datetime(2011, 3, 2, 9, 30, tzinfo=UTC)
    assert lines["2"].region == "europe" and lines["2"].source_line == 2


def test_mapping_from_a_json_file(db: Database, tmp_path: Path) -> None:
    mapping = {
        "name": "shopx",
        "source": "shopx",
        "columns": {
            "invoice": "order",
            "sku": "item",
            "quantity": "qty",
            "invoiced_at": "when",
            "unit_price": "price",
            "currency": "cur",
        },
        "datetime_formats": ["%d/%m/%Y %H:%M"],
        "timezone": "Asia/Tokyo",
        "default_country": "JP",
        "delimiter": ";",
    }
    mapping_path = tmp_path / "shopx.json"
    mapping_path.write_text(json.dumps(mapping))
    data = write_csv(
        tmp_path,
        "x.csv",
        [
            "order;item;qty;when;price;cur",
            "A1;MB-9;3;02/03/2024 09:00;1200;JPY",
            "A2;MB-9;1;02/03/2024 10:00;9.50;USD",
        ],
    )
    report = run(db, [data], mapping=str(mapping_path))
    assert report.source == "shopx" and report.rows_imported == 2
    with db.session() as s:
        lines = {x.external_invoice: x for x in s.scalars(select(SalesLine))}
    assert (lines["A1"].unit_price_minor, lines["A1"].currency) == (1200, "JPY")
    assert (lines["A2"].unit_price_minor, lines["A2"].currency) == (950, "USD")
    assert lines["A1"].invoiced_at == datetime(2024, 3, 2, 0, 0, tzinfo=UTC)
    assert (lines["A1"].country, lines["A1"].region) == ("JP", "japan_korea")


# ---- broken input: report with lines, database unchanged --------------------------------------


@pytest.fixture
def already(db: Database, tmp_path: Path) -> dict[str, int]:
    """One good import first, so 'unchanged' means more than 'still empty'."""
    run(db, [write_csv(tmp_path, "first.csv", [HEADER, row(invoice="1"), row(invoice="2")])])
    return counts(db)


def test_bad_rows_reject_everything_and_name_their_lines(
    db: Database, tmp_path: Path, already: dict[str, int]
) -> None:
    good = write_csv(tmp_path, "good.csv", [HEADER, row(invoice="9", code="NEW1")])
    bad = write_csv(
        tmp_path,
        "bad.csv",
        [
            HEADER,
            row(invoice="10"),
            row(invoice="11", when="2011-02-30 10:00:00"),  # line 3: no such day
            row(invoice="12"),
            row(invoice="13", quantity="six"),  # line 5
            row(invoice="14", price='"1,5"'),  # line 6: a decimal comma
            row(invoice="15", quantity="2.5"),  # line 7
            row(invoice="", quantity="1"),  # line 8
        ],
    )
    error = rejected(db, [good, bad])
    by_line = {(i.line, i.code) for i in error.items}
    assert (3, "invalid_datetime") in by_line
    assert (5, "invalid_quantity") in by_line
    assert (6, "invalid_price") in by_line
    assert (7, "invalid_quantity") in by_line
    assert (8, "missing_value") in by_line
    assert all("bad.csv" in i.message for i in error.items)
    assert not any(i.line in (2, 4) for i in error.items)
    assert counts(db) == already


def test_too_many_fields_on_a_line_is_reported(db: Database, tmp_path: Path, already) -> None:
    bad = write_csv(tmp_path, "ragged.csv", [HEADER, row(invoice="5"), row(invoice="6") + ",extra"])
    error = rejected(db, [bad])
    assert [(i.code, i.line) for i in error.items] == [("unreadable_file", 3)]
    assert counts(db) == already


def test_missing_columns_are_reported_on_line_1(db: Database, tmp_path: Path, already) -> None:
    bad = write_csv(tmp_path, "cols.csv", ["InvoiceNo,StockCode,Quantity", "1,A,2"])
    error = rejected(db, [bad])
    assert error.items[0].code == "missing_columns" and error.items[0].line == 1
    assert "InvoiceDate" in error.items[0].message and "UnitPrice" in error.items[0].message
    assert counts(db) == already


def test_truncated_gzip_is_rejected(db: Database, tmp_path: Path, already) -> None:
    lines = [HEADER] + [row(invoice=str(i)) for i in range(3000)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    error = rejected(db, [path])
    assert error.items[0].code == "unreadable_file"
    assert "truncated" in error.items[0].message and "cut.csv.gz" in error.items[0].message
    assert counts(db) == already


def test_not_utf8_and_empty_files(db: Database, tmp_path: Path, already) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\n" + row(description="CAF\xc9 BAG") + "\n").encode("latin-1"))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    error = rejected(db, [latin, empty])
    messages = " | ".join(i.message for i in error.items)
    assert "latin.csv: line 2" in messages and "empty.csv" in messages
    assert counts(db) == already


def test_the_same_file_is_not_imported_twice(db: Database, tmp_path: Path, already) -> None:
    again = write_csv(tmp_path, "first.csv", [HEADER, row(invoice="1"), row(invoice="2")])
    error = rejected(db, [again])
    assert error.items[0].code == "already_imported"
    assert counts(db) == already


def test_unknown_mapping_is_refused(db: Database, tmp_path: Path) -> None:
    error = rejected(db, [write_csv(tmp_path, "x.csv", [HEADER])], mapping="nope")
    assert error.items[0].code == "invalid_mapping" and "online-retail" in error.items[0].message


def test_skip_bad_imports_the_good_rows_and_lists_the_bad(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "mixed.csv",
        [HEADER, row(invoice="1"), row(invoice="2", quantity="x"), row(invoice="3")],
    )
    report = run(db, [path], skip_bad=True)
    assert (report.rows_imported, report.skipped_bad) == (2, 1)
    assert [(i.line, i.code) for i in report.skipped] == [(3, "invalid_quantity")]
    assert counts(db)["lines"] == 2
