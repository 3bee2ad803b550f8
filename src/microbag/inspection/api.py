"""HTTP API of inspection (staff only; buyers never see the buying side): ISO 2859-1
sampling plans, inspections of lots with their defects and photos, and the decisions on
quarantined lots. Reads: all staff; writes: admin and merchandiser."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote as url_quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.types import Message

from microbag.accounts.policies import STAFF_STOCK_ROLES
from microbag.accounts.principal import Principal
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    ErrorResponse,
    IdPath,
    ReadSession,
    WriteSession,
    require_staff,
)
from microbag.inspection import photos as inspection_photos
from microbag.inspection import policies, service
from microbag.inspection.models import Inspection, InspectionPhoto
from microbag.inspection.policies import SamplingPlan
from microbag.inspection.schemas import (
    ClassResultOut,
    DecisionIn,
    DefectOut,
    InspectionIn,
    InspectionOut,
    Level,
    LotStateOut,
    PhotoOut,
    ReworkDoneIn,
    SamplingPlanOut,
    SamplingPlansOut,
)
from microbag.purchasing.receiving import LotView

# The multipart envelope and the form's one small field around the photo.
FORM_OVERHEAD = 64 * 1024


class _TooLarge(Exception):
    pass


def _too_large() -> JSONResponse:
    limit = inspection_photos.photo_max_bytes()
    message = f"photos may be at most {limit / (1024 * 1024):.1f} MB"
    return JSONResponse(
        {"errors": [{"code": "photo_too_large", "message": message, "line": None}]},
        status_code=413,
        headers={"Connection": "close"},
    )


class BodyLimitedRoute(APIRoute):
    """413 as soon as a body passes the photo limit (declared or received), before the
    multipart parser spools it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limit = inspection_photos.photo_max_bytes() + FORM_OVERHEAD
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return _too_large()
            received = 0
            receive = request.receive

            async def counting() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
                return message

            try:
                return await handler(Request(request.scope, counting))
            except _TooLarge:
                return _too_large()

        return limited


router = APIRouter(tags=["inspection"], route_class=BodyLimitedRoute)

StaffReader = Annotated[Principal, Depends(require_staff())]
Inspector = Annotated[Principal, Depends(require_staff(*STAFF_STOCK_ROLES))]
AqlQuery = Annotated[
    float | None,
    Query(ge=0, le=1000, description="0 (zero tolerance) or one of ISO 2859-1's AQLs"),
]


def plan_out(plan: SamplingPlan, lot_size: int) -> SamplingPlanOut:
    return SamplingPlanOut(
        code_letter=plan.code_letter,
        sample_size=plan.sample_size,
        accept=plan.accept,
        reject=plan.reject,
        aql=plan.aql,
        full_inspection=plan.is_full_inspection(lot_size),
    )


def plans_out(lot_size: int, level: str, plans: dict[str, SamplingPlan]) -> SamplingPlansOut:
    return SamplingPlansOut(
        lot_size=lot_size,
        level=level,
        code_letter=policies.code_letter(lot_size, level),
        units_to_inspect=policies.units_to_inspect(plans),
        plans={name: plan_out(p, lot_size) for name, p in plans.items()},
    )


def photo_out(photo: InspectionPhoto) -> PhotoOut:
    return PhotoOut(
        id=photo.id,
        defect_id=photo.defect_id,
        filename=photo.filename,
        content_type=photo.content_type,
        size_bytes=photo.size_bytes,
        created_at=photo.created_at,
        url=f"/api/v1/inspection-photos/{photo.id}",
    )


def _class_result(values: dict[str, Any]) -> ClassResultOut:
    """One class of the stored plan (written by inspect_lot, or in bulk by the demo)."""
    return ClassResultOut(
        aql=float(values.get("aql", 0.0)),
        code_letter=str(values.get("code_letter", "")),
        sample_size=int(values.get("sample_size", 0)),
        accept=int(values.get("accept", 0)),
        reject=int(values.get("reject", 1)),
        found=int(values.get("found", 0)),
    )


def inspection_out(inspection: Inspection, photos: list[InspectionPhoto]) -> InspectionOut:
    return InspectionOut(
        id=inspection.id,
        lot_id=inspection.receipt_line_id,
        lot_size=inspection.lot_size,
        code_letter=inspection.code_letter,
        sample_size=inspection.sample_size,
        result="accept" if inspection.result == "accept" else "reject",
        defect_rate=inspection.defect_rate,
        plans={name: _class_result(values) for name, values in inspection.plan.items()},
        note=inspection.note,
        inspector=inspection.inspector,
        inspected_at=inspection.inspected_at,
        defects=[
            DefectOut(id=d.id, kind=d.kind, defect_class=d.defect_class, count=d.count, note=d.note)
            for d in inspection.defects
        ],
        photos=[photo_out(p) for p in photos],
    )


def _with_photos(session: Session, inspections: list[Inspection]) -> list[InspectionOut]:
    photos = inspection_photos.photos_for(session, [i.id for i in inspections])
    return [inspection_out(i, photos[i.id]) for i in inspections]


def lot_state_out(lot: LotView) -> LotStateOut:
    return LotStateOut(
        id=lot.id,
        po_id=lot.po_id,
        po_number=lot.po_number,
        supplier_id=lot.supplier_id,
        sku=lot.sku_code,
        warehouse=lot.warehouse_code,
        quantity=lot.quantity,
        status=lot.status,
        decision=lot.decision,
        decision_note=lot.decision_note,
        received_at=lot.received_at,
    )


