"""Staff page of the audit log: filters, one page of entries with each changed field's
before and after, and the filtered entries as CSV or XLSX.

Filters arrive as text and are checked here, so a mistyped date or entity shows a
message next to its field instead of an error page. Every staff role may read; entries
about users and roles are shown to admins only (audit.policies.hidden_entities).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from microbag.audit import exporter, service
from microbag.audit.policies import field_changes, is_name
from microbag.audit.schemas import AuditFilters
from microbag.buyers.service import company_names
from microbag.display_names import display_name
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.staff import FormErrors, PageNo, pager, staff_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 25
FILTER_FIELDS = ("entity", "entity_id", "actor", "company", "action", "since", "until")
FilterText = Annotated[str, Query(max_length=254)]


def filter_values(
    entity: FilterText = "",
    entity_id: FilterText = "",
    actor: FilterText = "",
    company: FilterText = "",
    action: FilterText = "",
    since: FilterText = "",
    until: FilterText = "",
) -> dict[str, str]:
    """The filters as typed (a dependency shared by the page and its export)."""
    given = {"entity": entity, "entity_id": entity_id, "actor": actor, "company": company}
    given |= {"action": action, "since": since, "until": until}
    return {name: given[name].strip() for name in FILTER_FIELDS}


FilterValues = Annotated[dict[str, str], Depends(filter_values)]


def _filters(values: dict[str, str]) -> tuple[AuditFilters, FormErrors]:
    """The typed filters, and a message per field that could not be read (then ignored)."""
    errors = FormErrors()
    data: dict[str, Any] = {}
    for name in ("entity", "action"):
        if values[name] and is_name(values[name]):
            data[name] = values[name]
        elif values[name]:
            errors.add(name, "Choose one from the list.")
    if values["entity_id"]:
        data["entity_id"] = values["entity_id"][:64]
    if values["actor"]:
        data["actor"] = values["actor"]
    if values["company"]:
        if values["company"].isdigit() and 0 < int(values["company"]) < 2**31:
            data["company_id"] = int(values["company"])
        else:
            errors.add("company", "Enter a company number.")
    for name in ("since", "until"):
        if values[name]:
            try:
                data[name] = date.fromisoformat(values[name])
            except ValueError:
                errors.add(name, "Enter a date as YYYY-MM-DD.")
    if data.get("since") and data.get("until") and data["since"] > data["until"]:
        errors.add("until", "The end date must not be before the start date.")
        del data["since"], data["until"]
    return AuditFilters(**data), errors


@router.get("/staff/audit")
def audit_log(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    values: FilterValues,
    page: PageNo = 1,
) -> Response:
    filters, errors = _filters(values)
    with db.session() as session:
        entries, total = service.list_entries(
            session,
            filters,
            viewer=user.principal,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        entities, actions = service.known_names(session)
        names = company_names(session, [e.company_id for e in entries if e.company_id])
    rows = [(e, field_changes(e.before or {}, e.after or {})) for e in entries]
    return staff_page(
        request,
        user,
        "staff/audit.html",
        {
            "title": "Audit log",
            "rows": rows,
            "names": names,
            "values": values,
            "errors": errors,
            "entity_options": [(e, display_name(e)) for e in entities],
            "action_options": [(a, display_name(a)) for a in actions],
            "export_query": urlencode({k: v for k, v in values.items() if v}),
            "pager": pager("/staff/audit", values, page, total, PAGE_SIZE),
        },
        section="audit",
        status_code=422 if errors else 200,
    )


@router.get("/staff/audit/export")
def audit_export(
    user: StaffUser,
    db: PortalDb,
    values: FilterValues,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:
    filters, _errors = _filters(values)
    with db.session() as session:
        body, _rows = exporter.export(session, filters, format, viewer=user.principal)
    disposition = f'attachment; filename="{exporter.filename(format)}"'
    return Response(
        body, media_type=exporter.MEDIA_TYPES[format], headers={"Content-Disposition": disposition}
    )
