"""facet index: skus.available_bins (kept by triggers on stock_levels) in the covering indexes

The catalog's "in stock" filter and facet counts read it from the covering indexes
instead of looking up every SKU's stock rows (stock/bins.py).

Revision ID: 0005_facet_index
Revises: 0004_jobs
Create Date: 2026-12-05 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from microbag.stock.bins import drop_bins, install_bins, recount_bins

revision: str = "0005_facet_index"
down_revision: str | None = "0004_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name -> (columns before, columns after)
_COVERS = {
    "ix_skus_code_cover": (
        ["code", "lifecycle", "material", "color", "style_id", "id"],
        ["code", "lifecycle", "material", "color", "style_id", "available_bins", "id"],
    ),
    "ix_skus_color_cover": (
        ["color", "lifecycle", "material", "style_id", "code", "id"],
        ["color", "lifecycle", "material", "style_id", "available_bins", "code", "id"],
    ),
    "ix_skus_material_cover": (
        ["material", "lifecycle", "color", "style_id", "code", "id"],
        ["material", "lifecycle", "color", "style_id", "available_bins", "code", "id"],
    ),
    "ix_skus_style_cover": (
        ["style_id", "lifecycle", "material", "color", "code", "id"],
        ["style_id", "lifecycle", "material", "color", "available_bins", "code", "id"],
    ),
}


def upgrade() -> None:
    bind = op.get_bind()
    # A plain ADD COLUMN (no batch: rebuilding skus on SQLite would drop its text
    # search triggers).
    op.add_column(
        "skus",
        sa.Column("available_bins", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    recount_bins(bind)
    install_bins(bind)
    for name, (_before, after) in _COVERS.items():
        op.drop_index(name, table_name="skus")
        op.create_index(name, "skus", after, unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    drop_bins(bind)
    for name, (before, _after) in _COVERS.items():
        op.drop_index(name, table_name="skus")
        op.create_index(name, "skus", before, unique=False)
    op.execute("ALTER TABLE skus DROP COLUMN available_bins")