@router.get(
    "/sampling-plan",
    response_model=SamplingPlansOut,
    responses=READ_RESPONSES,
    summary="ISO 2859-1 sampling plans per defect class for a lot size",
)
def sampling_plan(
    _staff: StaffReader,
    lot_size: Annotated[int, Query(ge=1, le=100_000_000, description="Units in the lot")],
    aql_critical: AqlQuery = None,
    aql_major: AqlQuery = None,
    aql_minor: AqlQuery = None,
    level: Annotated[Level, Query(description="General inspection level")] = "II",
) -> SamplingPlansOut:
    """Single sampling, normal inspection; AQLs default to the settings'."""
    aqls = service.aqls_with({"critical": aql_critical, "major": aql_major, "minor": aql_minor})
    return plans_out(lot_size, level, service.plans_for(lot_size, aqls, level))


@router.post(
    "/lots/{lot_id}/inspections",
    status_code=201,
    response_model=InspectionOut,
    responses=WRITE_RESPONSES,
    summary="Inspect a lot waiting for inspection",
)
def inspect_lot(
    lot_id: IdPath, body: InspectionIn, session: WriteSession, principal: Inspector
) -> InspectionOut:
    """Accepted: the lot's units join stock on hand. Rejected: the lot is quarantined
    until a decision (``POST /lots/{lot_id}/decision``)."""
    inspection = service.inspect_lot(
        session,
        lot_id,
        defects=[
            service.DefectInput(d.kind, d.defect_class, d.count, d.note) for d in body.defects
        ],
        actor=principal.email,
        note=body.note,
        aqls={"critical": body.aql_critical, "major": body.aql_major, "minor": body.aql_minor},
    )
    return inspection_out(inspection, [])


@router.get(
    "/lots/{lot_id}/inspections",
    response_model=list[InspectionOut],
    responses=READ_RESPONSES,
    summary="A lot's inspections, oldest first",
)
def lot_inspections(
    lot_id: IdPath, _staff: StaffReader, session: ReadSession
) -> list[InspectionOut]:
    return _with_photos(session, service.inspections_for_lot(session, lot_id))


@router.get(
    "/inspections/{inspection_id}",
    response_model=InspectionOut,
    responses=READ_RESPONSES,
    summary="One inspection with its defects and photos",
)
def get_inspection(
    inspection_id: IdPath, _staff: StaffReader, session: ReadSession
) -> InspectionOut:
    return _with_photos(session, [service.get_inspection(session, inspection_id)])[0]


@router.post(
    "/inspections/{inspection_id}/photos",
    status_code=201,
    response_model=PhotoOut,
    responses=WRITE_RESPONSES | {413: {"model": ErrorResponse, "description": "File too large"}},
    summary="Add a photo to an inspection (JPEG, PNG or WebP)",
)
def add_photo(
    inspection_id: IdPath,
    session: WriteSession,
    _inspector: Inspector,
    file: Annotated[UploadFile, File(description="The photo (JPEG, PNG or WebP)")],
    defect_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> PhotoOut:
    """Optionally of one of the inspection's defects (``defect_id``)."""
    data = file.file.read(inspection_photos.photo_max_bytes() + 1)
    photo = inspection_photos.add_photo(
        session,
        inspection_id,
        filename=file.filename,
        content_type=file.content_type,
        data=data,
        defect_id=defect_id,
    )
    return photo_out(photo)


_IMAGE_CONTENT: dict[str, Any] = {
    ct: {"schema": {"type": "string", "format": "binary"}}
    for ct in inspection_photos.PHOTO_EXTENSIONS
}


def photo_response(photo: InspectionPhoto) -> Response:
    name = photo.filename
    fallback = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"inline; filename=\"{fallback}\"; filename*=UTF-8''{url_quote(name)}"
    return Response(
        content=photo.data,
        media_type=photo.content_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/inspection-photos/{photo_id}",
    response_class=Response,
    responses={**READ_RESPONSES, 200: {"description": "The photo", "content": _IMAGE_CONTENT}},
    summary="An inspection photo",
)
def get_photo(photo_id: IdPath, _staff: StaffReader, session: ReadSession) -> Response:
    return photo_response(inspection_photos.get_photo(session, photo_id))


@router.post(
    "/lots/{lot_id}/decision",
    response_model=LotStateOut,
    responses=WRITE_RESPONSES,
    summary="Decide on a quarantined lot",
)
def decide(
    lot_id: IdPath, body: DecisionIn, session: WriteSession, principal: Inspector
) -> LotStateOut:
    """``return_to_supplier``, ``rework`` (inspected again when it comes back) or
    ``accept_with_note`` (a note is required; the units join stock)."""
    lot = service.decide(
        session, lot_id, decision=body.decision, note=body.note, actor=principal.email
    )
    return lot_state_out(lot)


@router.post(
    "/lots/{lot_id}/rework-done",
    response_model=LotStateOut,
    responses=WRITE_RESPONSES,
    summary="A lot is back from rework: it waits for inspection again",
)
def rework_done(
    lot_id: IdPath, session: WriteSession, principal: Inspector, body: ReworkDoneIn | None = None
) -> LotStateOut:
    lot = service.rework_done(
        session, lot_id, actor=principal.email, note=body.note if body else ""
    )
    return lot_state_out(lot)
