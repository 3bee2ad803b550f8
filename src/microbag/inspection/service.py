"""Inspection use cases: sample a lot by ISO 2859-1, record the defects found, accept it
into stock or hold it in quarantine, and the staff's decisions on quarantined lots.
Functions take a Session and never commit (the entry point's unit of work does).

A lot's state only changes through ``purchasing.receiving.set_lot_status``, which adds
the units to stock on hand when (and only when) the lot becomes ``accepted``. So a
rejected lot, quarantined, returned or in rework, never reaches sellable stock; only an
accepting inspection or the decision ``accept_with_note`` puts it there.

Each defect class (critical, major, minor) has its own plan for the lot size and AQL,
and the plans may ask for different sample sizes: the inspector draws the largest
(``Inspection.sample_size``) and counts each class's defects in the first units of it
that the class's plan asks for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from microbag.config import get_settings
from microbag.errors import Conflict, DomainError, ErrorItem, NotFound
from microbag.inspection import policies
from microbag.inspection.models import (
    DEFECT_CLASSES,
    DEFECT_KINDS,
    Inspection,
    InspectionDefect,
)
from microbag.inspection.policies import NoPlanError, SamplingPlan
from microbag.purchasing.models import PurchaseOrder, Receipt, ReceiptLine
from microbag.purchasing.receiving import LotView, get_lot, set_lot_status
from microbag.timeutil import as_utc

MAX_NOTE_CHARS = 2000
MAX_DEFECT_NOTE_CHARS = 500
# What a decision does to a quarantined lot: (new lot state, note required).
DECISIONS: Mapping[str, tuple[str, bool]] = {
    "return_to_supplier": ("returned", False),
    "rework": ("rework", False),
    "accept_with_note": ("accepted", True),
}


# For the pages and the CLI, which do not import the models.
KINDS: tuple[str, ...] = DEFECT_KINDS
CLASSES: tuple[str, ...] = DEFECT_CLASSES


@dataclass(frozen=True)
class DefectInput:
    kind: str
    defect_class: str
    count: int
    note: str = ""


# ---- sampling plans ----------------------------------------------------------------------------


def default_aqls() -> dict[str, float]:
    s = get_settings()
    return {
        "critical": s.inspection_aql_critical,
        "major": s.inspection_aql_major,
        "minor": s.inspection_aql_minor,
    }


def aqls_with(overrides: Mapping[str, float | None] | None = None) -> dict[str, float]:
    """The settings' AQL per class, with a request's overrides (None: keep the setting)."""
    aqls = default_aqls()
    for name, value in (overrides or {}).items():
        if name not in DEFECT_CLASSES:
            raise DomainError(
                ErrorItem("unknown_defect_class", f"no defect class {name!r}", field=name)
            )
        if value is not None:
            aqls[name] = float(value)
    return aqls


def plans_for(
    lot_size: int, aqls: Mapping[str, float], level: str = "II"
) -> dict[str, SamplingPlan]:
    """One plan per class; every bad AQL or lot size is reported with its field."""
    errors: list[ErrorItem] = []
    plans: dict[str, SamplingPlan] = {}
    if isinstance(lot_size, bool) or not isinstance(lot_size, int) or lot_size < 1:
        raise DomainError(
            ErrorItem("invalid_lot_size", "the lot size must be at least 1 unit", field="lot_size")
        )
    if level not in policies.LEVELS:
        raise DomainError(
            ErrorItem(
                "invalid_level",
                f"inspection level must be one of {', '.join(policies.LEVELS)}",
                field="level",
            )
        )
    for name, aql in aqls.items():
        try:
            plans[name] = policies.sampling_plan(lot_size, aql, level)
        except NoPlanError as exc:
            code = "no_sampling_plan" if "out of the table" in str(exc) else "invalid_aql"
            errors.append(ErrorItem(code, f"{name}: {exc}", field=f"aql_{name}"))
    if errors:
        raise DomainError(errors)
    return plans


# ---- inspecting a lot --------------------------------------------------------------------------


def _defect_errors(
    defects: Sequence[DefectInput], plans: Mapping[str, SamplingPlan]
) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    seen: set[tuple[str, str]] = set()
    if len(defects) > len(DEFECT_KINDS) * len(DEFECT_CLASSES):
        return [
            ErrorItem("too_many_defects", "one line per kind and class at most", None, "defects")
        ]
    for n, d in enumerate(defects, start=1):
        field = f"defects[{n - 1}]"
        if d.kind not in DEFECT_KINDS:
            errors.append(
                ErrorItem(
                    "unknown_defect_kind",
                    f"defect {n}: kind {d.kind!r} is not one of {', '.join(DEFECT_KINDS)}",
                    n,
                    f"{field}.kind",
                )
            )
        if d.defect_class not in DEFECT_CLASSES:
            errors.append(
                ErrorItem(
                    "unknown_defect_class",
                    f"defect {n}: class {d.defect_class!r} is not one of "
                    f"{', '.join(DEFECT_CLASSES)}",
                    n,
                    f"{field}.defect_class",
                )
            )
        elif isinstance(d.count, bool) or not isinstance(d.count, int) or d.count < 1:
            errors.append(
                ErrorItem(
                    "invalid_count",
                    f"defect {n}: the count must be at least 1",
                    n,
                    f"{field}.count",
                )
            )
        elif d.defect_class in plans and d.count > plans[d.defect_class].sample_size:
            n_units = plans[d.defect_class].sample_size
            errors.append(
                ErrorItem(
                    "count_over_sample",
                    f"defect {n}: {d.count} units with {d.kind} defects, but the "
                    f"{d.defect_class} sample is {n_units} units",
                    n,
                    f"{field}.count",
                )
            )
        if len(d.note) > MAX_DEFECT_NOTE_CHARS:
            errors.append(
                ErrorItem(
                    "note_too_long",
                    f"defect {n}: notes are at most {MAX_DEFECT_NOTE_CHARS} characters",
                    n,
                    f"{field}.note",
                )
            )
        key = (d.kind, d.defect_class)
        if key in seen:
            errors.append(
                ErrorItem(
                    "duplicate_defect",
                    f"defect {n}: {d.kind} ({d.defect_class}) is given twice",
                    n,
                    f"{field}.kind",
                )
            )
        seen.add(key)
    return errors


def _lot_state_error(lot: LotView, wanted: str) -> Conflict:
    return Conflict("lot_state", f"lot {lot.id} is {lot.status.replace('_', ' ')}; {wanted}")


def inspect_lot(
    session: Session,
    lot_id: int,
    *,
    defects: Sequence[DefectInput],
    actor: str,
    note: str = "",
    aqls: Mapping[str, float | None] | None = None,
    level: str = "II",
) -> Inspection:
    """Inspect a lot waiting for inspection: plans for its size, the defects found, the
    result by ``policies.judge``; accept -> the lot is accepted (its units join stock),
    reject -> quarantined until staff decide. ``aqls`` overrides the settings per class."""
    lot = get_lot(session, lot_id, lock=True)
    if lot.status != "pending_inspection":
        raise _lot_state_error(lot, "only a lot waiting for inspection can be inspected")
    plans = plans_for(lot.quantity, aqls_with(aqls), level)
    errors = _defect_errors(defects, plans)
    if len(note) > MAX_NOTE_CHARS:
        errors.append(
            ErrorItem(
                "note_too_long", f"notes are at most {MAX_NOTE_CHARS} characters", None, "note"
            )
        )
    if errors:
        raise DomainError(errors)
    found = dict.fromkeys(plans, 0)
    for d in defects:
        found[d.defect_class] = found.get(d.defect_class, 0) + d.count
    result = policies.judge(plans, found)
    inspected = policies.units_to_inspect(plans)
    inspection = Inspection(
        receipt_line_id=lot.id,
        lot_size=lot.quantity,
        code_letter=policies.code_letter(lot.quantity, level),
        sample_size=inspected,
        plan={
            name: {
                "aql": p.aql,
                "code_letter": p.code_letter,
                "sample_size": p.sample_size,
                "accept": p.accept,
                "reject": p.reject,
                "found": found.get(name, 0),
            }
            for name, p in plans.items()
        },
        result=result,
        defect_rate=policies.defect_rate(found, inspected),
        note=note.strip(),
        inspector=actor,
        defects=[
            InspectionDefect(kind=d.kind, defect_class=d.defect_class, count=d.count, note=d.note)
            for d in defects
        ],
    )
    session.add(inspection)
    session.flush()
    set_lot_status(
        session,
        lot.id,
        status="accepted" if result == "accept" else "quarantined",
        decision=f"inspection_{result}",
        note=result_reason(plans, found),
        actor=actor,
    )
    return inspection


def result_reason(plans: Mapping[str, SamplingPlan], found: Mapping[str, int]) -> str:
    """Plain words: each class's count against its plan, failing classes first."""
    failing = policies.failing_classes(plans, found)
    parts = [
        f"{name} {found.get(name, 0)} of {p.sample_size} (Ac {p.accept}, Re {p.reject})"
        for name, p in sorted(plans.items(), key=lambda kv: kv[0] not in failing)
    ]
    verdict = f"rejected on {', '.join(failing)}" if failing else "accepted"
    return f"Inspection {verdict}: " + "; ".join(parts)


