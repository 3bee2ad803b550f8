"""Staff edits of the market knowledge: one row per fact the seller changed or added.

The shipped file (brief.toml) is never changed at run time; ``service.effective_knowledge``
lays these rows over it. Resetting a fact deletes its row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, BigIntPK, UTCDateTime
from microbag.timeutil import utcnow


class KnowledgeEdit(Base):
    __tablename__ = "knowledge_edits"
    __table_args__ = (CheckConstraint("source = 'seller'", name="source_seller"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    value: Mapped[Any] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(20), default="seller")
    # The shipped file's version the edit was made against (a newer file may differ).
    shipped_version: Mapped[str] = mapped_column(String(40))
    edited_by: Mapped[str] = mapped_column(String(254))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
