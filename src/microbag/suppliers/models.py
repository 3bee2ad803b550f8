"""Suppliers (factories and trading companies), their certifications and audit reports,
and their price lists per SKU or per style (OEM work)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class Supplier(Base):
    """A factory or a trading company the seller buys from.

    ``contacts``: a list of {name, role, email, phone}.
    ``capabilities``: {bag_types: [...], materials: [...], hardware: [...], oem: bool,
    odm: bool, logo: bool, packaging: bool} (suppliers.policies.CAPABILITY_KEYS).
    """

    __tablename__ = "suppliers"
    __table_args__ = (
        CheckConstraint("kind IN ('factory', 'trading_company')", name="kind_known"),
        CheckConstraint("monthly_capacity_units >= 0", name="capacity_nonneg"),
        CheckConstraint("default_lead_time_days >= 0", name="lead_time_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="factory")
    country: Mapped[str] = mapped_column(String(2))
    # Province, state or city cluster (Guangdong, Zhejiang, Tuscany...).
    region: Mapped[str] = mapped_column(String(100), default="")
    currency: Mapped[str] = mapped_column(String(3))
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    monthly_capacity_units: Mapped[int] = mapped_column(default=0)
    default_lead_time_days: Mapped[int] = mapped_column(default=45)
    payment_terms: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SupplierCertificate(Base):
    """A certification or audit report (BSCI, ISO 9001, LWG, a social audit...).

    The file is optional (a record may come before its scan) and kept in the database,
    checked like compliance documents (type and size)."""

    __tablename__ = "supplier_certificates"
    __table_args__ = (Index("ix_supplier_certificates_supplier", "supplier_id", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    issued_on: Mapped[date | None] = mapped_column(default=None)
    valid_until: Mapped[date | None] = mapped_column(default=None)
    filename: Mapped[str | None] = mapped_column(String(255), default=None)
    content_type: Mapped[str | None] = mapped_column(String(100), default=None)
    size_bytes: Mapped[int | None] = mapped_column(default=None)
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SupplierPrice(Base):
    """A supplier's unit cost for one SKU, or for a style (OEM work: any of its SKUs),
    in the supplier's currency, valid from ``valid_from`` until ``valid_until`` (open
    when null), with the supplier's MOQ, case pack and lead time for it."""

    __tablename__ = "supplier_prices"
    __table_args__ = (
        CheckConstraint(
            "(style_id IS NULL AND sku_id IS NOT NULL)"
            " OR (style_id IS NOT NULL AND sku_id IS NULL)",
            name="one_target",
        ),
        CheckConstraint("unit_cost_minor >= 0", name="cost_nonneg"),
        CheckConstraint("moq >= 1", name="moq_positive"),
        CheckConstraint("case_pack >= 1", name="case_pack_positive"),
        CheckConstraint("lead_time_days IS NULL OR lead_time_days >= 0", name="lead_nonneg"),
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_range"),
        Index("ix_supplier_prices_sku", "sku_id", "valid_from"),
        Index("ix_supplier_prices_style", "style_id", "valid_from"),
        Index("ix_supplier_prices_supplier", "supplier_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    sku_id: Mapped[int | None] = mapped_column(
        ForeignKey("skus.id", ondelete="CASCADE"), default=None
    )
    style_id: Mapped[int | None] = mapped_column(
        ForeignKey("styles.id", ondelete="CASCADE"), default=None
    )
    unit_cost_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    moq: Mapped[int] = mapped_column(default=1)
    case_pack: Mapped[int] = mapped_column(default=1)
    # Null: the supplier's default lead time.
    lead_time_days: Mapped[int | None] = mapped_column(default=None)
    valid_from: Mapped[date]
    valid_until: Mapped[date | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")


SUPPLIER_MODELS = (Supplier, SupplierCertificate, SupplierPrice)
