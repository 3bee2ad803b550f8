"""``microbag knowledge list`` and ``microbag knowledge check FILE``."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from microbag.cli import app
from microbag.knowledge import service

runner = CliRunner()


def words(text: str) -> str:
    """Output with Rich's line wrapping undone."""
    return " ".join(text.split())


BAD_FILE = """version = "test"
[[fact]]
key = "segment_types.boutique"
value = { micro_tote = 1.0, mini_crossbody = 1.0, belt_bag = 9.0, micro_clutch = 1.0 }
source = "seller"
"""


def test_list_shows_effective_values_with_sources_and_editors(cli_db) -> None:
    with cli_db.session(write=True) as s:
        fact = service.fact_view(s, "segment_types.boutique").fact
        value = {**json.loads(json.dumps(dict(fact.value))), "belt_bag": 1.4}
        service.edit_fact(s, "segment_types.boutique", value, edited_by="merch@seller.test")
    result = runner.invoke(app, ["knowledge", "list", "--table", "segment_types", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["key"].split(".")[0] for r in rows} == {"segment_types"}
    boutique = next(r for r in rows if r["key"] == "segment_types.boutique")
    assert boutique["value"]["belt_bag"] == 1.4
    assert boutique["edited_by"] == "merch@seller.test"
    others = [r for r in rows if r["key"] != "segment_types.boutique"]
    assert others and all(r["edited_by"] is None and r["source"] for r in others)


def test_list_of_an_unknown_table_names_the_tables(cli_db) -> None:
    result = runner.invoke(app, ["knowledge", "list", "--table", "no_such_table"])
    assert result.exit_code == 1
    assert "no table named 'no_such_table'" in words(result.output)
    assert "segment_types" in words(result.output)


def test_check_accepts_the_shipped_file() -> None:
    from importlib import resources

    shipped = resources.files("microbag.knowledge").joinpath("brief.toml")
    result = runner.invoke(app, ["knowledge", "check", str(shipped)])
    assert result.exit_code == 0, result.output
    assert re.search(r"version \S+, \d+ facts, all valid", words(result.output))


def test_check_names_every_bad_fact(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_FILE, encoding="utf-8")
    result = runner.invoke(app, ["knowledge", "check", str(bad)])
    assert result.exit_code == 1
    assert "fact 'segment_types.boutique', value.belt_bag" in words(result.output)
