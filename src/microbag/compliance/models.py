"""A compliance document attached to a style (all its SKUs) or to one SKU, for a market."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class ComplianceDocument(Base):
    """The file is kept in the database (documents are small: at most a few MB)."""

    __tablename__ = "compliance_documents"
    __table_args__ = (
        CheckConstraint(
            "(style_id IS NULL AND sku_id IS NOT NULL)"
            " OR (style_id IS NOT NULL AND sku_id IS NULL)",
            name="one_target",
        ),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        # A SKU page reads its own documents and its style's, by market.
        Index("ix_compliance_documents_style_region", "style_id", "region"),
        Index("ix_compliance_documents_sku_region", "sku_id", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    style_id: Mapped[int | None] = mapped_column(
        ForeignKey("styles.id", ondelete="CASCADE"), default=None
    )
    sku_id: Mapped[int | None] = mapped_column(
        ForeignKey("skus.id", ondelete="CASCADE"), default=None
    )
    # A buyer region (buyers.policies.REGIONS) or "all".
    region: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    issued_on: Mapped[date | None] = mapped_column(default=None)
    valid_until: Mapped[date | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
