"""bundles: mined "often ordered together" rules, bundle offers, orders' bundle discounts

Revision ID: 0008_bundles
Revises: 0007_range_plans
Create Date: 2026-12-05 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import microbag.db

revision: str = "0008_bundles"
down_revision: str | None = "0007_range_plans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bundle_mining_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_week", sa.Date(), nullable=True),
        sa.Column("baskets", sa.Integer(), nullable=False),
        sa.Column("skus", sa.Integer(), nullable=False),
        sa.Column("rules", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_mining_runs")),
    )
    op.create_table(
        "bundle_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("antecedent", sa.String(length=200), nullable=False),
        sa.Column("antecedent_size", sa.Integer(), nullable=False),
        sa.Column("consequent", sa.String(length=64), nullable=False),
        sa.Column("baskets", sa.Integer(), nullable=False),
        sa.Column("support", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("lift", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.CheckConstraint("baskets > 0", name=op.f("ck_bundle_rules_baskets_positive")),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["bundle_mining_runs.id"],
            name=op.f("fk_bundle_rules_run_id_bundle_mining_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_rules")),
    )
    with op.batch_alter_table("bundle_rules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bundle_rules_run_antecedent_rank", ["run_id", "antecedent", "rank"], unique=False
        )

    op.create_table(
        "bundle_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("bundle_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("bundle_price_minor >= 0", name=op.f("ck_bundle_offers_price_nonneg")),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["price_lists.id"],
            name=op.f("fk_bundle_offers_price_list_id_price_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_offers")),
    )
    with op.batch_alter_table("bundle_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bundle_offers_price_list_id"), ["price_list_id"], unique=False
        )

    op.create_table(
        "bundle_offer_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("sku_code", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_bundle_offer_items_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["bundle_offers.id"],
            name=op.f("fk_bundle_offer_items_offer_id_bundle_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_bundle_offer_items_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_offer_items")),
        sa.UniqueConstraint(
            "offer_id", "sku_code", name=op.f("uq_bundle_offer_items_offer_id_sku_code")
        ),
    )
    with op.batch_alter_table("bundle_offer_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bundle_offer_items_offer_id"), ["offer_id"], unique=False
        )

    op.create_table(
        "order_bundle_discounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("offer_name", sa.String(length=120), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "discount_minor >= 0", name=op.f("ck_order_bundle_discounts_discount_nonneg")
        ),
        sa.CheckConstraint("times > 0", name=op.f("ck_order_bundle_discounts_times_positive")),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["bundle_offers.id"],
            name=op.f("fk_order_bundle_discounts_offer_id_bundle_offers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_bundle_discounts_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_bundle_discounts")),
    )
    with op.batch_alter_table("order_bundle_discounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_bundle_discounts_order_id"), ["order_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("order_bundle_discounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_bundle_discounts_order_id"))
    op.drop_table("order_bundle_discounts")
    with op.batch_alter_table("bundle_offer_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bundle_offer_items_offer_id"))
    op.drop_table("bundle_offer_items")
    with op.batch_alter_table("bundle_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bundle_offers_price_list_id"))
    op.drop_table("bundle_offers")
    with op.batch_alter_table("bundle_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_bundle_rules_run_antecedent_rank")
    op.drop_table("bundle_rules")
    op.drop_table("bundle_mining_runs")
