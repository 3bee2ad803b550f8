"""Staff pages for the catalog: the list and styles (create, edit, activate, discontinue).

Thin adapters over catalog.service: form fields carry the schema's names, so a
validation error (Pydantic) or a rule error (``ErrorItem.field``) is shown next to
the field it concerns. SKU pages are in catalog/staff_sku_pages.py, bulk import in
catalog/import_pages.py.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from microbag.catalog import policies, service
from microbag.catalog.policies import CODE_PATTERN
from microbag.catalog.schemas import StyleCreate, StylePatch
from microbag.compliance import policies as compliance_policies
from microbag.compliance import service as compliance_service
from microbag.errors import DomainError
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.render import SWATCHES, label_filter
from microbag.web.sessions import PortalUser
from microbag.web.staff import (
    CatalogStaff,
    Form,
    FormErrors,
    PageNo,
    pager,
    staff_page,
    text,
    texts,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 30
StyleId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SkuCode = Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN)]
STYLE_TEXT = ("code", "name", "description", "bag_type", "lining", "price_tier", "season")
STYLE_NUMBERS = ("width_mm", "height_mm", "depth_mm", "weight_g")
STYLE_FIELDS = (
    *STYLE_TEXT,
    *STYLE_NUMBERS,
    "holds",
    "phone_max_mm",
    "occasions",
    "is_limited_edition",
    "drop_date",
    "edition_size",
    "images",
)
SKU_FIELDS = ("code", "color", "material", "hardware", "lifecycle", "retail_price")
# Conflicts the core reports without a field, and the field they concern.
FIELD_OF_CODE = {"style_code_taken": "code", "sku_code_taken": "code"}
DONE = {
    "created": "Style created as a draft: add its SKUs, then activate it.",
    "saved": "Changes saved.",
    "activated": "Style activated: buyers see its active SKUs.",
    "discontinued": "Style discontinued: buyers no longer see it.",
    "sku": "SKU added.",
    "document": "Document uploaded.",
    "document_deleted": "Document deleted.",
}


def vocab() -> dict[str, Any]:
    """Choices for the forms (bag types and colors are open lists: suggestions only)."""
    return {
        "bag_types": policies.BAG_TYPES,
        "materials": policies.MATERIALS,
        "price_tiers": policies.PRICE_TIERS,
        "occasions": policies.OCCASIONS,
        "hold_items": policies.HOLD_ITEMS,
        "lifecycles": policies.LIFECYCLES,
        "colors": sorted(SWATCHES),
        "material_options": options(policies.MATERIALS),
        "price_tier_options": options(policies.PRICE_TIERS),
        "lifecycle_options": options(policies.LIFECYCLES),
    }


def document_context(
    documents: list[Any],
    action: str,
    targets: list[tuple[str, str]] | None,
    values: dict[str, str] | None,
    errors: FormErrors | None,
) -> dict[str, Any]:
    """What staff/_documents.html needs: the list and the upload form."""
    regions = [
        (r, "All markets" if r == compliance_policies.ALL else label_filter(r))
        for r in compliance_policies.REGIONS
    ]
    return {
        "documents": documents,
        "doc_action": action,
        "doc_targets": targets,
        "doc_values": values or {},
        "doc_errors": errors,
        "doc_kinds": options(compliance_policies.KINDS),
        "doc_regions": regions,
        "doc_max_mb": compliance_policies.MAX_BYTES // (1024 * 1024),
    }


def options(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(code, label_filter(code)) for code in codes]


def form_errors_of(exc: DomainError) -> FormErrors:
    errors = FormErrors()
    for item in exc.items:
        name = item.field if item.field in (*STYLE_FIELDS, *SKU_FIELDS) else None
        errors.add(name or FIELD_OF_CODE.get(item.code), _sentence(item.message))
    return errors


# Field names inside the core's messages, as the form's labels say them.
FIELD_WORDS = {
    "width_mm": "width",
    "height_mm": "height",
    "depth_mm": "depth",
    "weight_g": "weight",
    "phone_max_mm": "longest phone",
    "drop_date": "drop date",
    "edition_size": "edition size",
    "is_limited_edition": "limited edition",
}


def _sentence(message: str) -> str:
    for name, words in FIELD_WORDS.items():
        message = re.sub(rf"\b{name}\b", words, message)
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."


# ---- the list ----------------------------------------------------------------------------------


@router.get("/staff/catalog")
def catalog(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    page: PageNo = 1,
    q: Annotated[str, Query(max_length=100, pattern=r"^[^\x00]*$")] = "",
    lifecycle: Annotated[policies.Lifecycle | None, Query()] = None,
    bag_type: Annotated[str, Query(max_length=32, pattern=r"^[a-z0-9_]*$")] = "",
) -> Response:
    with db.session() as session:
        styles, total = service.list_styles(
            session,
            lifecycle=lifecycle,
            bag_type=bag_type or None,
            q=q.strip() or None,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    params = {"q": q, "lifecycle": lifecycle, "bag_type": bag_type}
    return staff_page(
        request,
        user,
        "staff/catalog.html",
        {
            "title": "Catalog",
            "styles": styles,
            "filters": params,
            "pager": pager("/staff/catalog", params, page, total, PAGE_SIZE),
            **vocab(),
        },
        section="catalog",
    )


# ---- styles ------------------------------------------------------------------------------------


def style_values(form: FormData) -> dict[str, Any]:
    """What the style form sent, as typed (for showing it again)."""
    values: dict[str, Any] = {name: text(form, name) for name in (*STYLE_TEXT, *STYLE_NUMBERS)}
    values.update(
        phone_max_mm=text(form, "phone_max_mm"),
        drop_date=text(form, "drop_date"),
        edition_size=text(form, "edition_size"),
        derive_holds=bool(text(form, "derive_holds")),
        holds=texts(form, "holds", 10),
        occasions=texts(form, "occasions", 10),
        is_limited_edition=bool(text(form, "is_limited_edition")),
        images="\n".join(line.strip() for line in text(form, "images").splitlines() if line),
    )
    return values


def style_input(values: dict[str, Any], *, patch: bool) -> dict[str, Any]:
    """The schema's input from the form: blanks left out (or cleared, for a patch)."""
    # A patch sends every field, so a cleared one is reported (or cleared) rather than kept.
    data: dict[str, Any] = {
        name: values[name]
        for name in (*STYLE_TEXT, *STYLE_NUMBERS)
        if values[name] != "" or (patch and name != "code")
    }
    data["holds"] = None if values["derive_holds"] else values["holds"]
    if values["phone_max_mm"]:
        data["phone_max_mm"] = values["phone_max_mm"]
    for name in ("drop_date", "edition_size"):
        if values[name] or patch:
            data[name] = values[name] or None
    data["occasions"] = values["occasions"]
    data["is_limited_edition"] = values["is_limited_edition"]
    data["images"] = [line for line in values["images"].splitlines() if line.strip()]
    return data


