"""CLI of the audit log (issue 11): ``microbag audit list`` (filters, newest first) and
``microbag audit export -o FILE`` (CSV or XLSX, by the file's extension)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from microbag.audit import exporter, service
from microbag.audit.policies import field_changes
from microbag.audit.schemas import AuditFilters
from microbag.cli.common import console, database, fail

audit_app = typer.Typer(help="The audit log: who changed what and when.", no_args_is_help=True)

Entity = Annotated[
    str | None, typer.Option("--entity", help="e.g. price_list_item, company, stock_level")
]
EntityId = Annotated[str | None, typer.Option("--entity-id", help="The id or code, e.g. 12")]
Actor = Annotated[str | None, typer.Option("--actor", help="Part of the actor's e-mail or label")]
Company = Annotated[int | None, typer.Option("--company", help="Buyer company id")]
Action = Annotated[str | None, typer.Option("--action", help="e.g. created, updated")]
Since = Annotated[
    datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="From this UTC day")
]
Until = Annotated[
    datetime | None, typer.Option("--until", formats=["%Y-%m-%d"], help="To this UTC day")
]


def _filters(
    entity: str | None,
    entity_id: str | None,
    actor: str | None,
    company: int | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
) -> AuditFilters:
    try:
        return AuditFilters(
            entity=entity,
            entity_id=entity_id,
            actor=actor,
            company_id=company,
            action=action,
            since=_day(since),
            until=_day(until),
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'filters'}: {e['msg']}" for e in exc.errors()
        )
        fail(f"invalid filters: {problems}")


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@audit_app.command("list")
def list_entries(
    entity: Entity = None,
    entity_id: EntityId = None,
    actor: Actor = None,
    company: Company = None,
    action: Action = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """The newest entries matching the filters (all entities: the CLI is the operator)."""
    filters = _filters(entity, entity_id, actor, company, action, since, until)
    with database().session() as session:
        entries, total = service.list_entries(session, filters, limit=limit)
        if as_json:
            for entry in entries:
                typer.echo(json.dumps(service.entry_out(entry).model_dump(mode="json")))
            return
        table = Table(title=f"Audit log: {len(entries)} of {total} entries, newest first")
        for column in ("at (UTC)", "actor", "entity", "id", "action", "company", "changes"):
            table.add_column(column, overflow="fold")
        for entry in entries:
            changes = field_changes(entry.before or {}, entry.after or {})
            table.add_row(
                entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor_label,
                entry.entity,
                entry.entity_id,
                entry.action,
                str(entry.company_id or ""),
                "\n".join(f"{c.field}: {c.before} -> {c.after}" for c in changes),
            )
    console.print(table)


@audit_app.command("export")
def export(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The file to write (.csv or .xlsx)")
    ],
    entity: Entity = None,
    entity_id: EntityId = None,
    actor: Actor = None,
    company: Company = None,
    action: Action = None,
    since: Since = None,
    until: Until = None,
) -> None:
    """Write the matching entries, one row per changed field (CSV unless the file ends in
    .xlsx)."""
    filters = _filters(entity, entity_id, actor, company, action, since, until)
    fmt = "xlsx" if output.suffix.lower() == ".xlsx" else "csv"
    with database().session() as session:
        body, rows = exporter.export(session, filters, fmt)
    output.write_bytes(body)
    console.print(f"{rows} rows written to {output} ({fmt})")


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add this package's commands to ``microbag`` (and its imports to ``microbag import``)."""
    app.add_typer(audit_app, name="audit")
