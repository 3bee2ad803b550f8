"""``microbag companies ...``: buyer companies' addresses and tax identity from the command
line (list addresses, add a bill-to or ship-to address, set the VAT number and US resale
certificate). The CLI acts as an admin named "cli" (audited as such)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from microbag.accounts.principal import Principal
from microbag.buyers import service
from microbag.cli.common import console, database, fail
from microbag.errors import DomainError

CLI = Principal(user_id=0, email="cli", role="admin", company_id=None)
companies_app = typer.Typer(
    no_args_is_help=True, help="Buyer companies' addresses and tax identity."
)

CompanyId = Annotated[int, typer.Argument(help="The company's id")]


@companies_app.command("addresses")
def list_addresses(
    company: CompanyId,
    include_inactive: Annotated[bool, typer.Option(help="Show retired addresses too")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """The company's addresses, defaults first."""
    with database().session() as s:
        try:
            service.get_company(s, company)
        except DomainError as exc:
            fail(exc)
        rows = [
            {
                "id": a.id,
                "kind": a.kind,
                "default": a.is_default,
                "active": a.is_active,
                "label": a.label,
                "lines": ", ".join(
                    part
                    for part in (a.line1, a.line2, a.city, a.region, a.postal_code, a.country)
                    if part
                ),
            }
            for a in service.list_addresses(s, company, include_inactive=include_inactive)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "kind", "default", "active", "label", "address")
    for r in rows:
        table.add_row(
            str(r["id"]),
            str(r["kind"]),
            "yes" if r["default"] else "",
            "yes" if r["active"] else "no",
            str(r["label"]),
            str(r["lines"]),
        )
    console.print(table)


@companies_app.command("add-address")
def add_address(
    company: CompanyId,
    line1: Annotated[str, typer.Option(help="Street and number")],
    city: Annotated[str, typer.Option()],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 code, e.g. FR")],
    kind: Annotated[str, typer.Option(help="billing or shipping")] = "shipping",
    postal_code: Annotated[str, typer.Option(help="In the country's format")] = "",
    line2: Annotated[str, typer.Option()] = "",
    region: Annotated[str, typer.Option(help="State, prefecture or province")] = "",
    label: Annotated[str, typer.Option()] = "",
    name: Annotated[str, typer.Option(help="Recipient or attention line")] = "",
    phone: Annotated[str, typer.Option()] = "",
    default: Annotated[bool, typer.Option("--default", help="Make it the default")] = False,
) -> None:
    """Add a bill-to or ship-to address (checked like the API: country, postal code format)."""
    fields = {
        "kind": kind,
        "line1": line1,
        "line2": line2,
        "city": city,
        "region": region,
        "postal_code": postal_code,
        "country": country,
        "label": label,
        "name": name,
        "phone": phone,
    }
    with database().session(write=True) as s:
        try:
            address = service.add_address(s, company, fields, make_default=default, actor=CLI)
        except DomainError as exc:
            fail(exc)
        address_id, is_default = address.id, address.is_default
    console.print(f"address {address_id} added" + (" (default)" if is_default else ""))


@companies_app.command("set-tax")
def set_tax(
    company: CompanyId,
    vat_number: Annotated[
        str | None,
        typer.Option(help='With its country prefix, e.g. DE136695976 ("" clears it)'),
    ] = None,
    resale_number: Annotated[
        str | None, typer.Option(help='US resale certificate number ("" clears the certificate)')
    ] = None,
    resale_state: Annotated[
        str | None, typer.Option(help="The certificate's issuing US state, e.g. CA")
    ] = None,
    resale_expires: Annotated[
        str | None, typer.Option(help="The certificate's expiry date, YYYY-MM-DD")
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Start from nothing: parts not given are cleared")
    ] = False,
) -> None:
    """Set (or clear) the company's VAT number and US resale certificate, checked like the API.

    Parts not given stay as they are (with --clear they are removed); with no option at all
    the command prints the current tax identity."""
    expires: date | None = None
    if resale_expires:
        try:
            expires = date.fromisoformat(resale_expires)
        except ValueError:
            fail(f"--resale-expires {resale_expires!r} is not a date (YYYY-MM-DD)")
    changing = clear or any(
        v is not None for v in (vat_number, resale_number, resale_state, resale_expires)
    )
    with database().session(write=True) as s:
        try:
            row = service.get_company(s, company)
            if changing:
                vat = row.vat_number if not clear else None
                number, state = row.resale_certificate_number, row.resale_certificate_state
                until = row.resale_certificate_expires
                if clear or resale_number == "":  # clearing the number clears the certificate
                    number, state, until = None, None, None
                if vat_number is not None:
                    vat = vat_number or None
                if resale_number:
                    number = resale_number
                if resale_state is not None:
                    state = resale_state or None
                if resale_expires is not None:
                    until = expires
                row = service.set_tax_identity(
                    s,
                    company,
                    vat_number=vat,
                    resale_certificate_number=number,
                    resale_certificate_state=state,
                    resale_certificate_expires=until,
                    actor=CLI,
                )
            status = service.tax_status_of(row)
        except DomainError as exc:
            fail(exc)
    if changing:
        console.print(f"tax identity of company {company} saved")
    for line in status.lines() or ["no VAT number or resale certificate on file"]:
        console.print(line)
    if status.warning:
        console.print(f"[yellow]warning[/yellow] {status.warning}")


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add this package's commands to ``microbag`` (and its imports to ``microbag import``)."""
    app.add_typer(
        companies_app, name="companies", help="Buyer companies' addresses and tax identity."
    )
