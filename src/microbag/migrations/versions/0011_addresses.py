"""company addresses, tax identity, incoterm and PO-number defaults (issue 11, h1)

Revision ID: 0011_addresses
Revises: 0010_sourcing
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

revision: str = "0011_addresses"
down_revision: str | None = "0010_sourcing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
