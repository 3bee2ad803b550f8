"""Catalog imports are bounded before they are parsed: crafted bombs fail fast and small."""

from __future__ import annotations

import pytest

from microbag.catalog.importer import import_catalog
from microbag.catalog.tabular import read_sheet
from microbag.errors import DomainError
from microbag.filelimits import FileLimits
from tests.bombs import (
    MB,
    append_rows,
    measured,
    ratio_bomb_workbook,
    rewrite_sheet,
    wide_row_workbook,
    workbook,
)
from tests.catalog.test_import import HEADER, row

LIMITS = FileLimits(
    max_uncompressed_bytes=256 * MB,
    max_compression_ratio=100,
    max_rows=1000,
    max_cells=20_000,
    max_columns=100,
)


def refused(db, data: bytes, filename: str = "bomb.xlsx") -> DomainError:
    with pytest.raises(DomainError) as err, db.session() as s:
        import_catalog(s, data, filename, dry_run=True)
    return err.value


def test_a_million_cells_in_one_row_is_refused_fast_and_small(db):
    data = wide_row_workbook(HEADER, cells=1_000_000)
    assert len(data) < 200 * 1024  # a small file ...
    with measured() as cost:
        error = refused(db, data)
    # ... refused before openpyxl builds its row (was 20 s and ~1 GB): its sheet is
    # compressed ~500 to 1, past the ratio limit.
    assert error.status == 413
    assert error.items[0].code == "file_too_large"
    assert cost.seconds < 2.0
    assert cost.peak_bytes < 50 * MB


def test_the_column_limit_stops_a_row_while_reading_it():
    # Even when the ratio passes (it is set out of the way here), the row is counted
    # cell by cell and given up at the column limit, not built first.
    data = wide_row_workbook(HEADER, cells=1_000_000)
    lenient = FileLimits(256 * MB, 10**6, 1000, 10**7, 100)
    with measured() as cost, pytest.raises(DomainError) as err:
        read_sheet(data, "bomb.xlsx", limits=lenient)
    assert err.value.status == 422
    [item] = err.value.items
    assert item.line == 2
    assert "row 2 has a value in column 101" in item.message
    assert cost.seconds < 2.0
    assert cost.peak_bytes < 50 * MB


def test_a_compression_bomb_part_is_413(db):
    data = ratio_bomb_workbook(HEADER, inflated=40 * MB)
    with measured() as cost:
        error = refused(db, data)
    assert error.status == 413
    assert error.items[0].code == "file_too_large"
    assert "compressed" in error.items[0].message
    assert cost.seconds < 2.0
    assert cost.peak_bytes < 50 * MB


def test_a_workbook_inflating_past_the_cap_is_413():
    data = ratio_bomb_workbook(HEADER, inflated=3 * MB)
    small = FileLimits(2 * MB, 10_000, 1000, 20_000, 100)
    with pytest.raises(DomainError) as err:
        read_sheet(data, "x.xlsx", limits=small)
    assert err.value.status == 413
    assert "inflates" in err.value.items[0].message


def test_rows_and_cells_are_counted_while_reading():
    many_rows = b"".join(
        b'<row r="%d"><c t="inlineStr"><is><t>x</t></is></c></row>' % n for n in range(2, 1100)
    )
    data = rewrite_sheet(workbook([HEADER]), lambda xml: append_rows(xml, many_rows))
    with pytest.raises(DomainError) as err:
        read_sheet(data, "x.xlsx", limits=LIMITS)
    assert err.value.status == 422
    assert "more than 1000 rows" in err.value.items[0].message

    cells = b"".join(
        b'<row r="%d">' % n + b"<c><v>1</v></c>" * 50 + b"</row>" for n in range(2, 500)
    )
    data = rewrite_sheet(workbook([HEADER]), lambda xml: append_rows(xml, cells))
    with pytest.raises(DomainError) as err:
        read_sheet(data, "x.xlsx", limits=LIMITS)
    assert "more than 20000 cells" in err.value.items[0].message


def test_a_value_beyond_the_column_limit_is_refused_by_its_reference():
    # One cell at column XFD: openpyxl would pad the row (and every row) to 16,384 cells.
    far = b'<row r="2"><c r="XFD2"><v>1</v></c></row>'
    data = rewrite_sheet(workbook([HEADER]), lambda xml: append_rows(xml, far))
    with pytest.raises(DomainError) as err:
        read_sheet(data, "x.xlsx", limits=LIMITS)
    assert err.value.status == 422
    assert "column 16384" in err.value.items[0].message


def test_a_huge_declared_dimension_does_not_pad_rows():
    values = [row()[h] for h in HEADER]

    def declare_huge(xml: bytes) -> bytes:
        import re

        return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD3"/>', xml)

    data = rewrite_sheet(workbook([HEADER, values]), declare_huge)
    with measured() as cost:
        sheet = read_sheet(data, "x.xlsx", limits=LIMITS)
    assert sheet.header[: len(HEADER)] == HEADER
    assert len(sheet.header) <= 100
    assert cost.seconds < 2.0


def test_a_dtd_in_a_sheet_is_refused():
    def with_entities(xml: bytes) -> bytes:
        dtd = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        return xml.replace(b"<worksheet", dtd + b"<worksheet", 1)

    data = rewrite_sheet(workbook([HEADER]), with_entities)
    with pytest.raises(DomainError) as err:
        read_sheet(data, "x.xlsx", limits=LIMITS)
    assert err.value.status == 422


def test_a_csv_with_too_many_cells_is_refused_before_csv_splits_it():
    data = (",".join(HEADER) + "\n" + "," * 30_000 + "\n").encode()
    with pytest.raises(DomainError) as err:
        read_sheet(data, "x.csv", limits=LIMITS)
    assert err.value.status == 422
    assert "cells" in err.value.items[0].message


def test_ordinary_workbooks_still_import(db, world):
    values = [row()[h] for h in HEADER]
    data = workbook([HEADER, values])
    with db.session() as s:
        report = import_catalog(s, data, "ok.xlsx", dry_run=True)
    assert report.rows == 1 and report.format == "xlsx"


def test_upload_bomb_over_the_api_is_a_clear_413(client, world):
    data = wide_row_workbook(HEADER, cells=1_000_000)
    with measured() as cost:
        resp = client.post(
            "/api/v1/catalog/imports",
            files={"file": ("bomb.xlsx", data, "application/octet-stream")},
            headers=world.auth("admin@seller.test"),
        )
    assert resp.status_code == 413, resp.text
    assert resp.json()["errors"][0]["code"] == "file_too_large"
    assert cost.seconds < 3.0


def test_cli_import_of_the_bomb_is_a_clear_error(cli_db, world, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from microbag.cli import app

    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(wide_row_workbook(HEADER, cells=1_000_000))
    with measured() as cost:
        result = CliRunner().invoke(app, ["import", "catalog", str(path), "--dry-run"])
    assert result.exit_code == 1
    assert "file_too_large" in result.output
    assert cost.seconds < 3.0
