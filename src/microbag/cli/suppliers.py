"""CLI of suppliers (issue 10): ``microbag suppliers list|show|add`` and
``microbag import supplier-prices FILE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from microbag.cli.common import console, database, err_console, fail
from microbag.config import get_settings
from microbag.errors import DomainError, ErrorItem
from microbag.money import format_money
from microbag.suppliers import certificates, importer, service
from microbag.timeutil import utcnow

ACTOR = "cli"
suppliers_app = typer.Typer(no_args_is_help=True, help="Suppliers and their price lists.")


def _as_dict(session: Session, supplier: Any, *, full: bool) -> dict[str, Any]:
    today = utcnow().date()
    summary = service.certificate_summaries(session, [supplier.id], today)[supplier.id]
    out: dict[str, Any] = {
        "code": supplier.code,
        "name": supplier.name,
        "kind": supplier.kind,
        "country": supplier.country,
        "region": supplier.region,
        "currency": supplier.currency,
        "monthly_capacity_units": supplier.monthly_capacity_units,
        "default_lead_time_days": supplier.default_lead_time_days,
        "active": supplier.active,
        "certificates": {
            "valid": summary.valid,
            "expiring": summary.expiring,
            "expired": summary.expired,
            "kinds": list(summary.kinds),
        },
    }
    if full:
        out["contacts"] = supplier.contacts
        out["capabilities"] = supplier.capabilities
        out["payment_terms"] = supplier.payment_terms
        out["notes"] = supplier.notes
        out["certificate_list"] = [
            {
                "kind": c.kind,
                "issuer": c.issuer,
                "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                "status": certificates.status_of(c, today),
                "file": c.filename,
            }
            for c in certificates.list_certificates(session, supplier.id)
        ]
        out["prices"] = [
            {
                "sku": p.sku,
                "style": p.style,
                "unit_cost_minor": p.unit_cost_minor,
                "currency": p.currency,
                "moq": p.moq,
                "case_pack": p.case_pack,
                "lead_time_days": p.lead_time_days,
                "valid_from": p.valid_from.isoformat(),
                "valid_until": p.valid_until.isoformat() if p.valid_until else None,
                "landed_unit_cost_minor": p.landed_unit_cost_minor,
                "base_currency": p.base_currency,
            }
            for p in service.price_views(
                session, service.list_prices(session, supplier_id=supplier.id, current_on=today)
            )
        ]
    return out


@suppliers_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list")] = False,
    country: Annotated[str | None, typer.Option(help="ISO country code, e.g. CN")] = None,
    capability: Annotated[str | None, typer.Option(help="oem, odm, micro_tote, canvas...")] = None,
) -> None:
    """Every supplier, by code."""
    with database().session() as session:
        rows, _total = service.list_suppliers(
            session, country=country, capability=capability, limit=100_000
        )
        data = [_as_dict(session, r, full=False) for r in rows]
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table(title=f"{len(data)} suppliers", title_justify="left")
    for name in ("code", "name", "kind", "country", "currency", "lead time", "certificates"):
        table.add_column(name)
    for d in data:
        c = d["certificates"]
        table.add_row(
            d["code"],
            d["name"],
            d["kind"],
            f"{d['country']} {d['region']}".strip(),
            d["currency"],
            f"{d['default_lead_time_days']} d",
            f"{c['valid']} valid, {c['expiring']} expiring, {c['expired']} expired",
        )
    console.print(table)


@suppliers_app.command("show")
def show_command(
    code: Annotated[str, typer.Argument(help="Supplier code")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON")] = False,
) -> None:
    """One supplier: contacts, capabilities, certificates and current prices."""
    try:
        with database().session() as session:
            data = _as_dict(session, service.supplier_by_code(session, code), full=True)
    except DomainError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    console.print(f"[bold]{data['code']}[/bold] {data['name']} ({data['kind']}, {data['country']})")
    console.print(
        f"currency {data['currency']}, capacity {data['monthly_capacity_units']} units/month,"
        f" lead time {data['default_lead_time_days']} days, terms: {data['payment_terms'] or '-'}"
    )
    for cert in data["certificate_list"]:
        console.print(f"  certificate {cert['kind']}: {cert['status']} until {cert['valid_until']}")
    base = get_settings().base_currency
    for p in data["prices"]:
        landed = p["landed_unit_cost_minor"]
        console.print(
            f"  {p['sku'] or 'style ' + str(p['style'])}: "
            f"{format_money(p['unit_cost_minor'], p['currency'])}, MOQ {p['moq']},"
            f" case {p['case_pack']}, landed "
            f"{format_money(landed, base) if landed is not None else '-'}"
        )


@suppliers_app.command("add")
def add_command(
    code: Annotated[str, typer.Option(help="Unique code, e.g. GZ-01")],
    name: Annotated[str, typer.Option(help="Company name")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2, e.g. CN")],
    currency: Annotated[str, typer.Option(help="ISO 4217 currency of its prices")],
    kind: Annotated[str, typer.Option(help="factory or trading_company")] = "factory",
    region: Annotated[str, typer.Option(help="Province or cluster")] = "",
    lead_time_days: Annotated[int, typer.Option(help="Default lead time")] = 45,
    capacity: Annotated[int, typer.Option(help="Monthly capacity in units")] = 0,
    payment_terms: Annotated[str, typer.Option(help="e.g. 30% deposit")] = "",
) -> None:
    """Add a supplier."""
    fields = {
        "code": code,
        "name": name,
        "country": country,
        "currency": currency,
        "kind": kind,
        "region": region,
        "default_lead_time_days": lead_time_days,
        "monthly_capacity_units": capacity,
        "payment_terms": payment_terms,
    }
    try:
        with database().session(write=True) as session:
            supplier = service.create_supplier(session, fields)
            created = supplier.code
    except DomainError as exc:
        fail(exc)
    console.print(f"supplier {created} added")


def import_prices_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (UTF-8) or XLSX: supplier,sku|style,unit_cost,currency,moq,case_pack,"
            "lead_time_days,valid_from,valid_until"
        ),
    ],
) -> None:
    """Import supplier prices: every row is checked, then all are written or none."""
    limit = get_settings().import_max_upload_bytes
    try:
        if file.stat().st_size > limit:
            fail(DomainError(ErrorItem("file_too_large", f"{file} is over {limit} bytes"), 413))
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    try:
        with database().session(write=True) as session:
            result = importer.import_prices(session, data, file.name, actor=ACTOR)
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
    console.print(
        f"{result.rows} price rows ({result.format}): {result.created} new,"
        f" {result.updated} changed, {result.unchanged} unchanged;"
        f" {result.landed_costs_written} landed costs written"
    )


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``microbag suppliers ...`` and ``microbag import supplier-prices``."""
    app.add_typer(suppliers_app, name="suppliers", help="Suppliers and their price lists.")
    import_app.command("supplier-prices")(import_prices_command)
