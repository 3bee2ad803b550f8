"""audit log entries (issue 11, h7)

Revision ID: 0017_audit
Revises: 0016_notifications
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

revision: str = "0017_audit"
down_revision: str | None = "0016_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
