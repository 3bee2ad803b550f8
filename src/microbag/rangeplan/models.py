"""Landed unit costs per SKU (a dated history) and saved range plans with their lines."""

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

from microbag.db import Base, BigIntPK, UTCDateTime
from microbag.timeutil import utcnow


class SkuCost(Base):
    """A landed unit cost from ``effective_from`` on; the current one is the latest
    effective on or before today. Also the supplier's MOQ and case pack for buying."""

    __tablename__ = "sku_costs"
    __table_args__ = (
        UniqueConstraint("sku_id", "effective_from"),
        CheckConstraint("unit_cost_minor >= 0", name="cost_nonneg"),
        CheckConstraint("supplier_moq >= 1", name="moq_positive"),
        CheckConstraint("supplier_case_pack >= 1", name="case_pack_positive"),
        Index("ix_sku_costs_sku_effective", "sku_id", "effective_from"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"))
    unit_cost_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    effective_from: Mapped[date]
    supplier_moq: Mapped[int] = mapped_column(default=1)
    supplier_case_pack: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")


class RangePlan(Base):
    """One solved (or infeasible) range plan with the request and the solver's figures."""

    __tablename__ = "range_plans"
    __table_args__ = (Index("ix_range_plans_season_created", "season", "year", "created_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    season: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    region: Mapped[str | None] = mapped_column(String(32), default=None)
    segment: Mapped[str | None] = mapped_column(String(32), default=None)
    currency: Mapped[str] = mapped_column(String(3))
    budget_minor: Mapped[int] = mapped_column(BigInteger)
    # optimal | time_limit | infeasible
    status: Mapped[str] = mapped_column(String(16))
    objective: Mapped[float | None] = mapped_column(Float, default=None)
    greedy_objective: Mapped[float | None] = mapped_column(Float, default=None)
    gap: Mapped[float | None] = mapped_column(Float, default=None)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # The request, the candidates' count, the constraints and where the figures came from.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # For an infeasible request: the conflicting constraints and what relaxing one does.
    conflicts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")

    lines: Mapped[list[RangePlanLine]] = relationship(
        cascade="all, delete-orphan", order_by="RangePlanLine.rank", lazy="selectin"
    )


class RangePlanLine(Base):
    """A SKU in a plan: units to have by the ship window, what to buy, and why."""

    __tablename__ = "range_plan_lines"
    __table_args__ = (UniqueConstraint("plan_id", "sku_code"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("range_plans.id", ondelete="CASCADE"))
    rank: Mapped[int]
    sku_code: Mapped[str] = mapped_column(String(64))
    style_code: Mapped[str] = mapped_column(String(64))
    units: Mapped[int]  # available by the ship window
    units_to_buy: Mapped[int]
    free_units: Mapped[int]  # on hand and incoming already
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    unit_cost_minor: Mapped[int] = mapped_column(BigInteger)
    expected_sales: Mapped[float] = mapped_column(Float)
    expected_value: Mapped[float] = mapped_column(Float)
    # forecast | history | prior
    basis: Mapped[str] = mapped_column(String(16))
    demand_mean: Mapped[float] = mapped_column(Float)
    demand_lo80: Mapped[float] = mapped_column(Float)
    demand_hi80: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)


RANGEPLAN_MODELS = (SkuCost, RangePlan, RangePlanLine)
