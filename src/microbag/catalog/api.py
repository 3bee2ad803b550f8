"""HTTP API for the catalog: browsing for everyone, editing and imports for the staff."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from pydantic import Field

from microbag.accounts.policies import STAFF_CATALOG_ROLES
from microbag.accounts.principal import Principal
from microbag.catalog import importer, service
from microbag.catalog.listing import SkuFilters, SortKey
from microbag.catalog.policies import (
    CODE_PATTERN,
    SEASON_PATTERN,
    SLUG_PATTERN,
    Lifecycle,
    Material,
    Occasion,
    PriceTier,
    SizeClass,
)
from microbag.catalog.schemas import (
    ImportReportOut,
    SkuCreate,
    SkuDetailOut,
    SkuPage,
    SkuPatch,
    StyleCreate,
    StyleDetailOut,
    StylePatch,
    StyleSummaryOut,
)
from microbag.config import get_settings
from microbag.db import Database
from microbag.errors import DomainError, ErrorItem
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    CurrentPrincipal,
    ErrorResponse,
    Page,
    Paging,
    ReadSession,
    WriteSession,
    get_database,
    require_staff,
)

router = APIRouter(tags=["catalog"])

CatalogEditor = Annotated[Principal, Depends(require_staff(*STAFF_CATALOG_ROLES))]
AnyStaff = Annotated[Principal, Depends(require_staff())]

MAX_INT32 = 2**31 - 1
IMPORT_RESPONSES = WRITE_RESPONSES | {
    413: {
        "model": ErrorResponse,
        "description": "Upload too large (import_max_upload_bytes), or it inflates too far",
    }
}

SkuCode = Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN)]
StyleId = Annotated[int, Path(ge=1, le=MAX_INT32)]
Slug = Annotated[str, Field(min_length=1, max_length=32, pattern=SLUG_PATTERN)]
SeasonQ = Annotated[str, Field(min_length=1, max_length=16, pattern=SEASON_PATTERN)]
# Free text: printable, no NUL (PostgreSQL cannot store or compare it).
TextQ = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]


def _values(name: str) -> Any:
    return Query(max_length=20, description=f"One or more {name} (OR); filters combine with AND")


@router.get(
    "/skus",
    response_model=SkuPage,
    responses=READ_RESPONSES,
    summary="Browse the catalog",
)
def list_skus(
    session: ReadSession,
    principal: CurrentPrincipal,
    paging: Paging,
    bag_type: Annotated[list[Slug] | None, _values("bag types")] = None,
    size_class: Annotated[list[SizeClass] | None, _values("size classes")] = None,
    material: Annotated[list[Material] | None, _values("materials")] = None,
    color: Annotated[list[Slug] | None, _values("colors")] = None,
    price_tier: Annotated[list[PriceTier] | None, _values("price tiers")] = None,
    occasion: Annotated[list[Occasion] | None, _values("occasions")] = None,
    season: Annotated[list[SeasonQ] | None, _values("seasons")] = None,
    lifecycle: Annotated[
        list[Lifecycle] | None,
        Query(max_length=3, description="Staff only; buyers always see active SKUs"),
    ] = None,
    q: TextQ = None,
    in_stock: Annotated[bool | None, Query(description="Only SKUs with units to sell")] = None,
    ships_by: Annotated[
        date | None,
        Query(
            description="Only SKUs with units to sell now, or an incoming batch whose "
            "ship window ends on or before this date (YYYY-MM-DD)"
        ),
    ] = None,
    sort: Annotated[SortKey, Query(description="code, style name, or newest first")] = "code",
) -> SkuPage:
    """SKUs the caller may see; buyers see only active SKUs of active styles."""
    filters = SkuFilters(
        bag_type=bag_type or (),
        size_class=size_class or (),
        material=material or (),
        color=color or (),
        price_tier=price_tier or (),
        occasion=occasion or (),
        season=season or (),
        lifecycle=lifecycle or (),
        q=q,
        in_stock=in_stock,
        ships_by=ships_by,
        sort=sort,
    )
    return service.list_skus(
        session, principal, filters, page=paging.page, page_size=paging.page_size
    )


@router.get(
    "/skus/{sku}",
    response_model=SkuDetailOut,
    responses=READ_RESPONSES,
    summary="One SKU with the caller's tiers, MOQ, case pack and availability",
)
def get_sku(
    sku: SkuCode,
    session: ReadSession,
    principal: CurrentPrincipal,
    company_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_INT32, description="Staff: show this company's terms"),
    ] = None,
) -> SkuDetailOut:
    return service.get_sku_detail(session, principal, sku, company_id=company_id)


@router.patch(
    "/skus/{sku}",
    response_model=SkuDetailOut,
    responses=WRITE_RESPONSES,
    summary="Change a SKU (staff)",
)
def patch_sku(
    sku: SkuCode, body: SkuPatch, session: WriteSession, principal: CatalogEditor
) -> SkuDetailOut:
    updated = service.update_sku(session, sku, body, actor=principal)
    return service.get_sku_detail(session, principal, updated.code)


@router.get(
    "/styles",
    response_model=Page[StyleSummaryOut],
    responses=READ_RESPONSES,
    summary="Styles, all lifecycles (staff)",
)
def list_styles(
    session: ReadSession,
    _staff: AnyStaff,
    paging: Paging,
    lifecycle: Lifecycle | None = None,
    bag_type: Annotated[
        str | None, Query(min_length=1, max_length=32, pattern=SLUG_PATTERN)
    ] = None,
    q: TextQ = None,
) -> Page[StyleSummaryOut]:
    items, total = service.list_styles(
        session,
        lifecycle=lifecycle,
        bag_type=bag_type,
        q=q,
        offset=paging.offset,
        limit=paging.page_size,
    )
    return Page(items=items, page=paging.page, page_size=paging.page_size, total=total)


@router.post(
    "/styles",
    response_model=StyleDetailOut,
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="Create a style (as a draft)",
)
def create_style(body: StyleCreate, session: WriteSession, editor: CatalogEditor) -> StyleDetailOut:
    style = service.create_style(session, body, actor=editor)
    return service.style_detail(session, style)


@router.get(
    "/styles/{style_id}",
    response_model=StyleDetailOut,
    responses=READ_RESPONSES,
    summary="One style with its SKUs (staff)",
)
def get_style(style_id: StyleId, session: ReadSession, _staff: AnyStaff) -> StyleDetailOut:
    return service.style_detail(session, service.get_style(session, style_id))


@router.patch(
    "/styles/{style_id}",
    response_model=StyleDetailOut,
    responses=WRITE_RESPONSES,
    summary="Change a style",
)
def patch_style(
    style_id: StyleId, body: StylePatch, session: WriteSession, editor: CatalogEditor
) -> StyleDetailOut:
    style = service.update_style(session, style_id, body, actor=editor)
    return service.style_detail(session, style)


@router.post(
    "/styles/{style_id}/skus",
    response_model=SkuDetailOut,
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="Add a SKU (color, material, hardware variant) to a style",
)
def add_sku(
    style_id: StyleId, body: SkuCreate, session: WriteSession, principal: CatalogEditor
) -> SkuDetailOut:
    sku = service.add_sku(session, style_id, body, actor=principal)
    return service.get_sku_detail(session, principal, sku.code)


@router.post(
    "/styles/{style_id}/activate",
    response_model=StyleDetailOut,
    responses=WRITE_RESPONSES,
    summary="Put a style on sale (its draft SKUs too)",
)
def activate_style(
    style_id: StyleId, session: WriteSession, editor: CatalogEditor
) -> StyleDetailOut:
    style = service.activate_style(session, style_id, actor=editor)
    return service.style_detail(session, style)


@router.post(
    "/styles/{style_id}/discontinue",
    response_model=StyleDetailOut,
    responses=WRITE_RESPONSES,
    summary="Take a style off sale",
)
def discontinue_style(
    style_id: StyleId, session: WriteSession, editor: CatalogEditor
) -> StyleDetailOut:
    style = service.discontinue_style(session, style_id, actor=editor)
    return service.style_detail(session, style)


@router.post(
    "/catalog/imports",
    response_model=ImportReportOut,
    responses=IMPORT_RESPONSES,
    summary="Import styles and SKUs from CSV or XLSX (all rows or none)",
)
def import_catalog(
    db: Annotated[Database, Depends(get_database)],
    editor: CatalogEditor,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, layout in docs")],
    dry_run: Annotated[
        bool, Query(description="Check every row and report, without writing")
    ] = True,
) -> ImportReportOut:
    """Every bad row is reported (422, one error per row and reason, ``line`` = row).

    With ``dry_run=false`` and no errors, all rows are written in one transaction.
    """
    limit = get_settings().import_max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise DomainError(ErrorItem("file_too_large", f"the file exceeds {limit} bytes"), 413)
    with db.session(write=not dry_run) as session:
        report = importer.import_catalog(
            session, data, file.filename, dry_run=dry_run, actor=editor
        )
    return ImportReportOut(**vars(report))
