"""mail outbox and per-user notification preferences (issue 11, h6)

Revision ID: 0016_notifications
Revises: 0015_drops
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

revision: str = "0016_notifications"
down_revision: str | None = "0015_drops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
