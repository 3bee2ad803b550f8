"""``microbag companies addresses|add-address|set-tax``: an address added through the CLI is
checked like the API's, becomes the first default of its kind, and is listed (table and JSON);
the tax identity is set part by part, checked like the API's, shown, and cleared."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

import microbag.config
import microbag.db
from microbag.buyers import service
from microbag.buyers.tax import today_utc
from microbag.cli import app

pytestmark = pytest.mark.db


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


def test_add_address_then_list(cli, world):
    company = str(world.company_a)
    added = cli(
        "companies", "add-address", company, "--line1", "12 rue du Bac",
        "--city", "Paris", "--postal-code", "75007", "--country", "fr",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "(default)" in added.output  # the first ship-to is the default
    listed = cli("companies", "addresses", company, "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["kind"], r["default"]) for r in rows] == [("shipping", True)]
    assert rows[0]["lines"] == "12 rue du Bac, Paris, 75007, FR"
    table = cli("companies", "addresses", company)
    assert "12 rue du Bac" in table.output


def test_bad_postal_code_is_refused(cli, world):
    result = cli(
        "companies", "add-address", str(world.company_a), "--line1", "1 Main St",
        "--city", "Boston", "--postal-code", "ABC", "--country", "US",
    )  # fmt: skip
    assert result.exit_code != 0
    assert "postal" in result.output.lower()
    listed = cli("companies", "addresses", str(world.company_a), "--json")
    assert json.loads(listed.output) == []


def test_unknown_company_fails(cli, world):
    result = cli("companies", "addresses", "999999")
    assert result.exit_code != 0


def test_set_tax_sets_keeps_and_clears(cli, world, db):
    company = str(world.company_b)
    expires = (today_utc() + timedelta(days=20)).isoformat()
    result = cli(
        "companies", "set-tax", company, "--resale-number", "ca-123",
        "--resale-state", "CA", "--resale-expires", expires,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "saved" in result.output
    assert f"resale certificate CA-123 expires {expires}" in result.output
    assert "expires in 20 days" in result.output  # the warning window is 30 days
    # a VAT number alone keeps the certificate; a bad one is refused with its code
    bad = cli("companies", "set-tax", company, "--vat-number", "DE136695977")
    assert bad.exit_code != 0
    assert "invalid_vat_number" in bad.output and "Germany" in bad.output
    mismatch = cli("companies", "set-tax", company, "--vat-number", "DE136695976")
    assert mismatch.exit_code != 0 and "vat_country_mismatch" in mismatch.output
    shown = cli("companies", "set-tax", company)
    assert shown.exit_code == 0 and "saved" not in shown.output
    assert "resale certificate CA-123" in shown.output
    bad_date = cli("companies", "set-tax", company, "--resale-expires", "2027-13-01")
    assert bad_date.exit_code != 0 and "YYYY-MM-DD" in bad_date.output
    cleared = cli("companies", "set-tax", company, "--clear")
    assert cleared.exit_code == 0, cleared.output
    assert "no VAT number or resale certificate on file" in cleared.output
    with db.session() as s:
        b = service.get_company(s, world.company_b)
        assert (b.resale_certificate_number, b.resale_certificate_expires) == (None, None)
    vat = cli("companies", "set-tax", str(world.company_a), "--vat-number", "fr 40303265045")
    assert vat.exit_code == 0, vat.output
    assert "VAT FR40303265045 (valid)" in vat.output
    assert cli("companies", "set-tax", "999999", "--clear").exit_code != 0
