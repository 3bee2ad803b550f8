"""limited-edition drops, requests and allocations (issue 11, h5)

Revision ID: 0015_drops
Revises: 0014_shipments
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

revision: str = "0015_drops"
down_revision: str | None = "0014_shipments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
