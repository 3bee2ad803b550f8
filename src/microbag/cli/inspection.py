"""``microbag inspect ...`` (ISO 2859-1 plans, inspecting a lot, deciding on a quarantined
lot, rework done) and ``microbag lots list``. Defects are KIND:CLASS:COUNT."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from microbag.cli.common import console, database, fail
from microbag.errors import DomainError, ErrorItem
from microbag.inspection import policies, service
from microbag.purchasing import receiving
from microbag.purchasing.policies import LOT_STATUSES
from microbag.purchasing.receiving import LotView

ACTOR = "cli"
inspect_app = typer.Typer(no_args_is_help=True, help="Quality inspection of received lots.")
lots_app = typer.Typer(no_args_is_help=True, help="Lots (receipt lines) and their states.")

AqlOption = Annotated[float | None, typer.Option(min=0, max=1000, help="Overrides the setting")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON")]


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``microbag inspect ...`` and ``microbag lots ...`` (no import command)."""
    app.add_typer(inspect_app, name="inspect", help="Inspect lots by ISO 2859-1 sampling.")
    app.add_typer(lots_app, name="lots", help="Received lots: waiting, accepted, quarantined.")


def parse_defects(raw: list[str]) -> list[service.DefectInput]:
    """KIND:CLASS:COUNT items (e.g. stitching:major:2); every bad one named."""
    out: list[service.DefectInput] = []
    errors: list[ErrorItem] = []
    for n, item in enumerate(raw, start=1):
        parts = item.split(":")
        if len(parts) != 3 or not parts[2].isdigit():
            errors.append(
                ErrorItem("invalid_defect", f"--defect {item!r} is not KIND:CLASS:COUNT", n)
            )
            continue
        out.append(service.DefectInput(parts[0].strip(), parts[1].strip(), int(parts[2])))
    if errors:
        raise DomainError(errors)
    return out


def _plans_dict(
    lot_size: int, level: str, plans: dict[str, policies.SamplingPlan]
) -> dict[str, Any]:
    return {
        "lot_size": lot_size,
        "level": level,
        "code_letter": policies.code_letter(lot_size, level),
        "units_to_inspect": policies.units_to_inspect(plans),
        "plans": {
            name: {
                "aql": p.aql,
                "code_letter": p.code_letter,
                "sample_size": p.sample_size,
                "accept": p.accept,
                "reject": p.reject,
                "full_inspection": p.is_full_inspection(lot_size),
            }
            for name, p in plans.items()
        },
    }


@inspect_app.command("plan")
def plan(
    lot_size: Annotated[int, typer.Option("--lot-size", min=1, help="Units in the lot")],
    aql_critical: AqlOption = None,
    aql_major: AqlOption = None,
    aql_minor: AqlOption = None,
    level: Annotated[str, typer.Option(help="General inspection level: I, II or III")] = "II",
    as_json: JsonOption = False,
) -> None:
    """The sampling plan per defect class for a lot size (single sampling, normal)."""
    try:
        aqls = service.aqls_with({"critical": aql_critical, "major": aql_major, "minor": aql_minor})
        plans = service.plans_for(lot_size, aqls, level)
    except DomainError as exc:
        fail(exc)
    data = _plans_dict(lot_size, level, plans)
    if as_json:
        print(json.dumps(data))
        return
    console.print(
        f"Lot of {lot_size:,} units, level {level}: code letter {data['code_letter']}, "
        f"draw {data['units_to_inspect']:,} units"
    )
    for name, p in data["plans"].items():
        whole = " (every unit)" if p["full_inspection"] else ""
        console.print(
            f"  {name:<8} AQL {p['aql']:g}: n={p['sample_size']}{whole} (letter "
            f"{p['code_letter']}), accept {p['accept']}, reject {p['reject']}"
        )


def _inspection_dict(inspection: Any, lot: LotView) -> dict[str, Any]:
    """``inspection``: an Inspection from inspection.service (its tables are its own)."""
    return {
        "id": inspection.id,
        "lot": lot.id,
        "lot_status": lot.status,
        "result": inspection.result,
        "lot_size": inspection.lot_size,
        "code_letter": inspection.code_letter,
        "sample_size": inspection.sample_size,
        "defect_rate": inspection.defect_rate,
        "plans": inspection.plan,
        "defects": [
            {"kind": d.kind, "class": d.defect_class, "count": d.count} for d in inspection.defects
        ],
    }


