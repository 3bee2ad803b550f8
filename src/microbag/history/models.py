"""Sales history imported from other systems: import batches, their files, sales lines.

microbag's own orders are not copied here: ``history.service.sales_facts`` reads them
together with these lines (one UNION ALL), so history is never stale nor doubled.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from microbag.db import Base, BigIntPK, UTCDateTime
from microbag.timeutil import utcnow


class SalesImportBatch(Base):
    """One ``microbag import sales`` run (all its files in one transaction)."""

    __tablename__ = "sales_import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The source system, from the mapping ("online-retail").
    source: Mapped[str] = mapped_column(String(64), index=True)
    mapping: Mapped[str] = mapped_column(String(200))
    until: Mapped[date | None] = mapped_column(default=None)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_skipped_until: Mapped[int] = mapped_column(default=0)
    rows_skipped_bad: Mapped[int] = mapped_column(default=0)
    returns: Mapped[int] = mapped_column(default=0)
    cancellations: Mapped[int] = mapped_column(default=0)
    skus_created: Mapped[int] = mapped_column(default=0)
    actor: Mapped[str] = mapped_column(String(254), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class SalesImportFile(Base):
    """A file read by a batch; its SHA-256 stops the same file being imported twice."""

    __tablename__ = "sales_import_files"
    __table_args__ = (Index("ix_sales_import_files_source_sha", "source", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("sales_import_batches.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(default=0)


class SalesLine(Base):
    """One line of another system's invoice, as it was (quantity keeps its sign).

    A line is exactly one of: a sale (quantity > 0), a return (quantity < 0 on a normal
    invoice) or a cancellation (an invoice the mapping marks cancelled, e.g. UCI's
    ``C`` prefix). Gross units count sales only; returns and cancellations are kept
    and flagged, never netted. Non-product lines (postage, fees, discounts, named by
    the mapping) are kept for the record but belong to no SKU.
    """

    __tablename__ = "sales_lines"
    __table_args__ = (
        Index("ix_sales_lines_invoiced_at", "invoiced_at"),
        # sku_id alone: a composite with the time doubles the cost of a bulk import.
        Index("ix_sales_lines_sku_id", "sku_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    # batch_id and sku_id carry no FOREIGN KEY on purpose: this is a bulk-loaded fact
    # table, and per-row referential checks double the time of an import on PostgreSQL
    # (RI triggers) for nothing: the importer writes the batch, the SKUs and the lines in
    # one transaction, and SKUs are never deleted (they are discontinued).
    # batch_id is not indexed either: batches are read whole.
    batch_id: Mapped[int]
    source: Mapped[str] = mapped_column(String(64))
    external_invoice: Mapped[str] = mapped_column(String(64))
    # The source's product code (UCI StockCode); also the catalog SKU code.
    sku_code: Mapped[str] = mapped_column(String(64))
    sku_id: Mapped[int | None] = mapped_column(default=None)
    description: Mapped[str] = mapped_column(String(500), default="")
    quantity: Mapped[int]
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    invoiced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    customer_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    # ISO 3166-1 alpha-2 when the source's country is known, else None.
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    region: Mapped[str] = mapped_column(String(32))
    is_return: Mapped[bool] = mapped_column(default=False)
    is_cancellation: Mapped[bool] = mapped_column(default=False)
    is_non_product: Mapped[bool] = mapped_column(default=False)
    # Line number in its file (header = line 1), for tracing a figure back to the source.
    source_line: Mapped[int] = mapped_column(default=0)
