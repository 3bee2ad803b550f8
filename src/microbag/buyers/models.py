"""Buyer companies: who the seller trades with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (CheckConstraint("credit_limit_minor >= 0", name="credit_limit_nonneg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # department_store | boutique | distributor | ecommerce | brand (see buyers.policies)
    segment: Mapped[str] = mapped_column(String(32), index=True)
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    region: Mapped[str] = mapped_column(String(32), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    # None means prepaid; otherwise net N days.
    # evaluates_none: an explicit None (prepaid) is stored as NULL instead of the default.
    payment_terms_days: Mapped[int | None] = mapped_column(Integer().evaluates_none(), default=30)
    credit_limit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    locale: Mapped[str] = mapped_column(String(16), default="en_US")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_prepaid(self) -> bool:
        return self.payment_terms_days is None