def values_of_style(style: Any) -> dict[str, Any]:
    out = service.style_out(style)
    limited = out.limited_edition
    return {
        "code": out.code,
        "name": out.name,
        "description": out.description,
        "bag_type": out.bag_type,
        "lining": out.lining,
        "price_tier": out.price_tier,
        "season": out.season,
        "width_mm": out.dimensions.width_mm,
        "height_mm": out.dimensions.height_mm,
        "depth_mm": out.dimensions.depth_mm,
        "weight_g": out.dimensions.weight_g,
        "phone_max_mm": out.phone_max_mm or "",
        "derive_holds": False,
        "holds": out.holds,
        "occasions": out.occasions,
        "is_limited_edition": limited is not None,
        "drop_date": limited.drop_date.isoformat() if limited and limited.drop_date else "",
        "edition_size": limited.edition_size if limited and limited.edition_size else "",
        "images": "\n".join(out.images),
    }


NEW_STYLE: dict[str, Any] = {
    **dict.fromkeys((*STYLE_TEXT, *STYLE_NUMBERS, "phone_max_mm", "drop_date", "edition_size"), ""),
    "season": "all_season",
    "weight_g": "0",
    "derive_holds": True,
    "holds": [],
    "occasions": [],
    "is_limited_edition": False,
    "images": "",
}


