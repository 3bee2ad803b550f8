"""Orders, their lines, stock allocations, status events and idempotency keys."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microbag.db import Base, UTCDateTime
from microbag.orders.header import ship_to_of
from microbag.timeutil import utcnow


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total_minor >= 0", name="total_nonneg"),
        Index("ix_orders_company_created", "company_id", "created_at"),
        # A buyer's PO number names one order of its company (NULLs: many orders without).
        # The index decides between concurrent duplicates (orders.placement_writes).
        Index("uq_orders_company_po_number", "company_id", "po_number", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # draft | placed | confirmed | partly_shipped | shipped | delivered | cancelled
    # (orders.policies; partly_shipped and shipped follow the order's shipments)
    status: Mapped[str] = mapped_column(String(16), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    price_list_id: Mapped[int | None] = mapped_column(ForeignKey("price_lists.id"))
    # Set when the order came from an accepted quote.
    quote_id: Mapped[int | None] = mapped_column(default=None, unique=True)
    tracking_ref: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The header (issue 11; orders.header): the buyer's PO number, the delivery date it
    # asks for, where to ship (the address's id and a copy of its fields, so a later
    # edit of the address leaves the order as placed), notes and the incoterm (EXW, FOB,
    # DAP, DDP; null on orders placed before incoterms existed).
    po_number: Mapped[str | None] = mapped_column(String(64), default=None)
    requested_delivery_date: Mapped[date | None] = mapped_column(default=None)
    ship_to_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("company_addresses.id"), default=None
    )
    ship_to: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True), default=None)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    incoterm: Mapped[str | None] = mapped_column(String(3), default=None)

    @property
    def ship_to_lines(self) -> list[str]:
        """The ship-to copy as printed on a label (empty without a ship-to)."""
        return ship_to_of(self.ship_to).lines() if self.ship_to else []

    lines: Mapped[list[OrderLine]] = relationship(
        cascade="all, delete-orphan", order_by="OrderLine.line_no", lazy="selectin"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        cascade="all, delete-orphan", order_by="OrderEvent.id", lazy="selectin"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "waiting_quantity >= 0 AND waiting_quantity <= quantity", name="waiting_in_range"
        ),
        CheckConstraint(
            "shipped_quantity >= 0 AND shipped_quantity <= quantity", name="shipped_in_range"
        ),
        CheckConstraint(
            "fulfilment IN ('stock', 'preorder', 'backorder')", name="fulfilment_known"
        ),
        # The queue of lines waiting for stock (orders.backorders): only those rows.
        Index(
            "ix_order_lines_waiting",
            "sku_id",
            sqlite_where=text("waiting_quantity > 0"),
            postgresql_where=text("waiting_quantity > 0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    sku_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    line_total_minor: Mapped[int] = mapped_column(BigInteger)
    # How the line is filled (orders.backorders): "stock" (reserved at placing),
    # "preorder" (against an incoming batch, promised its ship window) or "backorder"
    # (what stock lacked waits for the next arrival). Server defaults: the placement's
    # hot path writes a plain line without naming these columns.
    fulfilment: Mapped[str] = mapped_column(String(12), server_default="stock")
    incoming_id: Mapped[int | None] = mapped_column(
        ForeignKey("incoming_stock.id", ondelete="SET NULL"), default=None
    )
    # Units not reserved yet: arriving stock goes to waiting lines first come, first
    # served (queue_priority, set by staff, goes first).
    waiting_quantity: Mapped[int] = mapped_column(server_default=text("0"))
    promised_from: Mapped[date | None] = mapped_column(default=None)
    promised_until: Mapped[date | None] = mapped_column(default=None)
    queue_priority: Mapped[int] = mapped_column(server_default=text("0"))
    shipped_quantity: Mapped[int] = mapped_column(server_default=text("0"))

    @property
    def reserved_quantity(self) -> int:
        """Units reserved in a warehouse and not shipped yet."""
        return sum(a.quantity for a in self.allocations)

    allocations: Mapped[list[OrderAllocation]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class OrderAllocation(Base):
    """Which warehouse a line's units are reserved (then shipped) from."""

    __tablename__ = "order_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int]


class OrderEvent(Base):
    """Every status transition: who, when, why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdempotencyRecord(Base):
    """One row per (company, Idempotency-Key); the unique key makes replays safe."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("company_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    # Set in the same transaction that claims the key (orders.placement): the key is
    # claimed first, so a concurrent twin waits on it before doing any work.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Shipment(Base):
    """A consignment of some of an order's units (orders.shipments): carrier, tracking
    number and link, shipped then delivered. An order may ship in several."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("order_id", "number"),
        CheckConstraint("status IN ('shipped', 'delivered')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, ... within the order
    status: Mapped[str] = mapped_column(String(12), default="shipped")
    carrier: Mapped[str] = mapped_column(String(32), default="")  # shipping.policies.CARRIERS
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_by: Mapped[str] = mapped_column(String(254), default="")

    lines: Mapped[list[ShipmentLine]] = relationship(
        cascade="all, delete-orphan", order_by="ShipmentLine.id", lazy="selectin"
    )


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    sku_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
