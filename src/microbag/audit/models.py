"""The audit log: one row per change of a priced, stocked, sold or staffed thing.

Rows are only ever added (never updated or deleted by the application). The actor,
the company and the entity are kept as plain values without foreign keys on purpose:
the log must outlive a deleted price list, a removed user or a renamed company, and
an entry must read the same years later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, BigIntPK, UTCDateTime
from microbag.timeutil import utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        # The staff page's and the API's filters: one entity's history, a company's
        # changes, and every list's default order (newest first) and date range.
        Index("ix_audit_entries_entity_entity_id", "entity", "entity_id"),
        Index("ix_audit_entries_company_at", "company_id", "at"),
        Index("ix_audit_entries_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The staff or buyer user who made the change; None for the CLI and the system.
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    # The user's e-mail at the time, or "cli" / "system" / a job's name.
    actor_label: Mapped[str] = mapped_column(String(254))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    # The buyer company the change concerns (its terms, its price list, its order).
    company_id: Mapped[int | None] = mapped_column(Integer)
    # Only the fields that changed, as plain JSON values; secrets are redacted.
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# Every model of the package, imported by microbag.models so the metadata is complete.
AUDIT_MODELS: tuple[type[Base], ...] = (AuditEntry,)
