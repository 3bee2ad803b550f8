"""``microbag stock ...``."""

from __future__ import annotations

import typer

from microbag.cli.common import console, database, fail
from microbag.errors import DomainError
from microbag.stock import service

app = typer.Typer(no_args_is_help=True)


@app.command("set")
def set_stock(
    sku: str = typer.Argument(..., help="SKU code, e.g. MC-001-GLD"),
    on_hand: int = typer.Option(..., "--on-hand", help="The counted quantity on hand"),
    warehouse: str | None = typer.Option(
        None, "--warehouse", help="Warehouse code (default: the first warehouse)"
    ),
) -> None:
    """Set the quantity on hand of a SKU in a warehouse (never below what is reserved)."""
    try:
        with database().session(write=True) as s:
            row = service.set_stock(s, sku, warehouse, on_hand, actor_label="cli")
    except DomainError as exc:
        fail(exc)
    console.print(
        f"{row.sku} at {row.warehouse}: on hand {row.on_hand}, reserved {row.reserved}, "
        f"available {row.available}"
    )
