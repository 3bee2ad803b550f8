"""Quotes and OEM customization requests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class Quote(Base):
    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # quote (catalog SKUs, maybe below MOQ) | oem (customized)
    kind: Mapped[str] = mapped_column(String(8), default="quote")
    # requested | answered | accepted | declined | cancelled | expired (quotes.policies)
    status: Mapped[str] = mapped_column(String(16), index=True, default="requested")
    currency: Mapped[str] = mapped_column(String(3))
    # Customization asked for (OEM): free text per aspect.
    custom_logo: Mapped[str] = mapped_column(String(500), default="")
    custom_packaging: Mapped[str] = mapped_column(String(500), default="")
    custom_color: Mapped[str] = mapped_column(String(200), default="")
    custom_material: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # The seller's answer.
    lead_time_days: Mapped[int | None] = mapped_column(default=None)
    valid_until: Mapped[date | None] = mapped_column(default=None)
    answer_note: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The order it became; unique so acceptance happens exactly once.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines: Mapped[list[QuoteLine]] = relationship(
        cascade="all, delete-orphan", order_by="QuoteLine.line_no", lazy="selectin"
    )
    artworks: Mapped[list[QuoteArtwork]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    __table_args__ = (
        UniqueConstraint("quote_id", "line_no"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    sku_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    unit_price_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)


class QuoteArtwork(Base):
    """An uploaded artwork file (logo, print), kept in the database with the quote."""

    __tablename__ = "quote_artworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
