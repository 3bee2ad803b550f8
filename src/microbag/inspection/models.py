"""Acceptance-sampling inspections of received lots (ISO 2859-1), their defects by kind
and class, and photos. A lot is a ``purchasing.models.ReceiptLine``; its state changes
go through ``purchasing.receiving``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow

DEFECT_KINDS = (
    "stitching",
    "hardware",
    "zips",
    "lining",
    "color",
    "dimensions",
    "odor",
    "labeling",
)
DEFECT_CLASSES = ("critical", "major", "minor")


class Inspection(Base):
    """An acceptance-sampling inspection of a lot (ISO 2859-1, general level II, single
    sampling, normal inspection). ``plan``: per defect class, {aql, sample_size, accept,
    reject, found} as the standard's tables gave them for ``lot_size``."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint("result IN ('accept', 'reject')", name="result_known"),
        Index("ix_inspections_lot", "receipt_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_line_id: Mapped[int] = mapped_column(ForeignKey("receipt_lines.id", ondelete="CASCADE"))
    lot_size: Mapped[int]
    code_letter: Mapped[str] = mapped_column(String(1))
    sample_size: Mapped[int]
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[str] = mapped_column(String(8))
    # Defective units found over all classes divided by the units inspected.
    defect_rate: Mapped[float] = mapped_column(Float, default=0.0)
    note: Mapped[str] = mapped_column(Text, default="")
    inspector: Mapped[str] = mapped_column(String(254), default="")
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    defects: Mapped[list[InspectionDefect]] = relationship(
        cascade="all, delete-orphan", order_by="InspectionDefect.id"
    )


class InspectionDefect(Base):
    __tablename__ = "inspection_defects"
    __table_args__ = (
        CheckConstraint("count > 0", name="count_positive"),
        CheckConstraint("defect_class IN ('critical', 'major', 'minor')", name="class_known"),
        Index("ix_inspection_defects_inspection", "inspection_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    # stitching, hardware, zips, lining, color, dimensions, odor, labeling
    kind: Mapped[str] = mapped_column(String(24))
    defect_class: Mapped[str] = mapped_column(String(8))
    count: Mapped[int]
    note: Mapped[str] = mapped_column(String(500), default="")


class InspectionPhoto(Base):
    """A photo of a defect (or of the lot), kept in the database (bounded in size)."""

    __tablename__ = "inspection_photos"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size_positive"),
        Index("ix_inspection_photos_inspection", "inspection_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    defect_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_defects.id", ondelete="SET NULL"), default=None
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


INSPECTION_MODELS = (Inspection, InspectionDefect, InspectionPhoto)
