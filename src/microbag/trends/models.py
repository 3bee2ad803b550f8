"""Stored trend runs and their results (label plus the evidence that produced it).

Importing this module also registers the sales-history and signal tables, so
``microbag.models`` needs one line for the whole market-intelligence schema.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, UTCDateTime
from microbag.history.models import SalesImportBatch, SalesImportFile, SalesLine
from microbag.signals.models import SignalImportBatch, SignalPoint
from microbag.timeutil import utcnow


class TrendRun(Base):
    """One ``microbag trends run``: its parameters and the last week it saw."""

    __tablename__ = "trend_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    window_weeks: Mapped[int]
    last_week: Mapped[date | None] = mapped_column(default=None)
    # The TrendParams used (thresholds, lookback), for the record.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    results_count: Mapped[int] = mapped_column(default=0)


class TrendResult(Base):
    __tablename__ = "trend_results"
    __table_args__ = (
        Index("ix_trend_results_run_subject", "run_id", "attribute", "value"),
        Index("ix_trend_results_run_label", "run_id", "label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("trend_runs.id", ondelete="CASCADE"))
    # "units" (gross units sold) or "signal:<source>:<metric>".
    basis: Mapped[str] = mapped_column(String(100))
    attribute: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(200))
    # A region or "all"; a buyer segment or "all".
    region: Mapped[str] = mapped_column(String(32))
    segment: Mapped[str] = mapped_column(String(32))
    # rising | steady | fading
    label: Mapped[str] = mapped_column(String(16))
    growth_pct: Mapped[float | None] = mapped_column(Float, default=None)
    recent_total: Mapped[float] = mapped_column(Float, default=0.0)
    previous_total: Mapped[float] = mapped_column(Float, default=0.0)
    # policies.Evidence.as_dict(): windows, Mann-Kendall, change points, reasons.
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [[week_start ISO, value], ...] oldest first.
    series: Mapped[list[Any]] = mapped_column(JSON, default=list)


INTELLIGENCE_MODELS = (
    SalesImportBatch,
    SalesImportFile,
    SalesLine,
    SignalImportBatch,
    SignalPoint,
    TrendRun,
    TrendResult,
)
