"""``microbag orders ...``: shipments and the queue of lines waiting for stock from the
command line (shipments, ship, deliver-shipment, waiting, prioritize, fill-waiting). The
CLI acts as an admin named "cli" (recorded as such in the order's events and the audit
log)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from microbag.accounts.principal import Principal
from microbag.cli.common import console, database, fail
from microbag.errors import DomainError
from microbag.orders import backorders, shipments
from microbag.orders import service as orders_service
from microbag.orders.schemas import MAX_QUANTITY
from microbag.orders.shipment_schemas import ShipmentOut, shipment_out, waiting_line_out

CLI = Principal(user_id=0, email="cli", role="admin", company_id=None)
orders_app = typer.Typer(
    no_args_is_help=True, help="Orders: shipments and lines waiting for stock."
)

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]
OrderId = Annotated[int, typer.Argument(help="The order's id", min=1)]


def _print_shipment(out: ShipmentOut) -> None:
    carrier = out.carrier_name or "tracking"
    what = ", ".join(
        f"line {ln.line} {ln.quantity} × {ln.sku} ({ln.warehouse})" for ln in out.lines
    )
    console.print(f"shipment {out.number} ({out.status}): {carrier} {out.tracking_number}: {what}")
    if out.tracking_url:
        console.print(f"  track: {out.tracking_url}", soft_wrap=True)


@orders_app.command("shipments")
def list_shipments(order_id: OrderId, as_json: Json = False) -> None:
    """An order's shipments in order: carrier, tracking, lines, delivered or not."""
    try:
        with database().session() as s:
            items = shipments.list_shipments(s, CLI, order_id)
            lines = shipments.shipped_lines(s, items)
            out = [shipment_out(x, lines[x.id], shipments.tracking_link(x)) for x in items]
    except DomainError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps([o.model_dump(mode="json") for o in out], indent=2))
        return
    if not out:
        console.print(f"order {order_id} has no shipments yet")
        return
    table = Table(title=f"Order {order_id}: shipments")
    for column in ("#", "status", "carrier", "tracking", "shipped (UTC)", "delivered", "lines"):
        table.add_column(column)
    for o in out:
        table.add_row(
            str(o.number),
            o.status,
            o.carrier_name or "-",
            o.tracking_number,
            o.shipped_at.isoformat()[:16],
            o.delivered_at.isoformat()[:16] if o.delivered_at else "",
            "\n".join(f"{ln.line}: {ln.quantity} × {ln.sku} ({ln.warehouse})" for ln in o.lines),
        )
    console.print(table)


def _line(spec: str) -> shipments.ShipmentLineIn:
    """LINE:QUANTITY, e.g. 1:6"""
    parts = spec.split(":")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        fail(f"--line {spec!r}: write LINE:QUANTITY, e.g. 1:6")
    line_no, quantity = (int(p) for p in parts)
    if line_no < 1 or not 1 <= quantity <= MAX_QUANTITY:
        fail(f"--line {spec!r}: the line number and the quantity must be 1 or more")
    return shipments.ShipmentLineIn(line_no, quantity)


@orders_app.command("ship")
def ship(
    order_id: OrderId,
    carrier: Annotated[
        str,
        typer.Option(help="Carrier code (e.g. dhl_express, ups) or other; see the API's /carriers"),
    ],
    tracking: Annotated[str, typer.Option(help="The tracking number")],
    line: Annotated[
        list[str] | None,
        typer.Option(help="LINE:QUANTITY to ship (repeat); default: every reserved unit"),
    ] = None,
    warehouse: Annotated[
        str | None, typer.Option(help="Ship from this warehouse only (its code)")
    ] = None,
    as_json: Json = False,
) -> None:
    """Ship some or all reserved units of a confirmed order (one shipment)."""
    wanted = [_line(spec) for spec in line] if line else None
    try:
        with database().session(write=True) as s:
            shipment = shipments.create_shipment(
                s,
                CLI,
                order_id,
                carrier=carrier,
                tracking_number=tracking,
                lines=wanted,
                warehouse_code=warehouse,
            )
            lines = shipments.shipped_lines(s, [shipment])[shipment.id]
            out = shipment_out(shipment, lines, shipments.tracking_link(shipment))
    except DomainError as exc:
        fail(exc)
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    _print_shipment(out)


