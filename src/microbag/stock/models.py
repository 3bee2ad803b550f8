"""Stock on hand and reserved per warehouse, and incoming quantities."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="US")


class WarehouseRegion(Base):
    """A buyer region a warehouse serves first, with its rank for that region (1 = the
    region's first choice). Placement reserves from the warehouses serving the buyer's
    region by rank, then from the fullest (``stock.policies.allocation_order``)."""

    __tablename__ = "warehouse_regions"
    __table_args__ = (CheckConstraint("rank >= 1", name="rank_positive"),)

    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(32), primary_key=True)  # buyers.policies.REGIONS
    rank: Mapped[int]


class StockLevel(Base):
    """Available to sell = on_hand - reserved; the checks make oversell impossible."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("sku_id", "warehouse_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        CheckConstraint("reserved >= 0", name="reserved_nonneg"),
        CheckConstraint("reserved <= on_hand", name="reserved_le_on_hand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class IncomingStock(Base):
    """A purchase or production batch expected at a warehouse."""

    __tablename__ = "incoming_stock"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # The catalog's "ships by" filter: an EXISTS per SKU answered from this index.
        Index("ix_incoming_stock_sku_expected", "sku_id", "expected_date", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int]
    expected_date: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


# skus.available_bins, kept by triggers on stock_levels (stock/bins.py).
from microbag.stock.bins import register_bins_ddl  # noqa: E402

register_bins_ddl(StockLevel.__table__)  # type: ignore[arg-type]
