"""``microbag plan suggestions``: the suggested orders of every buyer with history.

Contract: ``--top K --format csv [-o FILE]`` writes ``buyer_ref,sku,rank,units`` (an
imported customer's ``customer_ref`` as stored, or a company's buyer reference), ranks
1..K per buyer, from the history up to the last imported day. Progress goes to stderr
only; without ``-o`` the rows go to stdout.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from microbag.cli.common import database, err_console, fail
from microbag.errors import DomainError


class Format(StrEnum):
    csv = "csv"
    json = "json"


def register(plan_app: typer.Typer) -> None:
    plan_app.command("suggestions")(plan_suggestions)


def plan_suggestions(
    top: Annotated[int, typer.Option("--top", min=1, max=1000, help="SKUs per buyer (K)")] = 20,
    output_format: Annotated[
        Format, typer.Option("--format", help="csv (buyer_ref,sku,rank,units) or json")
    ] = Format.csv,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default stdout)")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Use history up to this day (YYYY-MM-DD; default: all)"),
    ] = None,
) -> None:
    """Suggested orders (top K SKUs and units) for every buyer with sales history."""
    from microbag.suggestions.service import (
        all_suggestions,
        build_model,
        write_csv,
        write_json,
    )

    try:
        as_of_day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail("--as-of must be a date YYYY-MM-DD")
    started = time.perf_counter()
    err_console.print("reading the sales history and fitting the model...")
    try:
        with database().session() as session:
            model = build_model(session, as_of_day)
    except DomainError as exc:
        fail(exc)
    err_console.print(
        f"fitted on {len(model.buyers()):,} buyers and {len(model.skus):,} SKUs up to "
        f"{model.as_of.isoformat()} in {time.perf_counter() - started:.1f} s"
    )

    def progress(done: int, total: int) -> None:
        err_console.print(f"  {done:,} / {total:,} buyers")

    rows = all_suggestions(model, top, progress)
    write = write_csv if output_format is Format.csv else write_json
    if output is None:
        count = write(rows, sys.stdout)
        sys.stdout.flush()
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            count = write(rows, stream)
    where = "stdout" if output is None else str(output)
    err_console.print(
        f"wrote {count:,} suggestions to {where} in {time.perf_counter() - started:.1f} s"
    )
