"""``microbag plan together`` on a slice of the real UCI data (skipped without ../shared)."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from microbag.cli import app
from tests.history.conftest import uci_slice  # noqa: F401 - the fixture

runner = CliRunner()
pytestmark = pytest.mark.slow  # imports 2,000 real lines, then mines them


def test_together_on_a_uci_slice(cli_db, uci_slice, tmp_path) -> None:  # noqa: F811
    result = runner.invoke(app, ["import", "sales", str(uci_slice), "--mapping", "online-retail"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(uci_slice.read_text(encoding="utf-8"))))
    invoices: dict[str, list[str]] = {}
    for r in rows:
        if not r["InvoiceNo"].startswith("C") and int(r["Quantity"]) > 0:
            invoices.setdefault(r["InvoiceNo"], []).append(r["StockCode"])
    chosen = [inv for inv, items in invoices.items() if len(items) >= 3][:20]
    baskets = tmp_path / "baskets.csv"
    baskets.write_text(
        "basket,sku\n" + "".join(f"{inv},{sku}\n" for inv in chosen for sku in invoices[inv][:2]),
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["plan", "together", "--baskets", str(baskets), "--top", "5", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    out = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["basket"] for r in out} == set(chosen)
    for inv in chosen:
        mine = [r for r in out if r["basket"] == inv]
        assert [r["rank"] for r in mine] == ["1", "2", "3", "4", "5"]
        assert not {r["sku"] for r in mine} & set(invoices[inv][:2])
        assert "POST" not in {r["sku"] for r in mine}  # never a non-product line
