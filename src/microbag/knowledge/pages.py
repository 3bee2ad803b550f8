"""Staff page of the market knowledge: every fact grouped by table, one fact's edit form.

Thin adapters over knowledge.service. The form is generic (knowledge.policies flattens
a value into fields and back); a refused edit shows each problem next to its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import RedirectResponse, Response

from microbag.knowledge import service
from microbag.knowledge.facts import shipped_knowledge, thaw
from microbag.knowledge.policies import (
    KNOWLEDGE_EDIT_ROLES,
    MONTHS,
    FormField,
    field_of_problem,
    form_fields,
    value_from_form,
)
from microbag.knowledge.service import FactView
from microbag.knowledge.tables import TABLES, KnowledgeError
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PageForbidden, PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, staff_page, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

FactKey = Annotated[
    str,
    Path(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]{0,39}(\.[a-z][a-z0-9_]{0,31})?$"),
]
DONE = {"saved": "Saved: the fact is now the seller's.", "reset": "Reset to the shipped value."}


def may_edit(user: PortalUser) -> bool:
    return user.principal.role in KNOWLEDGE_EDIT_ROLES


def _editor(user: StaffUser) -> PortalUser:
    if not may_edit(user):
        raise PageForbidden(
            f"Your role ({user.principal.role}) may not edit the market knowledge;"
            " that needs admin or merchandiser."
        )
    return user


KnowledgeEditor = Annotated[PortalUser, Depends(_editor)]


def _as_row(value: Any) -> Mapping[str, Any] | None:
    """A value shown as one row of numbers: a column per key (or per month), else None."""
    if isinstance(value, Mapping) and all(isinstance(x, int | float) for x in value.values()):
        return value
    numbers = isinstance(value, tuple) and all(isinstance(x, int | float) for x in value)
    if numbers and len(value) == len(MONTHS):
        return dict(zip(MONTHS, value, strict=True))
    return None


def _summary(value: Any) -> str:
    fields = form_fields(thaw(value))
    if len(fields) == 1:
        return fields[0].value
    return "; ".join(f"{f.label}: {f.value}" for f in fields)


def _groups(views: list[FactView]) -> list[dict[str, Any]]:
    by_table: dict[str, list[FactView]] = {}
    for view in views:
        by_table.setdefault(view.fact.table, []).append(view)
    groups = []
    for name, rows in by_table.items():
        as_rows = [_as_row(v.fact.value) for v in rows]
        matrix = all(r is not None for r in as_rows)
        columns = list(dict.fromkeys(c for r in as_rows for c in r or {})) if matrix else []
        out_rows = []
        for view, row in zip(rows, as_rows, strict=True):
            shipped = (_as_row(view.shipped.value) if view.shipped else None) or {}
            cells = [(row.get(c), shipped.get(c)) for c in columns] if row is not None else []
            summary = "" if matrix else _summary(view.fact.value)
            out_rows.append({"view": view, "cells": cells, "summary": summary})
        groups.append(
            {
                "name": name,
                "title": TABLES[name].title,
                "sources": sorted({v.fact.source for v in rows}),
                "matrix": matrix,
                "columns": columns,
                "rows": out_rows,
            }
        )
    return groups


@router.get("/staff/knowledge")
def knowledge_page(request: Request, user: StaffUser, db: PortalDb) -> Response:
    with db.session() as session:
        views = service.fact_views(session)
    return staff_page(
        request,
        user,
        "staff/knowledge.html",
        {
            "title": "Market knowledge",
            "version": shipped_knowledge().version,
            "groups": _groups(views),
            "may_edit": may_edit(user),
            "edited": sum(1 for v in views if v.edited),
            "notice": DONE.get(request.query_params.get("done", "")),
        },
        section="knowledge",
    )


def _fact_page(
    request: Request,
    user: PortalUser,
    view: FactView,
    fields: list[FormField] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return staff_page(
        request,
        user,
        "staff/knowledge_fact.html",
        {
            "title": f"Knowledge: {view.fact.key}",
            "view": view,
            "fields": fields if fields is not None else form_fields(thaw(view.fact.value)),
            "shipped_summary": _summary(view.shipped.value) if view.shipped else "",
            "errors": errors,
            "may_edit": may_edit(user),
        },
        section="knowledge",
        status_code=status_code,
    )


@router.get("/staff/knowledge/{key}")
def fact_page(request: Request, key: FactKey, user: StaffUser, db: PortalDb) -> Response:
    with db.session() as session:
        view = service.fact_view(session, key)
    return _fact_page(request, user, view)


@router.post("/staff/knowledge/{key}")
def edit_fact(
    request: Request, key: FactKey, user: KnowledgeEditor, db: PortalDb, form: Form
) -> Response:
    with db.session() as session:
        view = service.fact_view(session, key)
    template = thaw(view.fact.value)
    names = [f.name for f in form_fields(template)]
    posted = {name: text(form, name, 500) for name in names}
    value, bad_numbers = value_from_form(template, posted)
    errors = FormErrors()
    for name, message in bad_numbers.items():
        errors.add(name, message)
    if not errors:
        try:
            with db.session(write=True) as session:
                service.edit_fact(session, key, value, user.principal.email)
        except KnowledgeError as exc:
            for problem in exc.problems:
                errors.add(field_of_problem(problem.field, set(names)), _sentence(problem.message))
    if errors:
        fields = [
            FormField(f.name, f.label, f.kind, posted.get(f.name, ""))
            for f in form_fields(template)
        ]
        return _fact_page(request, user, view, fields, errors, status_code=422)
    return RedirectResponse(f"/staff/knowledge?done=saved#{view.fact.table}", status_code=303)


@router.post("/staff/knowledge/{key}/reset")
def reset_fact(key: FactKey, user: KnowledgeEditor, db: PortalDb) -> Response:
    with db.session(write=True) as session:
        view = service.reset_fact(session, key)
    anchor = view.fact.table if view else ""
    return RedirectResponse(f"/staff/knowledge?done=reset#{anchor}", status_code=303)


def _sentence(message: str) -> str:
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."
