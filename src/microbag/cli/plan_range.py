"""``microbag plan range`` (solve a season's range plan) and ``microbag import costs``."""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from microbag.cli.common import console, database, err_console, fail
from microbag.errors import DomainError
from microbag.money import format_money, to_minor
from microbag.rangeplan.schemas import BoundIn, RangePlanRequest


class Output(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def _bound(text: str, minimum: bool) -> BoundIn:
    """``bag_type:belt_bag=3`` (a count) or ``bag_type:belt_bag=20%`` (a share)."""
    group, sep, value = text.partition("=")
    if not sep:
        raise typer.BadParameter(f"{text!r}: write GROUP=COUNT or GROUP=PERCENT%")
    try:
        if value.endswith("%"):
            share = float(Decimal(value[:-1]) / 100)
            key = "min_share" if minimum else "max_share"
            return BoundIn.model_validate({"group": group, key: share})
        key = "min_count" if minimum else "max_count"
        return BoundIn.model_validate({"group": group, key: int(value)})
    except (ValueError, InvalidOperation, ValidationError) as exc:
        raise typer.BadParameter(f"{text!r}: {exc}") from exc


def plan_range(
    season: Annotated[str, typer.Option(help="holiday, summer or wedding")],
    year: Annotated[int, typer.Option(help="The year the season starts in")],
    budget: Annotated[str, typer.Option(help="Purchase budget in major units, e.g. 25000.00")],
    currency: Annotated[str, typer.Option(help="Currency of prices, costs and budget")] = "USD",
    region: Annotated[str | None, typer.Option(help="A region (default: all)")] = None,
    segment: Annotated[str | None, typer.Option(help="A buyer segment (default: all)")] = None,
    max_styles: Annotated[int | None, typer.Option(help="At most this many styles")] = None,
    min_styles: Annotated[int | None, typer.Option(help="At least this many styles")] = None,
    at_least: Annotated[
        list[str] | None, typer.Option(help="GROUP=N or GROUP=P% (e.g. occasion:bridal=2)")
    ] = None,
    at_most: Annotated[
        list[str] | None, typer.Option(help="GROUP=N or GROUP=P% (e.g. bag_type:pouch=10%)")
    ] = None,
    knowledge_defaults: Annotated[
        bool, typer.Option(help="Add the knowledge file's default shares")
    ] = True,
    leftover_rate: Annotated[float, typer.Option(help="Leftover cost / unit cost")] = 0.3,
    time_limit: Annotated[float, typer.Option(help="Seconds for the solver")] = 30.0,
    format: Annotated[Output, typer.Option("--format", help="table, json, csv or xlsx")] = (
        Output.table
    ),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE")] = None,
) -> None:
    """Solve a season's range plan (MILP, HiGHS), check it and save it.

    Exit status 2 when the request is infeasible (the conflicting constraints are printed)."""
    from microbag.rangeplan import planning, service

    try:
        bounds = [_bound(b, True) for b in at_least or []] + [
            _bound(b, False) for b in at_most or []
        ]
        request = RangePlanRequest(
            season=season,
            year=year,
            region=region,
            segment=segment,
            currency=currency,
            budget_minor=to_minor(budget, currency),
            max_styles=max_styles,
            min_styles=min_styles,
            bounds=bounds,
            knowledge_defaults=knowledge_defaults,
            leftover_rate=leftover_rate,
            time_limit_s=time_limit,
        )
    except (ValidationError, ValueError, InvalidOperation) as exc:
        fail(f"invalid request: {exc}")
    db = database()
    try:
        plan_id = planning.solve_and_save(db, request, "cli")
    except DomainError as exc:
        fail(exc)
    with db.session() as session:
        plan = service.get_plan(session, plan_id)
        if plan.status == "infeasible":
            err_console.print(
                f"[red]infeasible[/red] (plan {plan.id}): these constraints conflict:"
            )
            for words in plan.conflicts.get("described", []):
                err_console.print(f"  - {words}")
            if plan.conflicts.get("relax_one_described"):
                err_console.print("relaxing any one of these makes it feasible:")
                for words in plan.conflicts["relax_one_described"]:
                    err_console.print(f"  - {words}")
            raise typer.Exit(2)
        if format in (Output.csv, Output.xlsx):
            data = service.export_plan(plan, format.value)
            if output:
                output.write_bytes(data)
            else:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            return
        if format == Output.json:
            from microbag.rangeplan.api import plan_out

            text = json.dumps(plan_out(session, plan).model_dump(mode="json"), indent=2)
            if output:
                output.write_text(text + "\n", encoding="utf-8")
            else:
                print(text)
            return
        _print_table(plan)


def _print_table(plan: Any) -> None:
    gap = f"{plan.gap:.3%}" if plan.gap is not None else "unknown"
    objective = format_money(round(plan.objective or 0), plan.currency)
    greedy = (
        format_money(round(plan.greedy_objective), plan.currency)
        if plan.greedy_objective is not None
        else "no feasible greedy plan"
    )
    console.print(
        f"plan {plan.id}: {plan.status}, gap {gap}, {plan.seconds:.1f} s; expected margin less "
        f"leftover cost {objective} (greedy: {greedy}); {len(plan.lines)} SKUs"
    )
    table = Table()
    for name in ("#", "SKU", "units", "to buy", "basis", "why"):
        table.add_column(name, overflow="fold")
    for ln in plan.lines:
        table.add_row(
            str(ln.rank),
            ln.sku_code,
            str(ln.units),
            str(ln.units_to_buy),
            ln.basis,
            "; ".join(ln.reasons),
        )
    console.print(table)


def import_costs_command(
    file: Annotated[
        Path, typer.Argument(help="CSV (UTF-8) or XLSX: sku,unit_cost,currency,effective_from")
    ],
) -> None:
    """Import landed unit costs: every row is checked, then all are written or none."""
    from microbag.rangeplan import service

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    try:
        with database().session(write=True) as session:
            result = service.import_costs(session, data, file.name, by="cli")
    except DomainError as exc:
        table = Table(title="Import rejected: nothing was written", title_justify="left")
        for name in ("row", "column", "code", "reason"):
            table.add_column(name, overflow="fold")
        for item in exc.items:
            table.add_row(
                "" if item.line is None else str(item.line),
                item.field or "",
                item.code,
                item.message,
            )
        err_console.print(table)
        raise typer.Exit(1) from exc
    console.print(f"{result.rows} cost rows ({result.format}) for {result.skus} SKUs imported")


def register(plan_app: typer.Typer) -> None:
    plan_app.command("range")(plan_range)


def register_import(import_app: typer.Typer) -> None:
    import_app.command("costs")(import_costs_command)
