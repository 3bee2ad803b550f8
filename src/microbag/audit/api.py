"""HTTP API of the audit log: the entries (filtered, paged) and their export.

Every staff role reads the log; entries about users and roles are the admins' alone
(policies.hidden_entities). Buyers have no access (403)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import ValidationError

from microbag.accounts.principal import Principal
from microbag.audit import exporter, service
from microbag.audit.policies import AUDIT_READ_ROLES
from microbag.audit.schemas import NAME_PATTERN, AuditEntryOut, AuditFilters
from microbag.errors import DomainError, ErrorItem
from microbag.http import READ_RESPONSES, Page, Paging, ReadSession, require_staff

router = APIRouter(tags=["audit"])

AuditReader = Annotated[Principal, Depends(require_staff(*sorted(AUDIT_READ_ROLES)))]


def audit_filters(
    entity: Annotated[
        str | None, Query(pattern=NAME_PATTERN, description="e.g. price_list_item, company")
    ] = None,
    entity_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    actor: Annotated[
        str | None, Query(min_length=1, max_length=254, description="Part of the actor's e-mail")
    ] = None,
    company_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    action: Annotated[str | None, Query(pattern=NAME_PATTERN, description="e.g. updated")] = None,
    since: Annotated[date | None, Query(description="From this UTC day, included")] = None,
    until: Annotated[date | None, Query(description="Up to this UTC day, included")] = None,
) -> AuditFilters:
    try:
        return AuditFilters(
            entity=entity,
            entity_id=entity_id,
            actor=actor,
            company_id=company_id,
            action=action,
            since=since,
            until=until,
        )
    except ValidationError as exc:
        raise DomainError(
            ErrorItem("invalid_date_range", "since must not be after until", field="since")
        ) from exc


Filters = Annotated[AuditFilters, Depends(audit_filters)]


@router.get("/audit", response_model=Page[AuditEntryOut], responses=READ_RESPONSES)
def list_audit_entries(
    viewer: AuditReader, session: ReadSession, paging: Paging, filters: Filters
) -> Page[AuditEntryOut]:
    """Who changed what and when, newest first: prices and price lists, companies' credit
    limits and terms, stock counts, styles and SKUs, users and roles (admins only), order
    overrides. ``before`` and ``after`` hold only the fields that changed."""
    rows, total = service.list_entries(
        session, filters, viewer=viewer, offset=paging.offset, limit=paging.page_size
    )
    return Page(
        items=[service.entry_out(e) for e in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.get(
    "/audit/export",
    response_class=Response,
    responses={
        **READ_RESPONSES,
        200: {
            "description": "The entries as a file (attachment)",
            "content": {media_type: {} for media_type in exporter.MEDIA_TYPES.values()},
        },
    },
)
def export_audit_entries(
    viewer: AuditReader,
    session: ReadSession,
    filters: Filters,
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx")] = "csv",
) -> Response:
    """The filtered entries as CSV (or XLSX), one row per changed field, newest first
    (at most 100 000 entries)."""
    body, _rows = exporter.export(session, filters, format, viewer=viewer)
    disposition = f'attachment; filename="{exporter.filename(format)}"'
    return Response(
        body, media_type=exporter.MEDIA_TYPES[format], headers={"Content-Disposition": disposition}
    )
