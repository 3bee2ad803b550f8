"""``microbag audit list`` and ``microbag audit export``; CLI changes are labelled "cli"."""

from __future__ import annotations

import csv
import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from microbag.audit.exporter import COLUMNS
from microbag.cli import app

from .changes import make_changes


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result


def test_a_stock_count_from_the_cli_is_audited_as_cli(cli_db, world, log):
    r = run("stock", "set", "CB-001-TAN", "--on-hand", "70", "--warehouse", "MAIN")
    assert r.exit_code == 0, r.output
    (entry,) = log("stock_level")
    assert entry["actor"] == "cli" and entry["actor_user_id"] is None
    assert (entry["before"], entry["after"]) == ({"on_hand": 100}, {"on_hand": 70})


def test_list_with_filters_as_json(cli_db, world):
    make_changes(cli_db, world)
    r = run("audit", "list", "--entity", "stock_level", "--json")
    assert r.exit_code == 0, r.output
    entries = [json.loads(line) for line in r.output.splitlines()]
    assert [e["entity_id"] for e in entries] == ["MT-001-RED@MAIN", "MC-001-GLD@MAIN"]
    r = run("audit", "list", "--actor", "admin", "--json")
    (entry,) = [json.loads(line) for line in r.output.splitlines()]
    assert entry["entity"] == "user" and entry["after"] == {"role": "merchandiser"}
    r = run("audit", "list", "--since", "2026-01-01")
    assert r.exit_code == 0 and "4 of 4 entries" in r.output and "6000000" in r.output


def test_invalid_filters_fail_with_a_message(cli_db, world):
    r = run("audit", "list", "--since", "2026-12-05", "--until", "2026-12-01")
    assert r.exit_code == 1 and "since must not be after until" in r.output
    r = run("audit", "list", "--entity", "Price List")
    assert r.exit_code == 1 and "entity" in r.output


def test_export_csv_and_xlsx(cli_db, world, tmp_path):
    make_changes(cli_db, world)
    out = tmp_path / "audit.csv"
    r = run("audit", "export", "-o", str(out), "--entity", "company")
    assert r.exit_code == 0 and "1 rows written" in r.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == COLUMNS
    assert rows[1][COLUMNS.index("field")] == "credit_limit_minor"
    assert rows[1][COLUMNS.index("after")] == "6000000"
    book = tmp_path / "audit.xlsx"
    r = run("audit", "export", "--output", str(book))
    assert r.exit_code == 0 and "4 rows written" in r.output
    workbook = load_workbook(book, read_only=True)
    assert len(list(workbook.active.iter_rows(values_only=True))) == 5
    workbook.close()
