"""Bundles: mined "often ordered together" rules, staff's bundle offers, and the bundle
discounts an order received.

Rules are mined from baskets (imported invoices and microbag's orders) by
``microbag plan mine-bundles`` or the ``bundles_mine`` job and kept per run, so pages
read the latest run instead of mining per request. SKUs are named by their code: an
imported history's products and the catalog share codes, and a rule outlives a SKU's
price or stock changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class BundleMiningRun(Base):
    """One mining of the baskets: what it read and how long it took."""

    __tablename__ = "bundle_mining_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Baskets up to the end of this week (Monday) were read: the last imported week.
    last_week: Mapped[date | None] = mapped_column(default=None)
    baskets: Mapped[int] = mapped_column(default=0)
    skus: Mapped[int] = mapped_column(default=0)
    rules: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # Thresholds used (min baskets, partners kept per SKU, ...).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(254), default="")


class BundleRule(Base):
    """``antecedent`` (one SKU, or two joined by ``+``) -> ``consequent``, with the
    association measures over the run's baskets and the ranking score."""

    __tablename__ = "bundle_rules"
    __table_args__ = (
        Index("ix_bundle_rules_run_antecedent_rank", "run_id", "antecedent", "rank"),
        CheckConstraint("baskets > 0", name="baskets_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("bundle_mining_runs.id", ondelete="CASCADE"))
    antecedent: Mapped[str] = mapped_column(String(200))
    antecedent_size: Mapped[int] = mapped_column(default=1)
    consequent: Mapped[str] = mapped_column(String(64))
    # Baskets holding antecedent and consequent together.
    baskets: Mapped[int]
    support: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    lift: Mapped[float] = mapped_column(Float)
    # Basket-size-weighted cosine (mining.py): what "often ordered together" ranks by.
    score: Mapped[float] = mapped_column(Float)
    # 1 = the antecedent's strongest partner.
    rank: Mapped[int]


class BundleOffer(Base):
    """A set of SKUs sold together at ``bundle_price_minor`` (per one set), on one price
    list or, with ``price_list_id`` NULL, on every list in ``currency``."""

    __tablename__ = "bundle_offers"
    __table_args__ = (CheckConstraint("bundle_price_minor >= 0", name="price_nonneg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    price_list_id: Mapped[int | None] = mapped_column(
        ForeignKey("price_lists.id", ondelete="CASCADE"), default=None, index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    bundle_price_minor: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    items: Mapped[list[BundleOfferItem]] = relationship(
        cascade="all, delete-orphan", order_by="BundleOfferItem.id", lazy="selectin"
    )


class BundleOfferItem(Base):
    __tablename__ = "bundle_offer_items"
    __table_args__ = (
        UniqueConstraint("offer_id", "sku_code"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("bundle_offers.id", ondelete="CASCADE"), index=True
    )
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    sku_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(default=1)


class OrderBundleDiscount(Base):
    """A bundle offer applied to an order: ``times`` whole sets, ``discount_minor`` off
    the order's total (its lines keep their list prices)."""

    __tablename__ = "order_bundle_discounts"
    __table_args__ = (
        CheckConstraint("discount_minor >= 0", name="discount_nonneg"),
        CheckConstraint("times > 0", name="times_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("bundle_offers.id", ondelete="SET NULL"), default=None
    )
    offer_name: Mapped[str] = mapped_column(String(120))
    times: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    discount_minor: Mapped[int] = mapped_column(BigInteger)


BUNDLE_MODELS = (BundleMiningRun, BundleRule, BundleOffer, BundleOfferItem, OrderBundleDiscount)
