"""catalog facet counts kept in advance (issue 8, h8)

Two cell tables (SKUs per style, and per material and color), kept by triggers on
skus and styles, so the catalog's facet counts under "in stock" read a few thousand
cells instead of every matching SKU (catalog/facet_cells.py).

Revision ID: 0018_facet_counts
Revises: 0017_audit
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from microbag.catalog.facet_cells import drop_cells, install_cells, recount_cells

revision: str = "0018_facet_counts"
down_revision: str | None = "0017_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "facet_style_cells",
        sa.Column("style_id", sa.Integer(), nullable=False),
        sa.Column("sku_lifecycle", sa.String(length=16), nullable=False),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("skus", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "style_id", "sku_lifecycle", "in_stock", name=op.f("pk_facet_style_cells")
        ),
    )
    op.create_table(
        "facet_sku_cells",
        sa.Column("material", sa.String(length=32), nullable=False),
        sa.Column("color", sa.String(length=32), nullable=False),
        sa.Column("sku_lifecycle", sa.String(length=16), nullable=False),
        sa.Column("style_lifecycle", sa.String(length=16), nullable=False),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("skus", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "material",
            "color",
            "sku_lifecycle",
            "style_lifecycle",
            "in_stock",
            name=op.f("pk_facet_sku_cells"),
        ),
    )
    op.create_index(
        "ix_styles_facets",
        "styles",
        ["lifecycle", "bag_type", "size_class", "price_tier", "season"],
        unique=False,
    )
    bind = op.get_bind()
    recount_cells(bind)
    install_cells(bind)
    if bind.dialect.name == "postgresql":  # the planner's row estimates for the new tables
        op.execute("ANALYZE facet_style_cells")
        op.execute("ANALYZE facet_sku_cells")


def downgrade() -> None:
    drop_cells(op.get_bind())
    op.drop_index("ix_styles_facets", table_name="styles")
    op.drop_table("facet_sku_cells")
    op.drop_table("facet_style_cells")
