"""Price lists per currency with per-SKU volume tiers, MOQ and case packs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class PriceList(Base):
    """A list in one currency, assigned to one company, or to a segment, or the default.

    Resolution for a company (pricing.service.price_list_for): its own list in its
    currency, else its segment's list, else the default list in its currency.
    """

    __tablename__ = "price_lists"
    __table_args__ = (
        CheckConstraint("min_order_value_minor >= 0", name="mov_nonneg"),
        CheckConstraint(
            "NOT (company_id IS NOT NULL AND segment IS NOT NULL)", name="one_assignment"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    currency: Mapped[str] = mapped_column(String(3), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    segment: Mapped[str | None] = mapped_column(String(32), index=True)
    min_order_value_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PriceListItem(Base):
    __tablename__ = "price_list_items"
    __table_args__ = (
        UniqueConstraint("price_list_id", "sku_id"),
        CheckConstraint("case_pack >= 1", name="case_pack_positive"),
        CheckConstraint("moq >= 1", name="moq_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(
        ForeignKey("price_lists.id", ondelete="CASCADE"), index=True
    )
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    moq: Mapped[int] = mapped_column(default=1)
    case_pack: Mapped[int] = mapped_column(default=1)

    tiers: Mapped[list[PriceTier]] = relationship(
        cascade="all, delete-orphan", order_by="PriceTier.min_quantity", lazy="selectin"
    )


class PriceTier(Base):
    """Unit price from ``min_quantity`` units upward (a quantity break)."""

    __tablename__ = "price_tiers"
    __table_args__ = (
        UniqueConstraint("item_id", "min_quantity"),
        CheckConstraint("min_quantity >= 1", name="min_qty_positive"),
        CheckConstraint("unit_price_minor >= 0", name="price_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("price_list_items.id", ondelete="CASCADE"), index=True
    )
    min_quantity: Mapped[int]
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
