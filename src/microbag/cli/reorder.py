"""CLI of reorder (issue 10): ``microbag reorder suggest`` and ``microbag reorder draft``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from microbag.cli.common import console, database, err_console, fail
from microbag.errors import DomainError

reorder_app = typer.Typer(no_args_is_help=True)

ServiceLevel = Annotated[
    float | None,
    typer.Option(
        "--service-level",
        min=0.5,
        max=0.9999,
        help="Cycle service level the safety stock is sized for (default: the "
        "reorder_service_level setting, 0.95)",
    ),
]
Warehouse = Annotated[str | None, typer.Option("--warehouse", help="Only this warehouse (code)")]


@reorder_app.command("suggest")
def suggest(
    service_level: ServiceLevel = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list")] = False,
    warehouse: Warehouse = None,
    supplier: Annotated[
        str | None, typer.Option("--supplier", help="Only lines for this supplier (code)")
    ] = None,
    sku: Annotated[str | None, typer.Option("--sku", help="Only this SKU (code)")] = None,
) -> None:
    """What to order now per SKU and warehouse: reorder point, order-up-to level and the
    quantity rounded to the cheapest adequate supplier's MOQ and case pack."""
    from microbag.config import get_settings
    from microbag.reorder import service
    from microbag.reorder.api import line_out

    try:
        with database().session() as session:
            result = service.suggest(
                session,
                service_level=service_level,
                warehouse=warehouse,
                supplier=supplier,
                sku=sku,
            )
    except DomainError as exc:
        fail(exc)
    base = get_settings().base_currency
    sourced = [ln for ln in result.lines if ln.supplier is not None]
    unsourced = [ln for ln in result.lines if ln.supplier is None]
    if as_json:
        rows: list[dict[str, Any]] = [line_out(ln, base).model_dump(mode="json") for ln in sourced]
        print(json.dumps(rows, indent=2))
        if unsourced:
            err_console.print(
                f"[yellow]{len(unsourced)} SKU/warehouse lines need stock but no supplier "
                "offers them (not listed): "
                + ", ".join(f"{ln.sku}@{ln.warehouse}" for ln in unsourced[:20])
                + (" ..." if len(unsourced) > 20 else "")
            )
        return
    _print_table(result, base)


def _print_table(result: Any, base: str) -> None:
    from microbag.money import format_money

    run = (
        f"forecast run {result.forecast_run_id}"
        if result.forecast_run_id
        else "no forecast run (recent sales)"
    )
    console.print(
        f"service level {result.service_level:.1%}, review every {result.review_days} days, "
        f"{run}: {len(result.lines)} lines to order"
    )
    table = Table()
    for name in (
        "SKU",
        "warehouse",
        "demand/wk",
        "safety",
        "reorder pt",
        "order-up-to",
        "position",
        "quantity",
        "MOQ/pack",
        "supplier",
        "landed/unit",
        "notes",
    ):
        # The codes stay whole on a narrow terminal; the notes fold.
        table.add_column(name, overflow="fold", no_wrap=name in ("SKU", "warehouse", "supplier"))
    for ln in result.lines:
        table.add_row(
            ln.sku,
            ln.warehouse,
            f"{ln.weekly_demand:.1f}",
            str(ln.safety_stock),
            str(ln.reorder_point),
            str(ln.order_up_to),
            str(ln.inventory_position),
            f"[bold]{ln.quantity}[/bold]" if ln.urgent else str(ln.quantity),
            f"{ln.moq}/{ln.case_pack}",
            ln.supplier or "-",
            format_money(ln.landed_unit_cost_minor, base)
            if ln.landed_unit_cost_minor is not None
            else "-",
            "; ".join(ln.warnings),
        )
    console.print(table)


@reorder_app.command("draft")
def draft(
    service_level: ServiceLevel = None,
    range_plan: Annotated[
        int | None,
        typer.Option("--range-plan", min=1, help="Draft a saved range plan's units to buy instead"),
    ] = None,
    warehouse: Warehouse = None,
    sku: Annotated[
        list[str] | None, typer.Option("--sku", help="Only these SKUs (repeat the option)")
    ] = None,
) -> None:
    """Make draft purchase orders, one per supplier and warehouse, in one step (all or
    none): from today's suggestions, or from a saved range plan (--range-plan ID)."""
    from microbag.purchasing import service as purchasing
    from microbag.reorder import drafts

    try:
        with database().session(write=True) as session:
            if range_plan is not None:
                result = drafts.plan_drafts(session, range_plan, actor="cli", warehouse=warehouse)
            else:
                result = drafts.drafts_from_suggestions(
                    session,
                    actor="cli",
                    service_level=service_level,
                    skus=sku,
                    warehouse=warehouse,
                )
            rows = [
                (
                    po.number,
                    po.supplier_id,
                    po.warehouse_id,
                    len(po.lines),
                    purchasing.total_minor(po),
                    po.currency,
                )
                for po in result.purchase_orders
            ]
            names = purchasing.supplier_names(session, [r[1] for r in rows])
            warehouses = purchasing.warehouse_codes(session, [r[2] for r in rows])
    except DomainError as exc:
        fail(exc)
    from microbag.money import format_money

    verb = "made" if result.created else "already made for this plan"
    console.print(f"{len(rows)} draft purchase orders {verb}")
    for number, supplier_id, warehouse_id, lines, total, currency in rows:
        code = names.get(supplier_id, ("?", ""))[0]
        to = warehouses.get(warehouse_id, "?")
        console.print(f"  {number}  {code} -> {to}  {lines} lines  {format_money(total, currency)}")
    for s in result.skipped:
        err_console.print(f"[yellow]skipped[/yellow] {s.sku} at {s.warehouse}: {s.reason}")


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add this area's commands (and its ``microbag import ...`` commands)."""
    app.add_typer(reorder_app, name="reorder", help="Reorder suggestions and draft POs.")
