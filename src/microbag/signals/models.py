"""Outside signals: dated values per keyword or attribute and region, with their source.

A point says e.g. "search interest in 'micro bag' in europe, week of 2024-03-04: 72
(index)" or "resale listings of color=red, week of 2024-03-04: 41 (count)". Points
are unique per (source, metric, attribute, term, region, period_start): importing a
newer file of the same source replaces the values it repeats.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, BigIntPK, UTCDateTime
from microbag.timeutil import utcnow


class SignalImportBatch(Base):
    __tablename__ = "signal_import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    # csv | resale-listings
    format: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(default=0)
    points_written: Mapped[int] = mapped_column(default=0)
    actor: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignalPoint(Base):
    __tablename__ = "signal_points"
    __table_args__ = (
        UniqueConstraint("source", "metric", "attribute", "term", "region", "period_start"),
        Index("ix_signal_points_subject", "attribute", "term", "period_start"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("signal_import_batches.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(64))
    # search_interest | social_mentions | influencer_posts | listings | median_price ...
    metric: Mapped[str] = mapped_column(String(32))
    # "keyword", or a trend attribute: bag_type, size_class, color, material, price_tier,
    # occasion.
    attribute: Mapped[str] = mapped_column(String(32))
    term: Mapped[str] = mapped_column(String(200))
    # A microbag region (buyers.policies.REGIONS) or "all".
    region: Mapped[str] = mapped_column(String(32), default="all")
    period_start: Mapped[date]
    value: Mapped[float] = mapped_column(Float)
    # index | count | a currency code for prices ...
    unit: Mapped[str] = mapped_column(String(16), default="")
