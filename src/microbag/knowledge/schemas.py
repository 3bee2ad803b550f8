"""API shapes of the market knowledge."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from microbag.knowledge.facts import thaw
from microbag.knowledge.service import FactView


class FactOut(BaseModel):
    key: str = Field(description="'<table>.<row>', or '<table>' for a one-value table")
    table: str
    table_title: str
    row: str | None
    value: JsonValue = Field(description="The effective value (the seller's edit, if any)")
    source: str = Field(description="'brief: Table N ...' or 'seller'")
    note: str
    shipped_value: JsonValue = Field(
        description="The value in the shipped knowledge file (null: a fact the seller added)"
    )
    shipped_source: str | None
    edited: bool
    edited_by: str | None
    edited_at: datetime | None
    ignored_edit: str | None = Field(
        description="Why a stored edit no longer applies (saved against an older file)"
    )

    @classmethod
    def of(cls, view: FactView) -> FactOut:
        fact, shipped = view.fact, view.shipped
        return cls(
            key=fact.key,
            table=fact.table,
            table_title=fact.table_title,
            row=fact.row,
            value=thaw(fact.value),
            source=fact.source,
            note=fact.note,
            shipped_value=thaw(shipped.value) if shipped else None,
            shipped_source=shipped.source if shipped else None,
            edited=view.edited,
            edited_by=view.edited_by,
            edited_at=view.edited_at,
            ignored_edit=view.ignored_edit,
        )


class KnowledgeOut(BaseModel):
    version: str = Field(description="Version of the shipped knowledge file")
    facts: list[FactOut]


class FactEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: JsonValue = Field(
        description="The new value, shaped as the table requires (see the fact's shipped value)"
    )
