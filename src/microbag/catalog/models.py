"""Styles (one design) and SKUs (variants by color, material, hardware)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microbag.db import Base, UTCDateTime
from microbag.timeutil import utcnow


class Style(Base):
    __tablename__ = "styles"
    __table_args__ = (
        CheckConstraint("width_mm > 0 AND height_mm > 0 AND depth_mm > 0", name="dims_positive"),
        CheckConstraint("weight_g >= 0", name="weight_nonneg"),
        # Sorting the catalog by style name.
        Index("ix_styles_name", "name"),
        # The style facets' counts from the facet cells: the active styles' facet
        # columns without reading style rows (catalog/facets.py); migration 0018.
        Index("ix_styles_facets", "lifecycle", "bag_type", "size_class", "price_tier", "season"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # micro_tote | mini_crossbody | belt_bag | micro_clutch | pouch | bucket | top_handle ...
    bag_type: Mapped[str] = mapped_column(String(32), index=True)
    width_mm: Mapped[int]
    height_mm: Mapped[int]
    depth_mm: Mapped[int]
    weight_g: Mapped[int] = mapped_column(default=0)
    # Derived from the dimensions by catalog.policies.size_class; stored to filter on.
    size_class: Mapped[str] = mapped_column(String(16), index=True)
    # What fits inside: cards, keys, lipstick, airpods, sunglasses, phone ...
    holds: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Longest phone (mm) that fits, when one does.
    phone_max_mm: Mapped[int | None] = mapped_column(default=None)
    lining: Mapped[str] = mapped_column(String(64), default="")
    # luxury | premium | mass
    price_tier: Mapped[str] = mapped_column(String(16), index=True)
    # e.g. SS26, AW26, holiday, all_season
    season: Mapped[str] = mapped_column(String(16), index=True)
    is_limited_edition: Mapped[bool] = mapped_column(default=False)
    drop_date: Mapped[date | None] = mapped_column(default=None)
    edition_size: Mapped[int | None] = mapped_column(default=None)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    # draft | active | discontinued
    lifecycle: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    skus: Mapped[list[Sku]] = relationship(back_populates="style", order_by="Sku.code")
    occasions: Mapped[list[StyleOccasion]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def occasion_names(self) -> list[str]:
        return sorted(o.occasion for o in self.occasions)


class StyleOccasion(Base):
    """Occasion tags (casual, formal, festival, commute, bridal) as rows, to filter by index."""

    __tablename__ = "style_occasions"

    style_id: Mapped[int] = mapped_column(
        ForeignKey("styles.id", ondelete="CASCADE"), primary_key=True
    )
    occasion: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


# The covering indexes' last columns (the code index has ``code`` first instead).
_TAIL = ("available_bins", "code", "id")
_CODE_TAIL = ("available_bins", "id")


class Sku(Base):
    __tablename__ = "skus"
    __table_args__ = (
        Index("ix_skus_style_color", "style_id", "color"),
        # Covering indexes for the catalog listing and its facet counts: a filter on
        # material or color (or the SKUs of some styles), "in stock" included, is
        # answered from the index alone (catalog/listing.py, catalog/facets.py).
        # (``id`` is listed for PostgreSQL's index-only scans; SQLite has it as rowid.)
        Index("ix_skus_material_cover", "material", "lifecycle", "color", "style_id", *_TAIL),
        Index("ix_skus_color_cover", "color", "lifecycle", "material", "style_id", *_TAIL),
        Index("ix_skus_style_cover", "style_id", "lifecycle", "material", "color", *_TAIL),
        # Walking the catalog in SKU code order without reading rows (the default sort).
        Index(
            "ix_skus_code_cover", "code", "lifecycle", "material", "color", "style_id", *_CODE_TAIL
        ),
        # Trigram index for the catalog's text filter (catalog/search.py); PostgreSQL only.
        Index(
            "ix_skus_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public SKU code used in orders and the API.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), index=True)
    color: Mapped[str] = mapped_column(String(32), index=True)
    # calfskin | lambskin | vegan_leather | recycled_fabric | canvas | nylon | pvc ...
    material: Mapped[str] = mapped_column(String(32), index=True)
    hardware: Mapped[str] = mapped_column(String(32), default="")
    # Lower-cased text to search (style name, code, color, material, type).
    search_text: Mapped[str] = mapped_column(Text, default="")
    # draft | active | discontinued
    lifecycle: Mapped[str] = mapped_column(String(16), default="active", index=True)
    # Warehouses holding units free to sell (on hand > reserved); > 0 is "in stock".
    # Derived data, kept by triggers on stock_levels (stock/bins.py): never set it.
    available_bins: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Products that arrived through a sales-history import rather than the catalog.
    is_imported: Mapped[bool] = mapped_column(default=False)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    style: Mapped[Style] = relationship(back_populates="skus", lazy="joined")


class StagedImport(Base):
    """A checked catalog file waiting for its "Import" (catalog/staging.py).

    Kept in the database, not on one server's disk, so the preview and the import
    may be served by different app servers. Expired rows are swept on every stage.
    """

    __tablename__ = "staged_catalog_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, in the import form; only its owner may use it.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class FacetStyleCell(Base):
    """SKUs per (style, SKU lifecycle, in stock): the style facets' counts, kept in advance.

    Derived data, kept by triggers on skus and styles (catalog/facet_cells.py): never write it.
    """

    __tablename__ = "facet_style_cells"

    style_id: Mapped[int] = mapped_column(primary_key=True)
    sku_lifecycle: Mapped[str] = mapped_column(String(16), primary_key=True)
    in_stock: Mapped[bool] = mapped_column(primary_key=True)
    skus: Mapped[int] = mapped_column(default=0)


class FacetSkuCell(Base):
    """SKUs per (material, color, SKU and style lifecycle, in stock), kept in advance.

    Derived data, kept by triggers on skus and styles (catalog/facet_cells.py): never write it.
    """

    __tablename__ = "facet_sku_cells"

    material: Mapped[str] = mapped_column(String(32), primary_key=True)
    color: Mapped[str] = mapped_column(String(32), primary_key=True)
    sku_lifecycle: Mapped[str] = mapped_column(String(16), primary_key=True)
    style_lifecycle: Mapped[str] = mapped_column(String(16), primary_key=True)
    in_stock: Mapped[bool] = mapped_column(primary_key=True)
    skus: Mapped[int] = mapped_column(default=0)


# Trigram text search over skus.search_text (FTS5 on SQLite, pg_trgm on PostgreSQL).
from microbag.catalog.search import register_text_search_ddl  # noqa: E402

register_text_search_ddl(Sku.__table__)  # type: ignore[arg-type]

# The facet cells' triggers (after create_all has made every table they touch).
from microbag.catalog.facet_cells import register_cells_ddl  # noqa: E402

register_cells_ddl(Base.metadata)
