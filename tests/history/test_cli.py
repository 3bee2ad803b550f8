"""``microbag import sales`` through Typer's CliRunner (the public contract)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from microbag.catalog.models import Sku
from microbag.cli import app
from microbag.history.models import SalesLine

from .conftest import HEADER, counts, row, write_csv

runner = CliRunner()


def test_import_sales_contract_with_until(cli_db, uci_slice: Path) -> None:
    result = runner.invoke(
        app,
        ["import", "sales", str(uci_slice), "--mapping", "online-retail", "--until", "2011-11-02"],
    )
    assert result.exit_code == 0, result.output
    assert "imported" in result.output and "skipped" in result.output
    with cli_db.session() as s:
        lines = s.scalars(select(SalesLine)).all()
        assert lines and all(x.invoiced_at.date().isoformat() < "2011-11-02" for x in lines)
        codes = {x.sku_code for x in lines if not x.is_non_product}
        skus = set(s.scalars(select(Sku.code).where(Sku.is_imported)))
    assert codes == skus  # imported products keep their StockCode as SKU code


def test_import_sales_rejects_with_a_report(cli_db, tmp_path: Path) -> None:
    bad = write_csv(tmp_path, "bad.csv", [HEADER, row(), row(quantity="lots")])
    before = counts(cli_db)
    result = runner.invoke(app, ["import", "sales", str(bad), "--mapping", "online-retail"])
    assert result.exit_code == 1
    assert "nothing was written" in result.output and "line 3" in result.output
    assert counts(cli_db) == before


def test_import_sales_json_and_bad_until(cli_db, tmp_path: Path) -> None:
    good = write_csv(tmp_path, "g.csv", [HEADER, row()])
    result = runner.invoke(
        app, ["import", "sales", str(good), "--mapping", "online-retail", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["rows_imported"] == 1 and report["source"] == "online-retail"
    result = runner.invoke(
        app, ["import", "sales", str(good), "--mapping", "online-retail", "--until", "June"]
    )
    assert result.exit_code == 1 and "YYYY-MM-DD" in result.output
