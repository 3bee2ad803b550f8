"""``microbag drops ...``: limited-edition drops from the command line (list, create,
open, allocate [--dry-run], close). The CLI acts as an admin named "cli"."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from microbag.accounts.principal import Principal
from microbag.cli.common import console, database, fail
from microbag.config import get_settings
from microbag.drops import allocation, policies, service
from microbag.drops.schemas import DropIn, DropSkuIn
from microbag.errors import DomainError
from microbag.money import format_money

CLI = Principal(user_id=0, email="cli", role="admin", company_id=None)
drops_app = typer.Typer(no_args_is_help=True, help="Limited-edition drops.")

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


@drops_app.command("list")
def list_drops(
    status: Annotated[str | None, typer.Option(help="draft, open, allocated or closed")] = None,
    as_json: Json = False,
) -> None:
    """Every drop, the latest embargo first."""
    if status is not None and status not in policies.STATUSES:
        fail(f"unknown status {status!r}; one of {', '.join(policies.STATUSES)}")
    with database().session() as s:
        drops, _total = service.list_drops(s, CLI, status=status, limit=1000)
        rows = [
            {
                "id": d.id,
                "name": d.name,
                "status": d.status,
                "embargo_at": d.embargo_at.isoformat(),
                "skus": [
                    {"sku": k.sku_code, "edition": k.edition_size, "case_pack": k.case_pack}
                    for k in d.skus
                ],
                "requests": len(service.all_requests(s, d.id)),
            }
            for d in drops
        ]
        by_id = {d.id: list(d.skus) for d in drops}
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Drops")
    for column in ("id", "name", "status", "embargo (UTC)", "SKUs (edition)", "requests"):
        table.add_column(column)
    for r in rows:
        skus = ", ".join(f"{k.sku_code} ({k.edition_size})" for k in by_id[int(str(r["id"]))])
        table.add_row(
            str(r["id"]),
            str(r["name"]),
            str(r["status"]),
            str(r["embargo_at"])[:16],
            skus,
            str(r["requests"]),
        )
    console.print(table)


def _sku(spec: str) -> DropSkuIn:
    """CODE:EDITION[:CAP[:CASE_PACK]]"""
    parts = spec.split(":")
    if len(parts) < 2 or len(parts) > 4 or not all(p.isdigit() for p in parts[1:]):
        fail(f"--sku {spec!r}: write CODE:EDITION[:CAP[:CASE_PACK]]")
    numbers = [int(p) for p in parts[1:]]
    try:
        return DropSkuIn(
            sku=parts[0],
            edition_size=numbers[0],
            buyer_cap=numbers[1] if len(numbers) > 1 else None,
            case_pack=numbers[2] if len(numbers) > 2 else None,
        )
    except ValueError as exc:
        fail(f"--sku {spec!r}: {exc}")


@drops_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The drop's name")],
    embargo: Annotated[
        str, typer.Option(help="ISO date and time with its zone, e.g. 2026-12-24T09:00Z")
    ],
    sku: Annotated[list[str], typer.Option(help="CODE:EDITION[:CAP[:CASE_PACK]] (repeat)")],
    segment: Annotated[list[str] | None, typer.Option(help="Eligible segment (repeat)")] = None,
    region: Annotated[list[str] | None, typer.Option(help="Eligible region (repeat)")] = None,
    company: Annotated[list[int] | None, typer.Option(help="Eligible company id (repeat)")] = None,
    open_now: Annotated[bool, typer.Option("--open", help="Open it for requests at once")] = False,
) -> None:
    """Create a drop (a draft, or open with --open)."""
    try:
        when = datetime.fromisoformat(embargo.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--embargo {embargo!r} is not an ISO date and time")
    try:
        data = DropIn(
            name=name,
            embargo_at=when,
            segments=segment or [],
            regions=region or [],
            company_ids=company or [],
            skus=[_sku(s) for s in sku],
        )
    except ValueError as exc:
        fail(str(exc))
    try:
        with database().session(write=True) as s:
            drop = service.create_drop(s, CLI, data)
            if open_now:
                service.open_drop(s, CLI, drop.id)
            drop_id, status = drop.id, drop.status
    except DomainError as exc:
        fail(exc)
    console.print(f"drop {drop_id} created ({status})")


def _transition(drop_id: int, action: str) -> None:
    try:
        with database().session(write=True) as s:
            change = service.open_drop if action == "open" else service.close_drop
            status = change(s, CLI, drop_id).status
    except DomainError as exc:
        fail(exc)
    console.print(f"drop {drop_id} is {status}")


@drops_app.command("open")
def open_(drop_id: Annotated[int, typer.Argument(help="Drop id")]) -> None:
    """Open a draft for requests (before its embargo)."""
    _transition(drop_id, "open")


@drops_app.command("close")
def close(drop_id: Annotated[int, typer.Argument(help="Drop id")]) -> None:
    """Close a drop: its SKUs are ordinary SKUs again."""
    _transition(drop_id, "close")


@drops_app.command("allocate")
def allocate(
    drop_id: Annotated[int, typer.Argument(help="Drop id")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show the shares")] = False,
    as_json: Json = False,
) -> None:
    """Allocate the drop by the fair-share rule and place the orders (at or after the
    embargo); --dry-run shows the shares and writes nothing."""
    try:
        if dry_run:
            with database().session() as s:
                shares = allocation.preview(s, CLI, drop_id)
                names = service.company_names(s, sorted({x.company_id for x in shares}))
            outcomes: list[allocation.Outcome] = []
        else:
            with database().session(write=True) as s:
                shares, outcomes = allocation.allocate(s, CLI, drop_id)
                names = service.company_names(s, sorted({x.company_id for x in shares}))
    except DomainError as exc:
        fail(exc)
    if as_json:
        out = {
            "drop_id": drop_id,
            "dry_run": dry_run,
            "shares": [
                {
                    "company_id": x.company_id,
                    "company": names.get(x.company_id, ""),
                    "sku": x.sku_code,
                    "requested": x.requested,
                    "allocated": x.allocated,
                    "weight_minor": x.weight_minor,
                }
                for x in shares
            ],
            "outcomes": [
                {
                    "company_id": o.company_id,
                    "status": o.status,
                    "order_id": o.order_id,
                    "units": o.units,
                    "reason": o.reason,
                }
                for o in outcomes
            ],
        }
        typer.echo(json.dumps(out, indent=2))
        return
    base = get_settings().base_currency
    table = Table(title=f"Drop {drop_id}: " + ("shares (dry run)" if dry_run else "allocated"))
    for column in ("company", "SKU", "requested", "allocated", "past 12 months"):
        table.add_column(column)
    for x in shares:
        table.add_row(
            names.get(x.company_id, str(x.company_id)),
            x.sku_code,
            str(x.requested),
            str(x.allocated),
            format_money(x.weight_minor, base),
        )
    console.print(table)
    for o in outcomes:
        what = f"order {o.order_id}" if o.order_id else o.status
        console.print(f"{names.get(o.company_id, o.company_id)}: {what} {o.reason}".rstrip())


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add this package's commands to ``microbag`` (and its imports to ``microbag import``)."""
    app.add_typer(drops_app, name="drops", help="Limited-edition drops.")
