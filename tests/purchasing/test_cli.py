"""``microbag po ...`` through Typer's CliRunner, on the test database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from microbag.cli import app
from microbag.db import Database
from microbag.timeutil import utcnow

PROMISED = (utcnow().date() + timedelta(days=30)).isoformat()


@pytest.fixture
def cli_db(cli_db: Database, sourcing) -> Database:
    """The CLI's database (tests/conftest.py), with the world and the supplier in it."""
    return cli_db


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_po_create_send_confirm_receive_close(cli_db, tmp_path):
    made = run(
        "po",
        "create",
        "--supplier",
        "GZ-01",
        "--line",
        "MT-001-RED:100",
        "--line",
        "MC-001-GLD:50",
        "--warehouse",
        "MAIN",
    )
    assert made.exit_code == 0, made.output
    number = made.output.split()[0]
    assert number.startswith("PO-") and "draft" in made.output
    assert run("po", "send", number).exit_code == 0
    confirmed = run("po", "confirm", number, "--promised", PROMISED)
    assert confirmed.exit_code == 0, confirmed.output
    assert f"promised {PROMISED}" in confirmed.output
    got = run("po", "receive", number, "--line", "MT-001-RED:100", "--reference", "DN-1")
    assert got.exit_code == 0, got.output
    assert "partly_received" in got.output and "pending_inspection" in got.output
    again = run("po", "receive", number, "--line", "MT-001-RED:100", "--reference", "DN-1")
    assert again.exit_code == 0
    direct = run("po", "receive", number, "--line", "MC-001-GLD:55", "--no-inspect")
    assert direct.exit_code == 0 and "accepted" in direct.output
    shown = run("po", "show", number, "--json")
    data = json.loads(shown.output)
    assert [(ln["sku"], ln["received"], ln["delivery"]) for ln in data["lines"]] == [
        ("MT-001-RED", 100, "exact"),
        ("MC-001-GLD", 55, "over"),
    ]
    assert data["status"] == "received"
    assert "over_delivered" in [e["kind"] for e in data["events"]]
    out = tmp_path / "po.pdf"
    assert run("po", "pdf", number, "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert run("po", "close", number, "--note", "all in").exit_code == 0
    listed = json.loads(run("po", "list", "--json").output)
    assert [(r["number"], r["status"]) for r in listed] == [(number, "closed")]


def test_po_errors_are_named(cli_db):
    bad = run("po", "create", "--supplier", "GZ-01", "--line", "MT-001-RED:90")
    assert bad.exit_code == 1
    assert "below_moq" in bad.output and "not_case_pack_multiple" in bad.output
    assert "invalid_line" in run("po", "create", "--supplier", "GZ-01", "--line", "x").output
    assert "unknown_purchase_order" in run("po", "send", "PO-2000-00001").output
    made = run("po", "create", "--supplier", "GZ-01", "--line", "MT-001-RED:100")
    number = made.output.split()[0]
    early = run("po", "receive", number, "--line", "MT-001-RED:10")
    assert early.exit_code == 1 and "po_state" in early.output
    assert "not a date" in run("po", "confirm", number, "--promised", "soon").output
    assert run("po", "cancel", number, "--reason", "changed mind").exit_code == 0


def test_po_totals_read_as_money(cli_db):
    made = run("po", "create", "--supplier", "GZ-01", "--line", "MT-001-RED:100")
    assert made.exit_code == 0, made.output
    number = made.output.split()[0]
    listed = run("po", "list")
    assert number in listed.output
    assert "$" in listed.output and "minor units" not in listed.output
    shown = run("po", "show", number)
    assert "minor units" not in shown.output and "$" in shown.output


def test_the_pdf_names_the_seller_from_the_settings(cli_db, monkeypatch):
    from microbag.config import get_settings
    from microbag.purchasing import pdf

    monkeypatch.setenv("MICROBAG_SELLER_NAME", "Petite Maison Wholesale")
    get_settings.cache_clear()
    try:
        made = run("po", "create", "--supplier", "GZ-01", "--line", "MT-001-RED:100")
        number = made.output.split()[0]
        with cli_db.session() as s:
            from microbag.purchasing import service

            html = pdf.render_html(s, service.po_by_number(s, number).id)
        assert "Petite Maison Wholesale" in html
    finally:
        get_settings.cache_clear()
