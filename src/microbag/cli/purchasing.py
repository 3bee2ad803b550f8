"""``microbag po ...``: purchase orders from the command line (list, show, create, send,
confirm, receive, cancel, close, pdf). Lines are SKU:QTY; a PO is named by its number."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from microbag.cli.common import console, database, fail
from microbag.errors import DomainError, ErrorItem
from microbag.money import format_money
from microbag.purchasing import pdf, policies, receiving, service

ACTOR = "cli"
po_app = typer.Typer(no_args_is_help=True, help="Purchase orders to suppliers.")


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``microbag po ...`` (purchasing has no import command)."""
    app.add_typer(po_app, name="po", help="Purchase orders: create, send, confirm, receive.")


def _parse_lines(raw: list[str]) -> list[tuple[str, int]]:
    """SKU:QTY pairs; every bad one named."""
    out: list[tuple[str, int]] = []
    errors: list[ErrorItem] = []
    for n, item in enumerate(raw, start=1):
        sku, sep, qty = item.rpartition(":")
        if not sep or not sku or not qty.isdigit() or int(qty) < 1:
            errors.append(ErrorItem("invalid_line", f"--line {item!r} is not SKU:QTY", n))
        else:
            out.append((sku, int(qty)))
    if not out and not errors:
        errors.append(ErrorItem("no_lines", "give at least one --line SKU:QTY"))
    if errors:
        raise DomainError(errors)
    return out


def _as_dict(session: Session, po: Any) -> dict[str, Any]:
    """``po``: a PurchaseOrder from purchasing.service (its tables are its own)."""
    code, name = service.supplier_names(session, [po.supplier_id]).get(po.supplier_id, ("", ""))
    warehouses = service.warehouse_codes(
        session, [po.warehouse_id, *(ln.warehouse_id for ln in po.lines)]
    )
    return {
        "number": po.number,
        "supplier": code,
        "supplier_name": name,
        "status": po.status,
        "currency": po.currency,
        "warehouse": warehouses[po.warehouse_id],
        "total_minor": service.total_minor(po),
        "created_at": po.created_at.isoformat(),
        "lines": [
            {
                "line": ln.line_no,
                "sku": ln.sku_code,
                "quantity": ln.quantity,
                "unit_cost_minor": ln.unit_cost_minor,
                "warehouse": warehouses[ln.warehouse_id],
                "promised_date": ln.promised_date.isoformat() if ln.promised_date else None,
                "received": ln.received_quantity,
                "delivery": policies.classify_delivery(ln.quantity, ln.received_quantity),
            }
            for ln in po.lines
        ],
        "events": [
            {"kind": e.kind, "actor": e.actor, "at": e.created_at.isoformat(), "detail": e.detail}
            for e in po.events
        ],
    }


def _print_po(data: dict[str, Any]) -> None:
    console.print(
        f"{data['number']} {data['status']} · {data['supplier']} {data['supplier_name']} · "
        f"to {data['warehouse']} · total {format_money(data['total_minor'], data['currency'])}"
    )
    for ln in data["lines"]:
        promised = f" promised {ln['promised_date']}" if ln["promised_date"] else ""
        console.print(
            f"  {ln['line']:>3} {ln['sku']:<16} {ln['quantity']:>7} x "
            f"{format_money(ln['unit_cost_minor'], data['currency'])}"
            f" at {ln['warehouse']}{promised}, received {ln['received']} ({ln['delivery']})"
        )


