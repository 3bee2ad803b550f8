"""``microbag companies addresses|add-address``: an address added through the CLI is checked
like the API's, becomes the first default of its kind, and is listed (table and JSON)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import microbag.config
import microbag.db
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
