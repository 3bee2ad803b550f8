"""API schemas for demand forecasts and their backtest."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from microbag.paging import Page

ForecastLevel = Literal["total", "region", "type", "style", "sku", "sku_region"]


class ForecastOut(BaseModel):
    level: ForecastLevel
    unique_id: str = Field(
        description="SKU code, SKU/region, style code, bag type, region or total"
    )
    week_start: date = Field(description="Monday of the week")
    mean: float = Field(description="Expected gross units ordered that week (never negative)")
    lo80: float = Field(description="Lower bound of the 80 % prediction interval")
    hi80: float = Field(description="Upper bound of the 80 % prediction interval")
    model: str = Field(description="Model chosen by the backtest (BottomUp: a sum of children)")


class ForecastPage(Page[ForecastOut]):
    run_id: int | None = Field(description="The forecast run read (latest with that level)")
    created_at: datetime | None
    horizon: int | None
    engine: str | None


class BacktestOut(BaseModel):
    level: ForecastLevel
    model: str = Field(description="A candidate model, or 'microbag' (each series its choice)")
    horizon: int = Field(description="Weeks ahead scored (4 or 8)")
    wape: float | None = Field(description="Sum of |error| / sum of actual units, pooled")
    mase: float | None = Field(description="Mean absolute scaled error (naive scale)")
    origins: int = Field(description="Series x origins scored")
    chosen: bool = Field(description="Chosen for at least one series")


class BacktestPage(BaseModel):
    items: list[BacktestOut]
    run_id: int | None
    created_at: datetime | None
