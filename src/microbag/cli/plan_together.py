"""``microbag plan together`` and ``microbag plan mine-bundles``.

``together`` is a contract for outside checks: ``--baskets FILE --top K --format csv
[-o FILE]`` reads ``basket,sku`` (the items already in each basket) and writes
``basket,sku,rank``, up to K suggestions per basket, none already in it, ranked from
every basket of the history up to the last imported week (mined afresh, not the stored
rules, so the answer never depends on when mining last ran). Progress goes to stderr.

``mine-bundles`` mines the baskets and stores the rules the pages read (what the
``bundles_mine`` job does; ``--queue`` leaves it to a worker).
"""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from microbag.cli.common import console, database, err_console, fail
from microbag.errors import DomainError


class Format(StrEnum):
    csv = "csv"


def register(plan_app: typer.Typer) -> None:
    plan_app.command("together")(plan_together)
    plan_app.command("mine-bundles")(mine_bundles)


def plan_together(
    baskets: Annotated[
        Path,
        typer.Option(
            "--baskets", help="CSV with columns basket,sku (the items already in each basket)"
        ),
    ],
    top: Annotated[
        int, typer.Option("--top", min=1, max=1000, help="suggestions per basket (K)")
    ] = 5,
    output_format: Annotated[
        Format, typer.Option("--format", help="csv: basket,sku,rank")
    ] = Format.csv,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default stdout)")
    ] = None,
) -> None:
    """Up to K SKUs often ordered together with each basket's items (none already in it)."""
    from microbag.bundles.service import fit_model
    from microbag.bundles.together_csv import read_baskets_csv, write_together_csv
    from microbag.filelimits import FileLimits

    limits = FileLimits.from_settings()
    try:
        size = baskets.stat().st_size
        if size > limits.max_uncompressed_bytes:
            fail(f"{baskets}: larger than {limits.max_uncompressed_bytes:,} bytes")
        wanted = read_baskets_csv(baskets.read_bytes(), limits)
    except OSError as exc:
        fail(f"{baskets}: {exc.strerror or exc}")
    except DomainError as exc:
        fail(exc)
    started = time.perf_counter()
    err_console.print("reading the baskets of the sales history...")
    with database().session() as session:
        model, last_week = fit_model(session)
    if last_week is None:
        fail("no sales history yet: import sales (microbag import sales) or take orders first")
    err_console.print(
        f"{model.n_baskets:,} baskets and {len(model.codes):,} SKUs up to the week of "
        f"{last_week.isoformat()} in {time.perf_counter() - started:.1f} s; "
        f"ranking {len(wanted):,} baskets"
    )
    rows = (
        (basket, t)
        for basket, items in wanted.items()
        for t in model.suggest(items, top, explain=False)
    )
    if output is None:
        count = write_together_csv(rows, sys.stdout)
        sys.stdout.flush()
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            count = write_together_csv(rows, stream)
    err_console.print(f"{count:,} suggestions for {len(wanted):,} baskets")


def mine_bundles(
    queue: Annotated[
        bool, typer.Option("--queue", help="Queue a bundles_mine job for a worker instead")
    ] = False,
    if_missing: Annotated[
        bool,
        typer.Option("--if-missing", help="Only if nothing was mined yet nor is being mined"),
    ] = False,
) -> None:
    """Mine the baskets for SKUs ordered together and store the rules pages show."""
    from microbag.bundles.service import compute_mining, latest_run, store_mining

    if if_missing:
        from microbag.jobs.policies import BUNDLES_MINE
        from microbag.jobs.service import has_active

        with database().session() as session:
            if latest_run(session) is not None or has_active(session, BUNDLES_MINE):
                console.print("bundles already mined (or being mined): nothing to do")
                return
    if queue:
        from microbag.jobs.policies import BUNDLES_MINE
        from microbag.jobs.service import enqueue

        with database().session(write=True) as session:
            job = enqueue(session, BUNDLES_MINE, {}, created_by="cli")
        console.print(f"queued job {job.id} (bundles_mine)")
        return

    def progress(stage: str, done: int, total: int) -> None:
        if done == total or done == 0:
            err_console.print(f"  {stage}: {done:,} / {total:,}")

    with database().session() as session:
        computed = compute_mining(session, progress)
    if computed.last_week is None:
        fail("no sales history yet: import sales (microbag import sales) or take orders first")
    with database().session(write=True) as session:
        run = store_mining(session, computed, actor="cli")
        run_id = run.id
    console.print(
        f"mined {computed.baskets:,} baskets ({computed.skus:,} SKUs) up to the week of "
        f"{computed.last_week.isoformat()}: {len(computed.rules):,} rules in "
        f"{computed.seconds:.1f} s (run {run_id})"
    )
