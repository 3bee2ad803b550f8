"""staged catalog imports: checked files waiting for "Import", in the database

A preview on one app server and the import on another must find the same file, so
staged files move from the local disk (data_dir) into this table.

Revision ID: 0003_staged_imports
Revises: 0002_credentials_version
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import microbag.db

revision: str = "0003_staged_imports"
down_revision: str | None = "0002_credentials_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staged_catalog_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_staged_catalog_imports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staged_catalog_imports")),
        sa.UniqueConstraint("token", name=op.f("uq_staged_catalog_imports_token")),
    )
    with op.batch_alter_table("staged_catalog_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staged_catalog_imports_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staged_catalog_imports_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staged_catalog_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staged_catalog_imports_user_id"))
        batch_op.drop_index(batch_op.f("ix_staged_catalog_imports_expires_at"))
    op.drop_table("staged_catalog_imports")
