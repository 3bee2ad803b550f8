"""credentials version on users and portal sessions

A password change or a deactivation raises ``users.credentials_version``; a portal
session records the value it was started with and ends when they differ.

Revision ID: 0002_credentials_version
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_credentials_version"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("users", "web_sessions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("credentials_version", sa.Integer(), server_default="0", nullable=False)
            )


def downgrade() -> None:
    for table in ("web_sessions", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("credentials_version")
