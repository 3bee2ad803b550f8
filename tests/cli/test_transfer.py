"""``microbag import catalog`` and ``microbag export catalog|orders`` through the CLI."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

import microbag.config
import microbag.db
from microbag.catalog.models import Sku
from microbag.cli import app

HEADER = (
    "style_code,style_name,bag_type,width_mm,height_mm,depth_mm,price_tier,season,"
    "sku,color,material\n"
)
GOOD = HEADER + (
    "BB-300,Samba Belt Bag,belt_bag,190,110,45,mass,SS26,BB-300-RED,red,nylon\n"
    "BB-300,Samba Belt Bag,belt_bag,190,110,45,mass,SS26,BB-300-BLK,black,nylon\n"
)
BAD = HEADER + (
    "BB-300,Samba Belt Bag,belt_bag,190,110,45,mass,SS26,BB-300-RED,red,nylon\n"
    "BB-301,=cmd(),belt_bag,190,110,-45,mass,SS26,BB-300-RED,red,unobtainium\n"
)


@pytest.fixture
def cli(db, world, monkeypatch):
    """Run the CLI against the test database (settings and database caches cleared)."""
    url = db.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("MICROBAG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    microbag.config.get_settings.cache_clear()
    microbag.db.get_database.cache_clear()
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    yield invoke
    cached = microbag.db.get_database
    if cached.cache_info().currsize:
        cached().dispose()
    cached.cache_clear()
    microbag.config.get_settings.cache_clear()


def sku_count(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count(Sku.id))))


def test_import_dry_run_then_for_real(cli, db, tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(GOOD)
    result = cli("import", "catalog", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would create 1 styles and 2 SKUs" in result.output
    assert sku_count(db) == 4
    result = cli("import", "catalog", str(path))
    assert result.exit_code == 0, result.output
    assert sku_count(db) == 6


def test_import_errors_exit_1_with_the_row_report(cli, db, tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(BAD)
    result = cli("import", "catalog", str(path))
    assert result.exit_code == 1
    for expected in ("duplicate_sku", "formula_cell", "invalid_dimension", "unknown_material"):
        assert expected in result.output, result.output
    assert "nothing was written" in result.output
    assert sku_count(db) == 4


def test_import_corrupt_xlsx_and_missing_file(cli, db, tmp_path):
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(b"PK\x03\x04 broken")
    result = cli("import", "catalog", str(path))
    assert result.exit_code == 1 and "unreadable_file" in result.output
    result = cli("import", "catalog", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "cannot read" in result.output


def test_export_catalog_csv_to_stdout_and_xlsx_to_file(cli, tmp_path):
    result = cli("export", "catalog", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][0] == "style_code" and len(rows) == 5
    out = tmp_path / "catalog.xlsx"
    result = cli("export", "catalog", "--format", "xlsx", "--output", str(out))
    assert result.exit_code == 0, result.output
    wb = load_workbook(out, read_only=True)
    assert len(list(wb.worksheets[0].iter_rows(values_only=True))) == 5
    wb.close()
    result = cli("export", "catalog", "--format", "xlsx")
    assert result.exit_code == 1 and "--output" in result.output
    assert list(tmp_path.glob(".*")) == []  # no temporary files left behind


def test_export_orders_and_reimport_catalog(cli, tmp_path):
    result = cli("export", "orders", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("order_id,company")
    out = tmp_path / "catalog.csv"
    assert cli("export", "catalog", "--output", str(out)).exit_code == 0
    result = cli("import", "catalog", str(out))
    assert result.exit_code == 0, result.output
    assert "updated 3 styles and 4 SKUs" in result.output
