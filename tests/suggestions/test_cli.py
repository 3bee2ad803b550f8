"""``microbag plan suggestions``: the CSV contract on a small imported UCI-style sample."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from microbag.cli import app

runner = CliRunner()
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"


def sample(path: Path) -> Path:
    """Three customers over 20 weeks; postage lines (POST) on every invoice, a cancellation."""
    start = datetime(2011, 1, 3, 10)
    rows = [HEADER]
    invoice = 500000
    baskets = {
        "17850.0": ["85123A", "71053", "84406B"],
        "13047.0": ["85123A", "22752", "21730"],
        "12583": ["22752", "21730", "POST"],
    }
    for week in range(20):
        for customer, skus in baskets.items():
            if week % (2 if customer == "12583" else 3) != 0:
                continue
            invoice += 1
            when = (start + timedelta(weeks=week)).strftime("%Y-%m-%d %H:%M:%S")
            for code in [*skus, "POST"]:
                rows.append(f"{invoice},{code},ITEM {code},6,{when},2.55,{customer},France")
    rows.append(f"C{invoice + 1},22633,HAND WARMER,-5,2011-05-01 10:00:00,2.1,17850.0,France")
    path.write_text("\n".join(rows) + "\n")
    return path


def imported(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["import", "sales", str(sample(tmp_path / "s.csv")), "--mapping", "online-retail"]
    )
    assert result.exit_code == 0, result.output


def test_csv_contract(cli_db, tmp_path) -> None:
    imported(tmp_path)
    result = runner.invoke(app, ["plan", "suggestions", "--top", "3", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "buyer_ref,sku,rank,units"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_buyer: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_buyer.setdefault(row["buyer_ref"], []).append(row)
    assert set(by_buyer) == {"17850", "13047", "12583"}  # customer_ref as stored
    for picks in by_buyer.values():
        assert [int(r["rank"]) for r in picks] == [1, 2, 3]
        assert len({r["sku"] for r in picks}) == 3
        assert all(int(r["units"]) >= 1 for r in picks)
    assert all(r["sku"] != "POST" for r in rows)  # non-product lines never
    assert "22633" not in {r["sku"] for r in rows}  # only cancelled: never a sale
    assert {r["sku"] for r in by_buyer["17850"][:2]} <= {"85123A", "71053", "84406B"}
    assert by_buyer["17850"][0]["units"] == "6"


def test_to_a_file_and_json(cli_db, tmp_path) -> None:
    imported(tmp_path)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["plan", "suggestions", "--top", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # progress goes to stderr
    assert out.read_text().splitlines()[0] == "buyer_ref,sku,rank,units"
    assert len(out.read_text().splitlines()) == 1 + 3 * 2
    as_json = runner.invoke(app, ["plan", "suggestions", "--top", "1", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    items = json.loads(as_json.stdout)
    assert len(items) == 3 and all(i["rank"] == 1 and i["reasons"] for i in items)
    assert {i["basis"] for i in items} == {"data"}


def test_no_history_is_a_clear_error(cli_db) -> None:
    result = runner.invoke(app, ["plan", "suggestions", "--top", "5", "--format", "csv"])
    assert result.exit_code == 1
    assert "no sales history" in result.stderr
    assert result.stdout == ""
