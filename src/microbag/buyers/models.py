"""Buyer companies: who the seller trades with."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    text,
)
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
    # Trade terms staff set (issue 11): the incoterm new orders get unless they name one
    # (buyers.policies.INCOTERMS), and whether every order must carry the buyer's PO number.
    # Server defaults too: rows written before these columns existed, and bulk inserts.
    incoterm_default: Mapped[str] = mapped_column(String(3), default="DAP", server_default="DAP")
    po_number_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Tax identity (buyers.policies validates): an EU or UK VAT number stored compact with its
    # country prefix (DE136695976), and a US resale certificate (number, issuing state, expiry).
    vat_number: Mapped[str | None] = mapped_column(String(20), default=None)
    resale_certificate_number: Mapped[str | None] = mapped_column(String(40), default=None)
    resale_certificate_state: Mapped[str | None] = mapped_column(String(2), default=None)
    resale_certificate_expires: Mapped[date | None] = mapped_column(Date(), default=None)

    @property
    def is_prepaid(self) -> bool:
        return self.payment_terms_days is None


class CompanyAddress(Base):
    """A bill-to or ship-to address of a buyer company.

    At most one active default per company and kind: the service moves the flag, the
    partial unique index catches a race between two writers (both databases support it).
    Addresses are deactivated, never deleted: orders placed earlier keep a copy anyway.
    """

    __tablename__ = "company_addresses"
    __table_args__ = (
        CheckConstraint("kind IN ('billing', 'shipping')", name="kind_known"),
        Index(
            "uq_company_addresses_one_default",
            "company_id",
            "kind",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # billing | shipping
    label: Mapped[str] = mapped_column(String(80), default="")  # "Main warehouse"
    name: Mapped[str] = mapped_column(String(200), default="")  # recipient / attention
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")  # state, prefecture, province
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_default: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
