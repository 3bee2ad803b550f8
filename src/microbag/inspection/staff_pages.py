"""Staff pages of inspection: a lot (/staff/lots/{lot_id}) with the sampling plan per
defect class for its size shown before inspecting, the inspection form (a count per
defect kind and class, a note, a photo), the decision form for a quarantined lot, the
rework return, and the lot's inspections with their photos. Reads: all staff; the forms
need admin or merchandiser."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from microbag.errors import DomainError
from microbag.inspection import photos as inspection_photos
from microbag.inspection import policies, service
from microbag.inspection.api import photo_response
from microbag.inspection.policies import SamplingPlan
from microbag.purchasing.receiving import get_lot
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, StockStaff, body_limited_route, staff_page, text

# The multipart envelope and the form's fields around the photo.
FORM_OVERHEAD = 64 * 1024
MAX_ID = 2**31 - 1
LotId = Annotated[int, Path(ge=1, le=MAX_ID)]
InspectionId = Annotated[int, Path(ge=1, le=MAX_ID)]
PhotoId = Annotated[int, Path(ge=1, le=MAX_ID)]
DECISION_LABELS = (
    ("return_to_supplier", "Return to the supplier"),
    ("rework", "Send to rework (inspected again when it comes back)"),
    ("accept_with_note", "Accept with a note (the units join stock)"),
)
DONE_MESSAGES = {
    "inspected": "Inspection recorded.",
    "decided": "Decision recorded.",
    "rework_done": "The lot is back from rework and waits for inspection.",
    "photo": "Photo added.",
}


def _limit() -> int:
    return inspection_photos.photo_max_bytes() + FORM_OVERHEAD


def _too_large() -> str:
    return f"photos may be at most {inspection_photos.photo_max_bytes() / (1024 * 1024):.1f} MB"


router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(verify_csrf)],
    route_class=body_limited_route(_limit, _too_large),
)


def count_field(kind: str, defect_class: str) -> str:
    return f"count_{kind}_{defect_class}"


def lot_page_view(
    request: Request,
    user: PortalUser,
    db: Any,
    lot_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    decision_values: dict[str, str] | None = None,
    decision_errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        lot = get_lot(session, lot_id)
        inspections = service.inspections_for_lot(session, lot_id)
        photos = inspection_photos.photos_for(session, [i.id for i in inspections])
        history = [
            {"inspection": i, "defects": list(i.defects), "photos": photos[i.id]}
            for i in reversed(inspections)
        ]
    aqls = service.default_aqls()
    plans: dict[str, SamplingPlan] = {}
    plan_problem = ""
    try:
        plans = service.plans_for(lot.quantity, aqls)
    except DomainError as exc:
        plan_problem = "; ".join(i.message for i in exc.items)
    done = request.query_params.get("done", "")
    return staff_page(
        request,
        user,
        "staff/lot.html",
        {
            "title": f"Lot {lot.id}",
            "lot": lot,
            "plans": plans,
            "plan_problem": plan_problem,
            "code_letter": policies.code_letter(lot.quantity),
            "units_to_inspect": policies.units_to_inspect(plans) if plans else 0,
            "kinds": service.KINDS,
            "classes": service.CLASSES,
            "count_field": count_field,
            "values": values or {},
            "errors": errors,
            "decision_values": decision_values or {},
            "decision_errors": decision_errors,
            "decisions": DECISION_LABELS,
            "history": history,
            "done": DONE_MESSAGES.get(done, ""),
            "photo_max_mb": f"{inspection_photos.photo_max_bytes() / (1024 * 1024):.1f}",
        },
        section="receipts",
        status_code=status_code,
    )


@router.get("/staff/lots/{lot_id}")
def lot_page(request: Request, lot_id: LotId, user: StaffUser, db: PortalDb) -> Response:
    return lot_page_view(request, user, db, lot_id)


def _photo(form: FormData) -> UploadFile | None:
    upload = form.get("photo")
    return upload if isinstance(upload, UploadFile) and upload.filename else None


def _defects(form: FormData, errors: FormErrors) -> list[service.DefectInput]:
    defects = []
    for kind in service.KINDS:
        for defect_class in service.CLASSES:
            name = count_field(kind, defect_class)
            raw = text(form, name, 12)
            if not raw or raw == "0":
                continue
            if not raw.isdigit():
                errors.add(name, "Enter a whole number of units.")
                continue
            defects.append(service.DefectInput(kind, defect_class, int(raw)))
    return defects


@router.post("/staff/lots/{lot_id}/inspect")
def inspect(
    request: Request, lot_id: LotId, user: StockStaff, db: PortalDb, form: Form
) -> Response:
    values = {
        count_field(k, c): text(form, count_field(k, c), 12)
        for k in service.KINDS
        for c in service.CLASSES
    }
    values["note"] = text(form, "note", service.MAX_NOTE_CHARS)
    errors = FormErrors()
    defects = _defects(form, errors)
    upload = _photo(form)
    if not errors:
        try:
            with db.session(write=True) as session:
                inspection = service.inspect_lot(
                    session,
                    lot_id,
                    defects=defects,
                    actor=user.principal.email,
                    note=values["note"],
                )
                if upload is not None:
                    # One unit of work: a bad photo leaves the lot uninspected.
                    inspection_photos.add_photo(
                        session,
                        inspection.id,
                        filename=upload.filename,
                        content_type=upload.content_type,
                        data=upload.file.read(inspection_photos.photo_max_bytes() + 1),
                    )
        except DomainError as exc:
            if exc.status == 404:
                raise
            errors = _field_errors(exc, defects)
            if upload is not None:
                errors.add("photo", "Choose the photo again (nothing was saved).")
    if errors:
        return lot_page_view(
            request, user, db, lot_id, values=values, errors=errors, status_code=422
        )
    return RedirectResponse(f"/staff/lots/{lot_id}?done=inspected#history", status_code=303)


def _field_errors(exc: DomainError, defects: list[service.DefectInput]) -> FormErrors:
    """The service names defect lines (defects[i].count); the form names count fields."""
    errors = FormErrors()
    for item in exc.items:
        name: str | None = None
        if item.field and item.field.startswith("defects[") and item.line:
            d = defects[item.line - 1]
            name = count_field(d.kind, d.defect_class)
        elif item.field in ("note", "file"):
            name = "photo" if item.field == "file" else "note"
        errors.add(name, item.message)
    return errors


@router.post("/staff/lots/{lot_id}/decision")
def decide(request: Request, lot_id: LotId, user: StockStaff, db: PortalDb, form: Form) -> Response:
    values = {
        "decision": text(form, "decision", 40),
        "note": text(form, "note", service.MAX_NOTE_CHARS),
    }
    try:
        with db.session(write=True) as session:
            service.decide(
                session,
                lot_id,
                decision=values["decision"],
                note=values["note"],
                actor=user.principal.email,
            )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return lot_page_view(
            request,
            user,
            db,
            lot_id,
            decision_values=values,
            decision_errors=FormErrors.of(exc.items, ("decision", "note")),
            status_code=exc.status,
        )
    return RedirectResponse(f"/staff/lots/{lot_id}?done=decided", status_code=303)


@router.post("/staff/lots/{lot_id}/rework-done")
def rework_done(lot_id: LotId, user: StockStaff, db: PortalDb, form: Form) -> Response:
    with db.session(write=True) as session:
        service.rework_done(
            session, lot_id, actor=user.principal.email, note=text(form, "note", 2000)
        )
    return RedirectResponse(f"/staff/lots/{lot_id}?done=rework_done", status_code=303)


@router.post("/staff/inspections/{inspection_id}/photos")
def add_photo(
    request: Request, inspection_id: InspectionId, user: StockStaff, db: PortalDb, form: Form
) -> Response:
    upload = _photo(form)
    errors = FormErrors()
    lot_id = 0
    with db.session() as session:
        lot_id = service.get_inspection(session, inspection_id).receipt_line_id
    if upload is None:
        errors.add("photo", "Choose a photo to upload.")
    else:
        try:
            with db.session(write=True) as session:
                inspection_photos.add_photo(
                    session,
                    inspection_id,
                    filename=upload.filename,
                    content_type=upload.content_type,
                    data=upload.file.read(inspection_photos.photo_max_bytes() + 1),
                )
        except DomainError as exc:
            if exc.status == 404:
                raise
            errors = FormErrors()
            for item in exc.items:
                errors.add(None, item.message)
    if errors:
        return lot_page_view(request, user, db, lot_id, errors=errors, status_code=422)
    return RedirectResponse(f"/staff/lots/{lot_id}?done=photo#history", status_code=303)


@router.get("/staff/inspection-photos/{photo_id}")
def photo(photo_id: PhotoId, _user: StaffUser, db: PortalDb) -> Response:
    with db.session() as session:
        return photo_response(inspection_photos.get_photo(session, photo_id))