# ---- decisions on quarantined lots -------------------------------------------------------------


def decide(session: Session, lot_id: int, *, decision: str, note: str, actor: str) -> LotView:
    """A quarantined lot: return it to the supplier, send it to rework, or accept it with
    a note (its units then join stock). Anything else is a 409 lot_state."""
    if decision not in DECISIONS:
        raise DomainError(
            ErrorItem(
                "unknown_decision",
                f"decision must be one of {', '.join(DECISIONS)}",
                field="decision",
            )
        )
    status, needs_note = DECISIONS[decision]
    note = note.strip()
    if needs_note and not note:
        raise DomainError(
            ErrorItem(
                "note_required", "say why the lot is accepted despite the inspection", field="note"
            )
        )
    if len(note) > MAX_NOTE_CHARS:
        raise DomainError(
            ErrorItem(
                "note_too_long", f"notes are at most {MAX_NOTE_CHARS} characters", field="note"
            )
        )
    lot = get_lot(session, lot_id, lock=True)
    if lot.status != "quarantined":
        raise _lot_state_error(lot, "only a quarantined lot waits for a decision")
    return set_lot_status(session, lot.id, status=status, decision=decision, note=note, actor=actor)


def rework_done(session: Session, lot_id: int, *, actor: str, note: str = "") -> LotView:
    """A lot back from rework waits for inspection again."""
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise DomainError(
            ErrorItem(
                "note_too_long", f"notes are at most {MAX_NOTE_CHARS} characters", field="note"
            )
        )
    lot = get_lot(session, lot_id, lock=True)
    if lot.status != "rework":
        raise _lot_state_error(lot, "only a lot in rework can come back from it")
    return set_lot_status(
        session,
        lot.id,
        status="pending_inspection",
        decision="rework_done",
        note=note or "back from rework: to be inspected again",
        actor=actor,
    )


