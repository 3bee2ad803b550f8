"""limited-edition drops, requests and allocations (issue 11, h5)

Revision ID: 0015_drops
Revises: 0012_order_terms
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import microbag.db

revision: str = "0015_drops"
down_revision: str | None = "0012_order_terms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("embargo_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("company_ids", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("allocated_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("allocated_by", sa.String(length=254), nullable=False),
        sa.Column("closed_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'allocated', 'closed')",
            name=op.f("ck_drops_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drops")),
    )
    op.create_index(op.f("ix_drops_status"), "drops", ["status"], unique=False)
    op.create_table(
        "drop_skus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drop_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("sku_code", sa.String(length=64), nullable=False),
        sa.Column("edition_size", sa.Integer(), nullable=False),
        sa.Column("buyer_cap", sa.Integer(), nullable=False),
        sa.Column("case_pack", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.Integer(), nullable=True),
        sa.CheckConstraint("buyer_cap > 0", name=op.f("ck_drop_skus_cap_positive")),
        sa.CheckConstraint("case_pack > 0", name=op.f("ck_drop_skus_case_pack_positive")),
        sa.CheckConstraint("edition_size > 0", name=op.f("ck_drop_skus_edition_positive")),
        sa.CheckConstraint(
            "unit_price_minor IS NULL OR unit_price_minor >= 0",
            name=op.f("ck_drop_skus_price_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["drop_id"], ["drops.id"], name=op.f("fk_drop_skus_drop_id_drops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_drop_skus_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drop_skus")),
        sa.UniqueConstraint("drop_id", "sku_id", name=op.f("uq_drop_skus_drop_id_sku_id")),
    )
    op.create_index(op.f("ix_drop_skus_drop_id"), "drop_skus", ["drop_id"], unique=False)
    op.create_index(op.f("ix_drop_skus_sku_id"), "drop_skus", ["sku_id"], unique=False)
    op.create_table(
        "drop_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drop_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("weight_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('ordered', 'failed', 'none')",
            name=op.f("ck_drop_allocations_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_drop_allocations_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["drop_id"],
            ["drops.id"],
            name=op.f("fk_drop_allocations_drop_id_drops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_drop_allocations_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drop_allocations")),
        sa.UniqueConstraint(
            "drop_id", "company_id", name=op.f("uq_drop_allocations_drop_id_company_id")
        ),
    )
    op.create_index(
        op.f("ix_drop_allocations_company_id"), "drop_allocations", ["company_id"], unique=False
    )
    op.create_index(
        op.f("ix_drop_allocations_drop_id"), "drop_allocations", ["drop_id"], unique=False
    )
    op.create_table(
        "drop_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drop_id", sa.Integer(), nullable=False),
        sa.Column("drop_sku_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=True),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "allocated IS NULL OR allocated >= 0", name=op.f("ck_drop_requests_allocated_nonneg")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_drop_requests_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_drop_requests_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["drop_id"],
            ["drops.id"],
            name=op.f("fk_drop_requests_drop_id_drops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["drop_sku_id"],
            ["drop_skus.id"],
            name=op.f("fk_drop_requests_drop_sku_id_drop_skus"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_drop_requests_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drop_requests")),
        sa.UniqueConstraint(
            "drop_sku_id", "company_id", name=op.f("uq_drop_requests_drop_sku_id_company_id")
        ),
    )
    op.create_index(
        op.f("ix_drop_requests_company_id"), "drop_requests", ["company_id"], unique=False
    )
    op.create_index(
        "ix_drop_requests_drop_company", "drop_requests", ["drop_id", "company_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_drop_requests_drop_company", table_name="drop_requests")
    op.drop_index(op.f("ix_drop_requests_company_id"), table_name="drop_requests")
    op.drop_table("drop_requests")
    op.drop_index(op.f("ix_drop_allocations_drop_id"), table_name="drop_allocations")
    op.drop_index(op.f("ix_drop_allocations_company_id"), table_name="drop_allocations")
    op.drop_table("drop_allocations")
    op.drop_index(op.f("ix_drop_skus_sku_id"), table_name="drop_skus")
    op.drop_index(op.f("ix_drop_skus_drop_id"), table_name="drop_skus")
    op.drop_table("drop_skus")
    op.drop_index(op.f("ix_drops_status"), table_name="drops")
    op.drop_table("drops")
