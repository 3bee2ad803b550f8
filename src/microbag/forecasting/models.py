"""Stored forecast runs, their forecasts (mean and 80 % interval) and backtest scores."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class ForecastRun(Base):
    """One ``microbag forecast run``."""

    __tablename__ = "forecast_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    horizon: Mapped[int]
    # local | dask
    engine: Mapped[str] = mapped_column(String(16))
    # levels, reconciliation, last history week, selection mode, series counts...
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    duration: Mapped[float] = mapped_column(Float, default=0.0)


class Forecast(Base):
    """One week of one series: level (sku, sku_region, style, type, region, total)."""

    __tablename__ = "forecasts"
    __table_args__ = (
        Index("ix_forecasts_run_level_uid", "run_id", "level", "unique_id", "week_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16))
    unique_id: Mapped[str] = mapped_column(String(200))
    week_start: Mapped[date]
    mean: Mapped[float] = mapped_column(Float)
    lo80: Mapped[float] = mapped_column(Float)
    hi80: Mapped[float] = mapped_column(Float)
    # The model chosen for the series by the backtest (base forecast before reconciling).
    model: Mapped[str] = mapped_column(String(64))


class BacktestScore(Base):
    """Rolling-origin backtest of one model on one series (or pooled: unique_id '*')."""

    __tablename__ = "forecast_backtest_scores"
    __table_args__ = (Index("ix_forecast_backtest_run_level_uid", "run_id", "level", "unique_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16))
    unique_id: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(64))
    horizon: Mapped[int]
    wape: Mapped[float | None] = mapped_column(Float, default=None)
    mase: Mapped[float | None] = mapped_column(Float, default=None)
    origins: Mapped[int] = mapped_column(default=0)
    # True for the model chosen for this series.
    chosen: Mapped[bool] = mapped_column(default=False)


FORECAST_MODELS = (ForecastRun, Forecast, BacktestScore)