@po_app.command("list")
def list_pos(
    status: str | None = typer.Option(None, "--status", help="draft, sent, confirmed, ..."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_json: bool = typer.Option(False, "--json", help="A JSON list"),
) -> None:
    """Purchase orders, newest first."""
    if status is not None and status not in policies.PO_STATUSES:
        fail(f"--status must be one of {', '.join(policies.PO_STATUSES)}")
    with database().session() as s:
        pos, _total = service.list_pos(s, status=status, limit=limit)
        names = service.supplier_names(s, (p.supplier_id for p in pos))
        rows = [
            {
                "number": p.number,
                "supplier": names.get(p.supplier_id, ("", ""))[0],
                "status": p.status,
                "lines": len(p.lines),
                "total_minor": service.total_minor(p),
                "currency": p.currency,
                "created_at": p.created_at.isoformat(),
            }
            for p in pos
        ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for r in rows:
        console.print(
            f"{r['number']} {r['status']:<16} {r['supplier']:<12} {r['lines']:>3} lines "
            f"{format_money(int(str(r['total_minor'])), str(r['currency'])):>16}"
        )


@po_app.command("show")
def show(
    number: str = typer.Argument(..., help="PO-<year>-<5 digits>"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """One purchase order with its lines and events."""
    try:
        with database().session() as s:
            data = _as_dict(s, service.po_by_number(s, number))
    except DomainError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(data))
    else:
        _print_po(data)


@po_app.command("create")
def create(
    supplier: str = typer.Option(..., "--supplier", help="Supplier code"),
    line: list[str] = typer.Option(..., "--line", help="SKU:QTY (repeat for more lines)"),
    warehouse: str | None = typer.Option(None, "--warehouse", help="Default: the first one"),
    notes: str = typer.Option("", "--notes"),
) -> None:
    """A draft at the supplier's current prices (MOQ and case pack checked per line)."""
    try:
        lines = _parse_lines(line)
        with database().session(write=True) as s:
            po = service.create_draft(
                s,
                supplier_id=service.supplier_id_for_code(s, supplier),
                lines=service.lines_from_codes(s, [service.CodedLine(c, q) for c, q in lines]),
                actor=ACTOR,
                warehouse_id=service.warehouse_id_for_code(s, warehouse),
                notes=notes,
            )
            data = _as_dict(s, po)
    except DomainError as exc:
        fail(exc)
    _print_po(data)


def _transition(number: str, action: str, **kwargs: Any) -> None:
    try:
        with database().session(write=True) as s:
            po_id = service.po_by_number(s, number).id
            if action == "send":
                po = service.send(s, po_id, actor=ACTOR)
            elif action == "confirm":
                po = service.confirm(s, po_id, promised=kwargs["promised"], actor=ACTOR)
            elif action == "cancel":
                po = service.cancel(s, po_id, actor=ACTOR, reason=kwargs["reason"])
            else:
                po = service.close(s, po_id, actor=ACTOR, note=kwargs["note"])
            data = _as_dict(s, po)
    except DomainError as exc:
        fail(exc)
    _print_po(data)


@po_app.command("send")
def send(number: str = typer.Argument(...)) -> None:
    """The draft goes to the supplier."""
    _transition(number, "send")


@po_app.command("confirm")
def confirm(
    number: str = typer.Argument(...),
    promised: str = typer.Option(..., "--promised", help="The promised date, YYYY-MM-DD"),
) -> None:
    """The supplier confirmed: every line promised for that date becomes incoming stock."""
    try:
        day = date.fromisoformat(promised)
    except ValueError:
        fail(f"--promised {promised!r} is not a date (YYYY-MM-DD)")
    _transition(number, "confirm", promised=day)


@po_app.command("cancel")
def cancel(number: str = typer.Argument(...), reason: str = typer.Option("", "--reason")) -> None:
    """Cancel while nothing has arrived (its incoming stock goes)."""
    _transition(number, "cancel", reason=reason)


@po_app.command("close")
def close(number: str = typer.Argument(...), note: str = typer.Option("", "--note")) -> None:
    """Close a (partly) received order; short lines are recorded as under-deliveries."""
    _transition(number, "close", note=note)


@po_app.command("receive")
def receive(
    number: str = typer.Argument(...),
    line: list[str] = typer.Option(..., "--line", help="SKU:QTY delivered (repeat)"),
    reference: str | None = typer.Option(None, "--reference", help="Delivery note number"),
    no_inspect: bool = typer.Option(
        False, "--no-inspect", help="Stock at once (default: lots wait for inspection)"
    ),
    note: str = typer.Option("", "--note"),
) -> None:
    """Record a delivery; a repeated --reference is received once."""
    try:
        wanted = _parse_lines(line)
        with database().session(write=True) as s:
            po = service.po_by_number(s, number)
            by_sku: dict[str, list[int]] = {}
            for ln in po.lines:
                by_sku.setdefault(ln.sku_code, []).append(ln.id)
            errors = [
                ErrorItem(
                    "unknown_line" if sku not in by_sku else "ambiguous_line",
                    f"{sku} is not on {number}"
                    if sku not in by_sku
                    else f"{sku} is on {number} more than once",
                    n,
                )
                for n, (sku, _qty) in enumerate(wanted, start=1)
                if len(by_sku.get(sku, [])) != 1
            ]
            if errors:
                raise DomainError(errors)
            receipt = receiving.receive(
                s,
                po.id,
                lines=[(by_sku[sku][0], qty) for sku, qty in wanted],
                actor=ACTOR,
                reference=reference,
                inspect=not no_inspect,
                note=note,
            )
            lots = [receiving.get_lot(s, lot.id) for lot in receipt.lines]
            status = service.get_po(s, po.id).status
    except DomainError as exc:
        fail(exc)
    console.print(f"{number}: receipt {receipt.id}, order now {status}")
    for lot in lots:
        console.print(
            f"  lot {lot.id} {lot.sku_code} x {lot.quantity} at {lot.warehouse_code}: {lot.status}"
        )


@po_app.command("pdf")
def po_pdf(
    number: str = typer.Argument(...),
    output: Path = typer.Option(..., "-o", "--output", help="The PDF file to write"),
) -> None:
    """Write the purchase order PDF."""
    try:
        with database().session() as s:
            data = pdf.render_pdf(s, service.po_by_number(s, number).id)
    except DomainError as exc:
        fail(exc)
    output.write_bytes(data)
    console.print(f"{number}: {len(data):,} bytes written to {output}")
