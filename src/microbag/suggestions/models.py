"""Suggested orders' own tables: imported customers linked to companies, and the
suggestions sales staff sent to a company (the buyer sees them in the portal)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class CustomerLink(Base):
    """An imported customer (its ``customer_ref`` in the sales history) that is this company.

    The company's suggestions then pool that customer's history; a customer reference
    belongs to one company at most.
    """

    __tablename__ = "suggestion_customer_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    customer_ref: Mapped[str] = mapped_column(String(64), unique=True)
    linked_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SentSuggestion(Base):
    """A suggested order as sales staff sent it: its lines frozen, with their reasons.

    ``lines``: a list of {sku, rank, units, unit_price_minor, basis, reasons, rules}.
    """

    __tablename__ = "sent_suggestions"
    __table_args__ = (
        CheckConstraint("total_minor >= 0", name="total_nonneg"),
        CheckConstraint("horizon_weeks >= 1", name="horizon_positive"),
        Index("ix_sent_suggestions_company_created", "company_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    sent_by: Mapped[str] = mapped_column(String(254), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    horizon_weeks: Mapped[int] = mapped_column(default=8)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
