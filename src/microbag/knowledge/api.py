"""HTTP API of the market knowledge: read every fact (staff), edit or reset one
(admin, merchandiser). Errors of a refused edit name the fact and the field."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from microbag.accounts.principal import Principal
from microbag.http import READ_RESPONSES, WRITE_RESPONSES, ReadSession, WriteSession, require_staff
from microbag.knowledge import service
from microbag.knowledge.facts import shipped_knowledge
from microbag.knowledge.policies import KNOWLEDGE_EDIT_ROLES
from microbag.knowledge.schemas import FactEdit, FactOut, KnowledgeOut
from microbag.knowledge.tables import TABLES

router = APIRouter(tags=["knowledge"])
# Validated when the API is mounted: a bad knowledge file stops the start-up with its problems.
shipped_knowledge()

StaffReader = Annotated[Principal, Depends(require_staff())]
KnowledgeEditor = Annotated[Principal, Depends(require_staff(*KNOWLEDGE_EDIT_ROLES))]
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}(\.[a-z][a-z0-9_]{0,31})?$"
FactKey = Annotated[
    str,
    Path(min_length=1, max_length=80, pattern=KEY_PATTERN, description="'<table>.<row>'"),
]
TableName = Annotated[
    str | None,
    Query(max_length=40, pattern=r"^[a-z_]+$", description=f"One table: {', '.join(TABLES)}"),
]


@router.get("/knowledge", response_model=KnowledgeOut, responses=READ_RESPONSES)
def list_facts(_staff: StaffReader, session: ReadSession, table: TableName = None) -> KnowledgeOut:
    """Every fact with its value, source, shipped value and who edited it (all staff)."""
    views = service.fact_views(session, table)
    return KnowledgeOut(version=shipped_knowledge().version, facts=[FactOut.of(v) for v in views])


@router.get("/knowledge/{key}", response_model=FactOut, responses=READ_RESPONSES)
def get_fact(key: FactKey, _staff: StaffReader, session: ReadSession) -> FactOut:
    """One fact (all staff)."""
    return FactOut.of(service.fact_view(session, key))


@router.put("/knowledge/{key}", response_model=FactOut, responses=WRITE_RESPONSES)
def edit_fact(
    key: FactKey, body: FactEdit, staff: KnowledgeEditor, session: WriteSession
) -> FactOut:
    """Set the seller's value of a fact (admin, merchandiser). Validated like the shipped
    file: 422 `invalid_fact` with one error per problem, its `field` '<key>:<field>'."""
    return FactOut.of(service.edit_fact(session, key, body.value, staff.email))


@router.delete("/knowledge/{key}", status_code=204, responses=WRITE_RESPONSES)
def reset_fact(key: FactKey, _staff: KnowledgeEditor, session: WriteSession) -> Response:
    """Drop the seller's edit: the shipped value applies again (admin, merchandiser).
    A fact the seller added is removed; 404 if there is neither an edit nor a shipped fact."""
    service.reset_fact(session, key)
    return Response(status_code=204)
