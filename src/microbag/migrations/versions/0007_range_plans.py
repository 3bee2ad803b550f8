"""range plans: landed unit costs per SKU, saved range plans and their lines

Revision ID: 0007_range_plans
Revises: 0006_knowledge
Create Date: 2026-12-05 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import microbag.db

revision: str = "0007_range_plans"
down_revision: str | None = "0006_knowledge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sku_costs",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("unit_cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("supplier_moq", sa.Integer(), nullable=False),
        sa.Column("supplier_case_pack", sa.Integer(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint("unit_cost_minor >= 0", name=op.f("ck_sku_costs_cost_nonneg")),
        sa.CheckConstraint("supplier_moq >= 1", name=op.f("ck_sku_costs_moq_positive")),
        sa.CheckConstraint("supplier_case_pack >= 1", name=op.f("ck_sku_costs_case_pack_positive")),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_sku_costs_sku_id_skus"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sku_costs")),
        sa.UniqueConstraint(
            "sku_id", "effective_from", name=op.f("uq_sku_costs_sku_id_effective_from")
        ),
    )
    with op.batch_alter_table("sku_costs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sku_costs_sku_effective", ["sku_id", "effective_from"], unique=False
        )

    op.create_table(
        "range_plans",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("season", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("segment", sa.String(length=32), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("budget_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("greedy_objective", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_range_plans")),
    )
    with op.batch_alter_table("range_plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_range_plans_season_created", ["season", "year", "created_at"], unique=False
        )

    op.create_table(
        "range_plan_lines",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("plan_id", BIG_ID, nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("sku_code", sa.String(length=64), nullable=False),
        sa.Column("style_code", sa.String(length=64), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("units_to_buy", sa.Integer(), nullable=False),
        sa.Column("free_units", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("expected_sales", sa.Float(), nullable=False),
        sa.Column("expected_value", sa.Float(), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("demand_mean", sa.Float(), nullable=False),
        sa.Column("demand_lo80", sa.Float(), nullable=False),
        sa.Column("demand_hi80", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["range_plans.id"],
            name=op.f("fk_range_plan_lines_plan_id_range_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_range_plan_lines")),
        sa.UniqueConstraint(
            "plan_id", "sku_code", name=op.f("uq_range_plan_lines_plan_id_sku_code")
        ),
    )


def downgrade() -> None:
    op.drop_table("range_plan_lines")
    with op.batch_alter_table("range_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_range_plans_season_created")
    op.drop_table("range_plans")
    with op.batch_alter_table("sku_costs", schema=None) as batch_op:
        batch_op.drop_index("ix_sku_costs_sku_effective")
    op.drop_table("sku_costs")
