"""``microbag import ...`` and ``microbag export ...``."""

from __future__ import annotations

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

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

from microbag.catalog.exporter import export_catalog
from microbag.catalog.importer import import_catalog
from microbag.cli.common import console, database, err_console, fail
from microbag.errors import DomainError
from microbag.orders.exporter import export_orders

import_app = typer.Typer(no_args_is_help=True)
export_app = typer.Typer(no_args_is_help=True)


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _print_errors(exc: DomainError) -> None:
    table = Table(title="Import rejected: nothing was written", title_justify="left")
    table.add_column("row", justify="right")
    table.add_column("column")
    table.add_column("code")
    table.add_column("reason", overflow="fold")
    for item in exc.items:
        table.add_row(
            "" if item.line is None else str(item.line), item.field or "", item.code, item.message
        )
    err_console.print(table)


@import_app.command("catalog")
def import_catalog_command(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8) or XLSX file, one row per SKU")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; write nothing")
    ] = False,
) -> None:
    """Import styles and SKUs: every row is checked, then all are written or none."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    db = database()
    with _progress() as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = "checking rows" if stage == "validate" else "writing"
                tasks[stage] = progress.add_task(label, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        try:
            with db.session(write=not dry_run) as session:
                result = import_catalog(
                    session, data, file.name, dry_run=dry_run, progress=report, actor_label="cli"
                )
        except DomainError as exc:
            progress.stop()
            _print_errors(exc)
            raise typer.Exit(1) from exc
    verb = "would create" if dry_run else "created"
    console.print(
        f"{result.rows} rows ({result.format}): {verb} {result.styles_created} styles and "
        f"{result.skus_created} SKUs; {'would update' if dry_run else 'updated'} "
        f"{result.styles_updated} styles and {result.skus_updated} SKUs"
        + (" [dim](dry run: nothing written)[/dim]" if dry_run else "")
    )


def _export(kind: str, fmt: Format, output: Path | None) -> None:
    writer = export_catalog if kind == "catalog" else export_orders
    db = database()
    if output is None:
        if fmt is Format.xlsx:
            fail("XLSX is binary: give --output FILE (CSV may go to standard output)")
        with db.session() as session:
            writer(session, fmt.value, sys.stdout.buffer)
        sys.stdout.flush()
        return
    directory = output.resolve().parent
    if not directory.is_dir():
        fail(f"directory {directory} does not exist")
    # Write next to the target and rename, so a failed export leaves no half file.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_name, 0o666 & ~umask)  # mkstemp makes it private; a normal file is wanted
    try:
        with (
            err_console.status(f"exporting {kind}..."),
            os.fdopen(fd, "wb") as out,
            db.session() as session,
        ):
            stream: IO[bytes] = out
            count = writer(session, fmt.value, stream)
        os.replace(tmp_name, output)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    err_console.print(f"wrote {count} rows to {output}")


@export_app.command("catalog")
def export_catalog_command(
    fmt: Annotated[Format, typer.Option("--format", help="csv or xlsx")] = Format.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (CSV: default stdout)")
    ] = None,
) -> None:
    """Export every SKU in the import layout (re-importable); formula-like cells escaped."""
    _export("catalog", fmt, output)


@export_app.command("orders")
def export_orders_command(
    fmt: Annotated[Format, typer.Option("--format", help="csv or xlsx")] = Format.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (CSV: default stdout)")
    ] = None,
) -> None:
    """Export every order line of every company; formula-like cells escaped."""
    _export("orders", fmt, output)
