"""``microbag demo load`` through the CLI, on a fresh SQLite file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import microbag.config
import microbag.db
from microbag.cli import app


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run the CLI against a new SQLite database (settings and database caches cleared)."""
    monkeypatch.setenv("MICROBAG_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
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


def test_demo_load_needs_the_schema(cli):
    result = cli("demo", "load")
    assert result.exit_code == 1
    # Rich wraps the message at the console's width: compare the words.
    assert "run `microbag db upgrade` first" in " ".join(result.output.split())


def test_demo_load_then_users_list(cli):
    assert cli("db", "upgrade").exit_code == 0

    result = cli("demo", "load", "--seed", "5")
    assert result.exit_code == 0, result.output
    assert "microbag-demo-2026" in result.output
    assert "admin@microbag.example" in result.output

    again = cli("demo", "load", "--if-empty")
    assert again.exit_code == 0
    assert "not loaded" in again.output
    refused = cli("demo", "load")
    assert refused.exit_code == 1
    assert "already has" in refused.output

    listed = cli("users", "list", "--json")
    assert listed.exit_code == 0, listed.output
    users = json.loads(listed.stdout)
    assert all(set(u) == {"email", "company", "role"} for u in users)
    by_email = {u["email"]: u for u in users}
    assert by_email["admin@microbag.example"] == {
        "email": "admin@microbag.example",
        "company": None,
        "role": "admin",
    }
    assert by_email["camille.laurent@atelier-lumiere.example"]["company"] == (
        "Atelier Lumière (Paris)"
    )
    assert by_email["olivia.bennett@hudson-pine.example"]["role"] == "owner"
    buyers = [u for u in users if u["company"] is not None]
    assert len({u["company"] for u in buyers}) >= 80
    assert {u["role"] for u in buyers} == {"owner", "buyer", "viewer"}


def test_unknown_size_is_rejected(cli):
    result = cli("demo", "load", "--size", "huge")
    assert result.exit_code == 2
