"""shipments, shipment lines, deliveries (issue 11, h4)

Revision ID: 0014_shipments
Revises: 0013_backorders
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

revision: str = "0014_shipments"
down_revision: str | None = "0013_backorders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
