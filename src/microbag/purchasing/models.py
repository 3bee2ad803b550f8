"""Purchase orders to suppliers with their lines and events; receipts of goods, each
line a lot that may be inspected (the inspection package) before it becomes sellable stock.

Lot states (``ReceiptLine.status``): ``pending_inspection`` (held, not sellable),
``accepted`` (its units joined stock on hand), ``quarantined`` (rejected, held until
staff decide), ``returned`` (sent back to the supplier), ``rework`` (at the supplier or
the workshop; inspected again when it comes back)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow

PO_STATUSES = (
    "draft",
    "sent",
    "confirmed",
    "partly_received",
    "received",
    "closed",
    "cancelled",
)
LOT_STATUSES = ("pending_inspection", "accepted", "quarantined", "returned", "rework")


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'sent', 'confirmed', 'partly_received', 'received',"
            " 'closed', 'cancelled')",
            name="status_known",
        ),
        Index("ix_purchase_orders_supplier_created", "supplier_id", "created_at"),
        Index("ix_purchase_orders_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # PO-<year>-<5 digits>, given when the draft is made.
    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    currency: Mapped[str] = mapped_column(String(3))
    # Where the goods go unless a line says otherwise.
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    # manual, reorder (reorder suggestions), range_plan (a saved range plan).
    source: Mapped[str] = mapped_column(String(20), default="manual")
    source_ref: Mapped[str] = mapped_column(String(64), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="order",
        cascade="all, delete-orphan",
        order_by="PurchaseOrderLine.line_no",
    )
    events: Mapped[list[PurchaseOrderEvent]] = relationship(
        cascade="all, delete-orphan", order_by="PurchaseOrderEvent.id"
    )


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        UniqueConstraint("po_id", "line_no"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_cost_minor >= 0", name="cost_nonneg"),
        CheckConstraint("received_quantity >= 0", name="received_nonneg"),
        Index("ix_purchase_order_lines_sku", "sku_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    sku_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    unit_cost_minor: Mapped[int] = mapped_column(BigInteger)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    requested_date: Mapped[date | None] = mapped_column(default=None)
    # The supplier's promised date, set when the line is confirmed.
    promised_date: Mapped[date | None] = mapped_column(default=None)
    # The incoming batch confirming this line created (buyers see it as "incoming").
    incoming_id: Mapped[int | None] = mapped_column(
        ForeignKey("incoming_stock.id", ondelete="SET NULL"), default=None
    )
    # Units delivered so far over all receipts (over- and under-deliveries show against
    # ``quantity``).
    received_quantity: Mapped[int] = mapped_column(default=0)
    # When the last delivery for this line arrived.
    last_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")


class PurchaseOrderEvent(Base):
    __tablename__ = "purchase_order_events"
    __table_args__ = (Index("ix_purchase_order_events_po", "po_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(254), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Receipt(Base):
    """One delivery against a purchase order. ``reference`` (the delivery note number)
    makes a repeated submission of the same delivery a no-op."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("po_id", "reference"),
        Index("ix_receipts_po", "po_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    reference: Mapped[str | None] = mapped_column(String(64), default=None)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    received_by: Mapped[str] = mapped_column(String(254), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines: Mapped[list[ReceiptLine]] = relationship(
        cascade="all, delete-orphan", order_by="ReceiptLine.id"
    )


class ReceiptLine(Base):
    """A lot: the units of one PO line in one delivery (see the module's lot states)."""

    __tablename__ = "receipt_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "status IN ('pending_inspection', 'accepted', 'quarantined', 'returned', 'rework')",
            name="status_known",
        ),
        Index("ix_receipt_lines_receipt", "receipt_id"),
        Index("ix_receipt_lines_po_line", "po_line_id"),
        Index("ix_receipt_lines_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"))
    po_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(String(24), default="pending_inspection")
    # Units that joined stock on hand (the whole lot once accepted).
    stocked_quantity: Mapped[int] = mapped_column(default=0)
    decision: Mapped[str] = mapped_column(String(24), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(254), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


PURCHASING_MODELS = (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderEvent,
    Receipt,
    ReceiptLine,
)
