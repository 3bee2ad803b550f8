"""order header: buyer PO number, requested delivery date, ship-to, notes, incoterm (issue 11, h2)

Revision ID: 0012_order_terms
Revises: 0011_addresses
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

revision: str = "0012_order_terms"
down_revision: str | None = "0011_addresses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
