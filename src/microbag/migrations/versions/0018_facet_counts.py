"""catalog facet counts kept in advance (issue 8, h8)

Revision ID: 0018_facet_counts
Revises: 0017_audit
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

revision: str = "0018_facet_counts"
down_revision: str | None = "0017_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