# ---- reading -----------------------------------------------------------------------------------


def get_inspection(session: Session, inspection_id: int) -> Inspection:
    inspection = session.scalars(
        select(Inspection)
        .where(Inspection.id == inspection_id)
        .options(selectinload(Inspection.defects))
    ).first()
    if inspection is None:
        raise NotFound("inspection", "unknown_inspection")
    return inspection


def inspections_for_lot(session: Session, lot_id: int) -> list[Inspection]:
    """A lot's inspections, oldest first (NotFound for an unknown lot)."""
    get_lot(session, lot_id)
    return list(
        session.scalars(
            select(Inspection)
            .where(Inspection.receipt_line_id == lot_id)
            .options(selectinload(Inspection.defects))
            .order_by(Inspection.inspected_at, Inspection.id)
        )
    )


@dataclass(frozen=True)
class SupplierInspection:
    inspection_id: int
    lot_id: int
    po_id: int
    po_number: str
    sku_id: int
    lot_size: int
    sample_size: int
    result: str
    defect_rate: float
    inspected_at: datetime


def inspections_for_supplier(
    session: Session, supplier_id: int, *, limit: int = 200
) -> list[SupplierInspection]:
    """A supplier's inspections, newest first."""
    rows = session.execute(
        select(
            Inspection.id,
            ReceiptLine.id,
            PurchaseOrder.id,
            PurchaseOrder.number,
            ReceiptLine.sku_id,
            Inspection.lot_size,
            Inspection.sample_size,
            Inspection.result,
            Inspection.defect_rate,
            Inspection.inspected_at,
        )
        .join(ReceiptLine, ReceiptLine.id == Inspection.receipt_line_id)
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .join(PurchaseOrder, PurchaseOrder.id == Receipt.po_id)
        .where(PurchaseOrder.supplier_id == supplier_id)
        .order_by(Inspection.inspected_at.desc(), Inspection.id.desc())
        .limit(limit)
    )
    return [
        SupplierInspection(
            inspection_id=r[0],
            lot_id=r[1],
            po_id=r[2],
            po_number=r[3],
            sku_id=r[4],
            lot_size=r[5],
            sample_size=r[6],
            result=r[7],
            defect_rate=r[8],
            inspected_at=as_utc(r[9]),
        )
        for r in rows
    ]
