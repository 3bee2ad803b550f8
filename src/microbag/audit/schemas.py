"""Request filters and response shapes of the audit log (API, staff page, CLI, export)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class AuditFilters(BaseModel):
    """Which entries to show; every filter is optional and they combine with AND.

    ``since`` and ``until`` are days in UTC, both included."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: str | None = Field(None, pattern=NAME_PATTERN, description="e.g. price_list_item")
    entity_id: str | None = Field(None, min_length=1, max_length=64)
    actor: str | None = Field(
        None, min_length=1, max_length=254, description="Part of the actor's e-mail or label"
    )
    company_id: int | None = Field(None, ge=1, le=2_147_483_647)
    action: str | None = Field(None, pattern=NAME_PATTERN, description="e.g. updated")
    since: date | None = Field(None, description="From this day (UTC), included")
    until: date | None = Field(None, description="Up to this day (UTC), included")

    @model_validator(mode="after")
    def _range(self) -> AuditFilters:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since must not be after until")
        return self


class FieldChangeOut(BaseModel):
    field: str
    before: Any = Field(description="The value before (absent: the field was not there)")
    after: Any = Field(description="The value after (absent: the field is gone)")


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor_user_id: int | None = Field(description="None: the command line or the system")
    actor: str = Field(description="The user's e-mail, or 'cli' / 'system'")
    entity: str
    entity_id: str
    action: str
    company_id: int | None = Field(description="The buyer company the change concerns")
    before: dict[str, Any] = Field(description="The changed fields' values before")
    after: dict[str, Any] = Field(description="The changed fields' values after")
