"""Tables of drops: the drop, its SKUs (edition, cap, case pack), buyers' requests and
the outcome of the allocation per company (the order it became, or why it failed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class Drop(Base):
    __tablename__ = "drops"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'allocated', 'closed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # draft -> open (buyers request) -> allocated (at or after the embargo) -> closed
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # No order for the drop's SKUs before this instant (UTC).
    embargo_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Eligibility (drops.policies.is_eligible): named companies always; otherwise the
    # segment and region filters that are set must both match; none set: everyone.
    segments: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    company_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The drop's own unit prices (on its SKUs) are in this currency; buyers in another
    # currency pay their price list's price.
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    allocated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    allocated_by: Mapped[str] = mapped_column(String(254), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    skus: Mapped[list[DropSku]] = relationship(
        cascade="all, delete-orphan", order_by="DropSku.sku_code", lazy="selectin"
    )


class DropSku(Base):
    """One limited-edition SKU of a drop (a SKU is in at most one drop that is not closed:
    checked by drops.service when a drop is opened)."""

    __tablename__ = "drop_skus"
    __table_args__ = (
        UniqueConstraint("drop_id", "sku_id"),
        CheckConstraint("edition_size > 0", name="edition_positive"),
        CheckConstraint("case_pack > 0", name="case_pack_positive"),
        CheckConstraint("buyer_cap > 0", name="cap_positive"),
        CheckConstraint("unit_price_minor IS NULL OR unit_price_minor >= 0", name="price_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(ForeignKey("drops.id", ondelete="CASCADE"), index=True)
    # The order gate looks drops up by SKU (orders.gates.check_orderable): indexed.
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    sku_code: Mapped[str] = mapped_column(String(64))
    edition_size: Mapped[int]  # units
    buyer_cap: Mapped[int]  # units one company may request
    case_pack: Mapped[int]  # requests and allocations are whole case packs
    unit_price_minor: Mapped[int | None] = mapped_column(default=None)


class DropRequest(Base):
    """A company's requested quantity of one SKU of a drop, and what it was allocated."""

    __tablename__ = "drop_requests"
    __table_args__ = (
        UniqueConstraint("drop_sku_id", "company_id"),
        Index("ix_drop_requests_drop_company", "drop_id", "company_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("allocated IS NULL OR allocated >= 0", name="allocated_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(ForeignKey("drops.id", ondelete="CASCADE"))
    drop_sku_id: Mapped[int] = mapped_column(ForeignKey("drop_skus.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    # The user who last set it: the allocation places the company's order as this user.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quantity: Mapped[int]
    allocated: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DropAllocation(Base):
    """The allocation's outcome for one requesting company: its order, or the reason
    its order could not be placed (e.g. credit); the other companies' orders stand."""

    __tablename__ = "drop_allocations"
    __table_args__ = (
        UniqueConstraint("drop_id", "company_id"),
        CheckConstraint("status IN ('ordered', 'failed', 'none')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(ForeignKey("drops.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    # ordered: the order was placed; failed: placing it failed (reason); none: nothing
    # was allocated (the edition ran out before this company's share).
    status: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), default=None)
    units: Mapped[int] = mapped_column(default=0)
    weight_minor: Mapped[int] = mapped_column(
        BigInteger, default=0
    )  # past purchases used (base currency)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Every model of the package, imported by microbag.models so the metadata is complete.
DROPS_MODELS: tuple[type[Base], ...] = (Drop, DropSku, DropRequest, DropAllocation)
