"""preorders and backorders: line promises, waiting lines, incoming reservations (issue 11, h3)

Revision ID: 0013_backorders
Revises: 0012_order_terms
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

revision: str = "0013_backorders"
down_revision: str | None = "0012_order_terms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