@orders_app.command("deliver-shipment")
def deliver_shipment(
    order_id: OrderId,
    number: Annotated[int, typer.Argument(help="The shipment's number in the order", min=1)],
) -> None:
    """Record that a shipment arrived (the order is delivered once every unit has)."""
    try:
        with database().session(write=True) as s:
            shipment = shipments.deliver_shipment(s, CLI, order_id, number)
            lines = shipments.shipped_lines(s, [shipment])[shipment.id]
            out = shipment_out(shipment, lines, shipments.tracking_link(shipment))
            status = orders_service.get_order(s, CLI, order_id).status
    except DomainError as exc:
        fail(exc)
    _print_shipment(out)
    console.print(f"order {order_id} is {status}")


@orders_app.command("waiting")
def waiting(
    sku: Annotated[str | None, typer.Option(help="Only this SKU's waiting lines")] = None,
    as_json: Json = False,
) -> None:
    """Lines waiting for stock (preorders, backorders), per SKU in serving order."""
    with database().session() as s:
        rows = [waiting_line_out(w) for w in backorders.waiting_queue(s, sku_code=sku)]
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    if not rows:
        console.print("no line waits for stock")
        return
    table = Table(title="Waiting for stock (served top to bottom per SKU)")
    for column in (
        "SKU", "order", "line", "company", "kind", "waiting", "of", "priority", "placed (UTC)",
        "promised",
    ):  # fmt: skip
        table.add_column(column)
    for r in rows:
        promised = (
            f"{r.promised_from.isoformat()} to {r.promised_until.isoformat()}"
            if r.promised_from and r.promised_until
            else ""
        )
        table.add_row(
            r.sku,
            str(r.order_id),
            str(r.line),
            str(r.company_id),
            r.fulfilment,
            str(r.waiting_quantity),
            str(r.quantity),
            str(r.queue_priority),
            r.placed_at.isoformat()[:16] if r.placed_at else "",
            promised,
        )
    console.print(table)


@orders_app.command("prioritize")
def prioritize(
    order_id: OrderId,
    line_no: Annotated[int, typer.Argument(help="The order's line number", min=1)],
    priority: Annotated[
        int, typer.Argument(help="Higher is served first; 0 is first come, first served")
    ],
) -> None:
    """Move a waiting line up (or back down) the queue (audited)."""
    try:
        with database().session(write=True) as s:
            line = backorders.set_queue_priority(s, CLI, order_id, line_no, priority)
    except DomainError as exc:
        fail(exc)
    console.print(
        f"order {order_id} line {line_no} ({line.sku_code}, {line.waiting_quantity} waiting): "
        f"queue priority {line.queue_priority}"
    )


@orders_app.command("fill-waiting")
def fill_waiting(as_json: Json = False) -> None:
    """Give available stock to the waiting lines now, first come, first served."""
    try:
        with database().session(write=True) as s:
            filled = backorders.fill_waiting(s)
    except DomainError as exc:
        fail(exc)
    rows = [
        {
            "order_id": f.order_id,
            "line": f.line_no,
            "sku": f.sku_code,
            "units": f.units,
            "still_waiting": f.still_waiting,
        }
        for f in filled
    ]
    if as_json:
        typer.echo(json.dumps({"filled": rows, "units": sum(f.units for f in filled)}, indent=2))
        return
    for f in filled:
        rest = f", {f.still_waiting} still waiting" if f.still_waiting else ""
        console.print(
            f"order {f.order_id} line {f.line_no}: {f.units} × {f.sku_code} reserved{rest}"
        )
    console.print(f"{sum(f.units for f in filled)} units reserved for {len(filled)} waiting lines")


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add this package's commands to ``microbag``."""
    app.add_typer(orders_app, name="orders", help="Orders: shipments and lines waiting for stock.")
