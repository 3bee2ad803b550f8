"""preorders, backorders and partial shipments (issue 11)

Order lines learn how they are filled (stock, preorder against an incoming batch,
backorder), the units still waiting for stock, their promised ship window, a queue
priority for staff overrides and the units shipped; shipments and their lines record
each consignment (carrier, tracking number, delivery).

Revision ID: 0019_fulfilment
Revises: 0018_facet_counts
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import microbag.db

revision: str = "0019_fulfilment"
down_revision: str | None = "0018_facet_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(
            sa.Column("fulfilment", sa.String(length=12), server_default="stock", nullable=False)
        )
        batch.add_column(sa.Column("incoming_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("waiting_quantity", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.add_column(sa.Column("promised_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("promised_until", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("queue_priority", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.add_column(
            sa.Column("shipped_quantity", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.create_foreign_key(
            batch.f("fk_order_lines_incoming_id_incoming_stock"),
            "incoming_stock",
            ["incoming_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_check_constraint(
            batch.f("ck_order_lines_waiting_in_range"),
            "waiting_quantity >= 0 AND waiting_quantity <= quantity",
        )
        batch.create_check_constraint(
            batch.f("ck_order_lines_shipped_in_range"),
            "shipped_quantity >= 0 AND shipped_quantity <= quantity",
        )
        batch.create_check_constraint(
            batch.f("ck_order_lines_fulfilment_known"),
            "fulfilment IN ('stock', 'preorder', 'backorder')",
        )
    op.create_index(
        "ix_order_lines_waiting",
        "order_lines",
        ["sku_id"],
        unique=False,
        sqlite_where=sa.text("waiting_quantity > 0"),
        postgresql_where=sa.text("waiting_quantity > 0"),
    )
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=100), nullable=False),
        sa.Column("shipped_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint(
            "status IN ('shipped', 'delivered')", name=op.f("ck_shipments_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_shipments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("order_id", "number", name=op.f("uq_shipments_order_id_number")),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"], unique=False)
    op.create_table(
        "shipment_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("sku_code", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipment_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_shipment_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_lines_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_shipment_lines_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
    )
    op.create_index(
        op.f("ix_shipment_lines_order_line_id"), "shipment_lines", ["order_line_id"], unique=False
    )
    op.create_index(
        op.f("ix_shipment_lines_shipment_id"), "shipment_lines", ["shipment_id"], unique=False
    )
    _convert_earlier_orders()


def _convert_earlier_orders() -> None:
    """Orders shipped before shipments existed shipped every unit in one consignment: a
    shipment (number 1, the order's tracking reference, no carrier) whose lines are the
    allocations, which then no longer count as reserved; a cancelled order's allocations
    were released already and go."""
    op.execute(
        "INSERT INTO shipments (order_id, number, status, carrier, tracking_number, "
        "shipped_at, delivered_at, created_by) "
        "SELECT o.id, 1, CASE WHEN o.status = 'delivered' THEN 'delivered' ELSE 'shipped' END, "
        "'', COALESCE(o.tracking_ref, ''), "
        "COALESCE((SELECT MAX(e.at) FROM order_events e WHERE e.order_id = o.id "
        "AND e.to_status = 'shipped'), o.created_at), "
        "CASE WHEN o.status = 'delivered' THEN (SELECT MAX(e.at) FROM order_events e "
        "WHERE e.order_id = o.id AND e.to_status = 'delivered') END, '' "
        "FROM orders o WHERE o.status IN ('shipped', 'delivered')"
    )
    op.execute(
        "INSERT INTO shipment_lines (shipment_id, order_line_id, warehouse_id, sku_code, "
        "quantity) SELECT s.id, l.id, a.warehouse_id, l.sku_code, a.quantity "
        "FROM shipments s JOIN order_lines l ON l.order_id = s.order_id "
        "JOIN order_allocations a ON a.line_id = l.id WHERE a.quantity > 0"
    )
    op.execute(
        "UPDATE order_lines SET shipped_quantity = quantity WHERE order_id IN "
        "(SELECT id FROM orders WHERE status IN ('shipped', 'delivered'))"
    )
    op.execute(
        "DELETE FROM order_allocations WHERE line_id IN (SELECT l.id FROM order_lines l "
        "JOIN orders o ON o.id = l.order_id "
        "WHERE o.status IN ('shipped', 'delivered', 'cancelled'))"
    )


def downgrade() -> None:
    op.drop_table("shipment_lines")
    op.drop_table("shipments")
    op.drop_index("ix_order_lines_waiting", table_name="order_lines")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_constraint(batch.f("ck_order_lines_fulfilment_known"), type_="check")
        batch.drop_constraint(batch.f("ck_order_lines_shipped_in_range"), type_="check")
        batch.drop_constraint(batch.f("ck_order_lines_waiting_in_range"), type_="check")
        batch.drop_constraint(
            batch.f("fk_order_lines_incoming_id_incoming_stock"), type_="foreignkey"
        )
        for column in (
            "shipped_quantity",
            "queue_priority",
            "promised_until",
            "promised_from",
            "waiting_quantity",
            "incoming_id",
            "fulfilment",
        ):
            batch.drop_column(column)
