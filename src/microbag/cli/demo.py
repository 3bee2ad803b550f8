"""``microbag demo load``: fill an empty database with the demo business."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import inspect

from microbag.cli.common import console, database, fail
from microbag.db import Database
from microbag.demo.generator import DEFAULT_SEED, DEMO_TABLES, DemoSummary, load_demo
from microbag.errors import DomainError
from microbag.migrate import is_empty

app = typer.Typer(no_args_is_help=True)


class Size(StrEnum):
    small = "small"
    large = "large"


class RichSteps:
    """The generator's progress steps as Rich progress bars (one bar per step)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.current: TaskID | None = None

    def task(self, label: str, total: int) -> Callable[[int], None]:
        self.finish()
        task_id = self.progress.add_task(label, total=max(total, 1))
        self.current = task_id
        return lambda n: self.progress.advance(task_id, n)

    def finish(self) -> None:
        if self.current is not None:
            total = self.progress.tasks[self.current].total
            self.progress.update(self.current, completed=total)


def missing_tables(db: Database) -> list[str]:
    """Tables the demo writes that the database lacks (the schema is not migrated)."""
    present = set(inspect(db.engine).get_table_names())
    return sorted(name for name in DEMO_TABLES if name not in present)


@app.command("load")
def load(
    size: Size = typer.Option(
        Size.small, "--size", help="small: the demo business; large: 100,000+ SKUs for benchmarks"
    ),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Same seed, same data"),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing (successfully) when the database has data"
    ),
) -> None:
    """Load a deterministic demo micro bag business into an empty database."""
    db = database()
    missing = missing_tables(db)
    if missing:
        fail(
            f"the database schema is missing ({', '.join(missing[:5])}"
            f"{'...' if len(missing) > 5 else ''}): run `microbag db upgrade` first"
        )
    if not is_empty(db):
        if if_empty:
            console.print("the database already has data: demo data not loaded")
            return
        fail("the database already has companies or styles; demo data loads into an empty one")
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    started = time.perf_counter()
    try:
        with Progress(*columns, console=console) as progress:
            steps = RichSteps(progress)
            with db.session(write=True) as session:
                summary = load_demo(session, size=size.value, seed=seed, progress=steps)
                steps.finish()
                progress.add_task("committing", total=None)
    except DomainError as exc:
        fail(exc)
    print_summary(summary, time.perf_counter() - started)


def print_summary(summary: DemoSummary, seconds: float) -> None:
    counts = Table("table", "rows", title=f"demo data ({summary.size}, seed {summary.seed})")
    for name, rows in sorted(summary.counts.items()):
        counts.add_row(name, f"{rows:,}")
    console.print(counts)
    statuses = ", ".join(f"{k} {v:,}" for k, v in summary.orders_by_status.items())
    console.print(f"orders from {summary.first_order_day} to {summary.last_order_day}: {statuses}")
    console.print("[bold]demo sign-ins[/bold]")
    for login in summary.logins:
        where = f", {login.company}" if login.company else ""
        console.print(f"  {login.email}  ({login.what}{where})", soft_wrap=True)
    console.print(
        f"Every demo user has the password [bold]{summary.password}[/bold] "
        "(`microbag users list` shows them all)."
    )
    console.print(f"loaded and committed in {seconds:.1f} s")
