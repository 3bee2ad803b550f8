"""order header: buyer PO number, requested delivery date, ship-to, notes, incoterm (issue 11, h2)

Also the regions each warehouse serves first (warehouse_regions), which placement reads
to choose the warehouse stock is reserved from.

Revision ID: 0012_order_terms
Revises: 0011_addresses
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_order_terms"
down_revision: str | None = "0011_addresses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every new column is nullable: orders placed before keep no header (their incoterm
    # stays null; the pages show "—").
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("po_number", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("requested_delivery_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ship_to_address_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ship_to", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("incoterm", sa.String(length=3), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_ship_to_address_id_company_addresses"),
            "company_addresses",
            ["ship_to_address_id"],
            ["id"],
        )
        batch_op.create_index(
            "uq_orders_company_po_number", ["company_id", "po_number"], unique=True
        )
    op.create_table(
        "warehouse_regions",
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_warehouse_regions_rank_positive")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_warehouse_regions_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("warehouse_id", "region", name=op.f("pk_warehouse_regions")),
    )


def downgrade() -> None:
    op.drop_table("warehouse_regions")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("uq_orders_company_po_number")
        batch_op.drop_constraint(
            batch_op.f("fk_orders_ship_to_address_id_company_addresses"), type_="foreignkey"
        )
        batch_op.drop_column("incoterm")
        batch_op.drop_column("notes")
        batch_op.drop_column("ship_to")
        batch_op.drop_column("requested_delivery_date")
        batch_op.drop_column("ship_to_address_id")
        batch_op.drop_column("po_number")