def _new_style_page(
    request: Request, user: PortalUser, values: dict[str, Any], errors: FormErrors | None, code: int
) -> Response:
    return staff_page(
        request,
        user,
        "staff/style_new.html",
        {"title": "New style", "values": values, "errors": errors, **vocab()},
        section="catalog",
        status_code=code,
    )


@router.get("/staff/catalog/styles/new")
def new_style(request: Request, user: CatalogStaff) -> Response:
    return _new_style_page(request, user, dict(NEW_STYLE), None, 200)


@router.post("/staff/catalog/styles/new")
def create_style(request: Request, user: CatalogStaff, db: PortalDb, form: Form) -> Response:
    values = style_values(form)
    try:
        data = StyleCreate.model_validate(style_input(values, patch=False))
        with db.session(write=True) as session:
            style_id = service.create_style(session, data, actor=user.principal).id
    except ValidationError as exc:
        return _new_style_page(request, user, values, FormErrors.from_validation(exc), 422)
    except DomainError as exc:
        return _new_style_page(request, user, values, form_errors_of(exc), exc.status)
    return RedirectResponse(f"/staff/catalog/styles/{style_id}?done=created", status_code=303)


def style_page_view(
    request: Request,
    user: PortalUser,
    db: Any,
    style_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    sku_values: dict[str, str] | None = None,
    sku_errors: FormErrors | None = None,
    doc_values: dict[str, str] | None = None,
    doc_errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        style = service.get_style(session, style_id)
        detail = service.style_detail(session, style)
        current = values_of_style(style)
        documents = compliance_service.documents_for_style(session, style_id)
    targets = [("style", "The whole style"), *((k.code, k.code) for k in detail.skus)]
    return staff_page(
        request,
        user,
        "staff/style.html",
        {
            "title": f"{detail.name} ({detail.code})",
            "style": detail,
            "values": values or current,
            "errors": errors,
            "sku_values": sku_values or {"lifecycle": ""},
            "sku_errors": sku_errors,
            "notice": DONE.get(request.query_params.get("done", "")),
            **vocab(),
            **document_context(
                documents,
                f"/staff/catalog/styles/{style_id}/documents",
                targets,
                doc_values,
                doc_errors,
            ),
        },
        section="catalog",
        status_code=status_code,
    )


@router.get("/staff/catalog/styles/{style_id}")
def style_page(request: Request, style_id: StyleId, user: StaffUser, db: PortalDb) -> Response:
    return style_page_view(request, user, db, style_id)


@router.post("/staff/catalog/styles/{style_id}")
def update_style(
    request: Request, style_id: StyleId, user: CatalogStaff, db: PortalDb, form: Form
) -> Response:
    values = style_values(form)
    values["code"] = ""
    try:
        patch = StylePatch.model_validate(style_input(values, patch=True))
        with db.session(write=True) as session:
            service.update_style(session, style_id, patch, actor=user.principal)
    except ValidationError as exc:
        errors = FormErrors.from_validation(exc)
        return style_page_view(
            request, user, db, style_id, values=values, errors=errors, status_code=422
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = form_errors_of(exc)
        return style_page_view(
            request, user, db, style_id, values=values, errors=errors, status_code=exc.status
        )
    return RedirectResponse(f"/staff/catalog/styles/{style_id}?done=saved", status_code=303)


def _lifecycle(request: Request, user: PortalUser, db: Any, style_id: int, target: str) -> Response:
    try:
        with db.session(write=True) as session:
            if target == "active":
                service.activate_style(session, style_id, actor=user.principal)
            else:
                service.discontinue_style(session, style_id, actor=user.principal)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return style_page_view(
            request, user, db, style_id, errors=form_errors_of(exc), status_code=exc.status
        )
    done = "activated" if target == "active" else "discontinued"
    return RedirectResponse(f"/staff/catalog/styles/{style_id}?done={done}", status_code=303)


@router.post("/staff/catalog/styles/{style_id}/activate")
def activate(request: Request, style_id: StyleId, user: CatalogStaff, db: PortalDb) -> Response:
    return _lifecycle(request, user, db, style_id, "active")


@router.post("/staff/catalog/styles/{style_id}/discontinue")
def discontinue(request: Request, style_id: StyleId, user: CatalogStaff, db: PortalDb) -> Response:
    return _lifecycle(request, user, db, style_id, "discontinued")