@inspect_app.command("lot")
def inspect_lot(
    lot_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="The lot's id")],
    defect: Annotated[
        list[str] | None, typer.Option("--defect", help="KIND:CLASS:COUNT, e.g. zips:major:2")
    ] = None,
    note: Annotated[str, typer.Option(help="A note on the inspection")] = "",
    aql_critical: AqlOption = None,
    aql_major: AqlOption = None,
    aql_minor: AqlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Inspect a lot waiting for inspection: accepted lots join stock, rejected ones are
    quarantined."""
    try:
        defects = parse_defects(defect or [])
        with database().session(write=True) as s:
            inspection = service.inspect_lot(
                s,
                lot_id,
                defects=defects,
                actor=ACTOR,
                note=note,
                aqls={"critical": aql_critical, "major": aql_major, "minor": aql_minor},
            )
            data = _inspection_dict(inspection, receiving.get_lot(s, lot_id))
    except DomainError as exc:
        fail(exc)
    if as_json:
        print(json.dumps(data))
        return
    verdict = "accepted" if data["result"] == "accept" else "rejected"
    console.print(
        f"Lot {lot_id} {verdict} (inspection {data['id']}): lot is now "
        f"{data['lot_status'].replace('_', ' ')}"
    )
    for name, p in data["plans"].items():
        console.print(
            f"  {name:<8} found {p['found']} in {p['sample_size']}"
            f" (Ac {p['accept']}, Re {p['reject']})"
        )


@inspect_app.command("decide")
def decide(
    lot_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="The lot's id")],
    decision: Annotated[str, typer.Option(help="return_to_supplier, rework or accept_with_note")],
    note: Annotated[str, typer.Option(help="Why (required to accept)")] = "",
) -> None:
    """Decide on a quarantined lot."""
    try:
        with database().session(write=True) as s:
            lot = service.decide(s, lot_id, decision=decision, note=note, actor=ACTOR)
    except DomainError as exc:
        fail(exc)
    console.print(f"Lot {lot.id} is now {lot.status.replace('_', ' ')}")


@inspect_app.command("rework-done")
def rework_done(
    lot_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="The lot's id")],
    note: Annotated[str, typer.Option(help="A note")] = "",
) -> None:
    """A lot is back from rework: it waits for inspection again."""
    try:
        with database().session(write=True) as s:
            lot = service.rework_done(s, lot_id, actor=ACTOR, note=note)
    except DomainError as exc:
        fail(exc)
    console.print(f"Lot {lot.id} is now {lot.status.replace('_', ' ')}")


@lots_app.command("list")
def list_lots(
    status: Annotated[str | None, typer.Option(help=f"One of: {', '.join(LOT_STATUSES)}")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many")] = 100,
    as_json: JsonOption = False,
) -> None:
    """Lots, newest first."""
    if status is not None and status not in LOT_STATUSES:
        fail(f"unknown status {status!r}: use one of {', '.join(LOT_STATUSES)}")
    with database().session() as s:
        lots, total = receiving.list_lots(s, status=status, limit=limit)
    rows: list[dict[str, Any]] = [
        {
            "id": lot.id,
            "po": lot.po_number,
            "sku": lot.sku_code,
            "warehouse": lot.warehouse_code,
            "quantity": lot.quantity,
            "status": lot.status,
            "decision": lot.decision,
            "received_at": lot.received_at.isoformat(),
        }
        for lot in lots
    ]
    if as_json:
        print(json.dumps(rows))
        return
    if not rows:
        console.print("No lots.")
        return
    for r in rows:
        console.print(
            f"{r['id']:>6}  {r['po']:<18} {r['sku']:<16} {r['quantity']:>7,} {r['warehouse']:<8}"
            f" {r['status']}{(' (' + r['decision'] + ')') if r['decision'] else ''}"
        )
    if total > len(rows):
        console.print(f"... {total - len(rows)} more (use --limit)")
