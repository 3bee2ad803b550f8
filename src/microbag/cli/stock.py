"""``microbag stock ...``."""

from __future__ import annotations

import typer

from microbag.cli.common import console, database, fail
from microbag.errors import DomainError
from microbag.orders import backorders
from microbag.stock import regions, service
from microbag.stock.policies import format_region_ranks, parse_region_ranks

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
            if backorders.fill_waiting(s):  # a higher count serves waiting lines first
                row = service.stock_row(s, sku, warehouse)
    except DomainError as exc:
        fail(exc)
    console.print(
        f"{row.sku} at {row.warehouse}: on hand {row.on_hand}, reserved {row.reserved}, "
        f"available {row.available}"
    )


@app.command("warehouse-regions")
def warehouse_regions(
    warehouse: str | None = typer.Argument(
        None, help="Warehouse code; without one, every warehouse's served regions are listed"
    ),
    serve: str | None = typer.Option(
        None,
        "--serve",
        help='The regions the warehouse serves first with their ranks, e.g. "europe:1, '
        'middle_east:2" (replaces the list; "" clears it)',
    ),
) -> None:
    """Which buyer regions a warehouse serves first: orders of buyers there reserve from it
    (by rank, 1 first) before the fullest warehouse."""
    try:
        if serve is not None:
            if warehouse is None:
                raise DomainError.single("unknown_warehouse", "name the warehouse to change")
            with database().session(write=True) as s:
                served = {warehouse: regions.set_regions(s, warehouse, parse_region_ranks(serve))}
        else:
            with database().session() as s:
                served = (
                    {warehouse: regions.regions_of(s, warehouse)}
                    if warehouse
                    else regions.regions_by_warehouse(s)
                )
    except DomainError as exc:
        fail(exc)
    for code, ranks in served.items():
        console.print(f"{code}: {format_region_ranks(ranks.items()) or '(no region first)'}")
