"""``microbag drops``: create (open), list, allocate --dry-run, allocate."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from microbag.cli import app
from microbag.timeutil import utcnow


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_drops_cli_flow(cli_db, world, request_units, pass_embargo):
    embargo = (utcnow() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    made = run(
        "drops",
        "create",
        "Night Edition",
        "--embargo",
        embargo,
        "--sku",
        "MC-001-GLD:24:12:6",
        "--region",
        "europe",
        "--region",
        "us",
        "--open",
    )
    assert made.exit_code == 0, made.output
    assert "drop 1 created (open)" in made.output
    bad = run("drops", "create", "X", "--embargo", embargo, "--sku", "MC-001-GLD:twenty")
    assert bad.exit_code == 1 and "CODE:EDITION" in bad.output
    listed = json.loads(run("drops", "list", "--json").output)
    assert [(d["id"], d["status"], d["skus"][0]["edition"]) for d in listed] == [(1, "open", 24)]
    request_units("buyer@a.test", 1, [("MC-001-GLD", 12)])
    request_units("buyer@b.test", 1, [("MC-001-GLD", 12)])
    early = run("drops", "allocate", "1")
    assert early.exit_code == 1 and "drop_embargo_not_reached" in early.output
    pass_embargo(1)
    dry = json.loads(run("drops", "allocate", "1", "--dry-run", "--json").output)
    assert dry["dry_run"] and [s["allocated"] for s in dry["shares"]] == [12, 12]
    assert dry["outcomes"] == []
    assert json.loads(run("drops", "list", "--json").output)[0]["status"] == "open"
    done = run("drops", "allocate", "1", "--json")
    assert done.exit_code == 0, done.output
    assert [o["status"] for o in json.loads(done.output)["outcomes"]] == ["ordered", "ordered"]
    assert json.loads(run("drops", "list", "--json").output)[0]["status"] == "allocated"
    assert run("drops", "close", "1").exit_code == 0
