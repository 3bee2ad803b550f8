"""company addresses, tax identity, incoterm and PO-number defaults (issue 11, h1)

Revision ID: 0011_addresses
Revises: 0010_sourcing
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import microbag.db

revision: str = "0011_addresses"
down_revision: str | None = "0010_sourcing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('billing', 'shipping')", name=op.f("ck_company_addresses_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_company_addresses_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_addresses")),
    )
    op.create_index(
        op.f("ix_company_addresses_company_id"), "company_addresses", ["company_id"], unique=False
    )
    # One default per company and kind; the service keeps it so, this catches races.
    op.create_index(
        "uq_company_addresses_one_default",
        "company_addresses",
        ["company_id", "kind"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("incoterm_default", sa.String(length=3), server_default="DAP", nullable=False)
        )
        batch_op.add_column(
            sa.Column("po_number_required", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("vat_number", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("resale_certificate_number", sa.String(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column("resale_certificate_state", sa.String(length=2), nullable=True)
        )
        batch_op.add_column(sa.Column("resale_certificate_expires", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_column("resale_certificate_expires")
        batch_op.drop_column("resale_certificate_state")
        batch_op.drop_column("resale_certificate_number")
        batch_op.drop_column("vat_number")
        batch_op.drop_column("po_number_required")
        batch_op.drop_column("incoterm_default")
    op.drop_index("uq_company_addresses_one_default", table_name="company_addresses")
    op.drop_index(op.f("ix_company_addresses_company_id"), table_name="company_addresses")
    op.drop_table("company_addresses")
