"""knowledge: staff edits of the market knowledge (facts over the shipped brief.toml)

Revision ID: 0006_knowledge
Revises: 0005_facet_index
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import microbag.db

revision: str = "0006_knowledge"
down_revision: str | None = "0005_facet_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "knowledge_edits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("shipped_version", sa.String(length=40), nullable=False),
        sa.Column("edited_by", sa.String(length=254), nullable=False),
        sa.Column("edited_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source = 'seller'", name=op.f("ck_knowledge_edits_source_seller")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_edits")),
        sa.UniqueConstraint("key", name=op.f("uq_knowledge_edits_key")),
    )


def downgrade() -> None:
    op.drop_table("knowledge_edits")
