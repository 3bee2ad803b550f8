"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 04:32:57.933214
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import microbag.db
from microbag.catalog.search import drop_text_search, install_text_search

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # pg_trgm must exist before the trigram index on skus (PostgreSQL).
    install_text_search(op.get_bind())
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=True),
        sa.Column("credit_limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "credit_limit_minor >= 0", name=op.f("ck_companies_credit_limit_nonneg")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("name", name=op.f("uq_companies_name")),
    )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_companies_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_companies_segment"), ["segment"], unique=False)

    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_email_at", ["email", "at"], unique=False)
        batch_op.create_index("ix_login_failures_ip_at", ["ip", "at"], unique=False)

    op.create_table(
        "sales_import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("mapping", sa.String(length=200), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_skipped_until", sa.Integer(), nullable=False),
        sa.Column("rows_skipped_bad", sa.Integer(), nullable=False),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("cancellations", sa.Integer(), nullable=False),
        sa.Column("skus_created", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("started_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_import_batches")),
    )
    with op.batch_alter_table("sales_import_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_import_batches_source"), ["source"], unique=False
        )

    op.create_table(
        "sales_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_invoice", sa.String(length=64), nullable=False),
        sa.Column("sku_code", sa.String(length=64), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoiced_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("customer_ref", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("is_return", sa.Boolean(), nullable=False),
        sa.Column("is_cancellation", sa.Boolean(), nullable=False),
        sa.Column("is_non_product", sa.Boolean(), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_lines")),
    )
    with op.batch_alter_table("sales_lines", schema=None) as batch_op:
        batch_op.create_index("ix_sales_lines_invoiced_at", ["invoiced_at"], unique=False)
        batch_op.create_index("ix_sales_lines_sku_id", ["sku_id"], unique=False)

    op.create_table(
        "signal_import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("points_written", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_import_batches")),
    )
    with op.batch_alter_table("signal_import_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signal_import_batches_source"), ["source"], unique=False
        )

    op.create_table(
        "styles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("bag_type", sa.String(length=32), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("depth_mm", sa.Integer(), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.Column("size_class", sa.String(length=16), nullable=False),
        sa.Column("holds", sa.JSON(), nullable=False),
        sa.Column("phone_max_mm", sa.Integer(), nullable=True),
        sa.Column("lining", sa.String(length=64), nullable=False),
        sa.Column("price_tier", sa.String(length=16), nullable=False),
        sa.Column("season", sa.String(length=16), nullable=False),
        sa.Column("is_limited_edition", sa.Boolean(), nullable=False),
        sa.Column("drop_date", sa.Date(), nullable=True),
        sa.Column("edition_size", sa.Integer(), nullable=True),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("lifecycle", sa.String(length=16), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("weight_g >= 0", name=op.f("ck_styles_weight_nonneg")),
        sa.CheckConstraint(
            "width_mm > 0 AND height_mm > 0 AND depth_mm > 0", name=op.f("ck_styles_dims_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_styles")),
        sa.UniqueConstraint("code", name=op.f("uq_styles_code")),
    )
    with op.batch_alter_table("styles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_styles_bag_type"), ["bag_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_styles_lifecycle"), ["lifecycle"], unique=False)
        batch_op.create_index("ix_styles_name", ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_styles_price_tier"), ["price_tier"], unique=False)
        batch_op.create_index(batch_op.f("ix_styles_season"), ["season"], unique=False)
        batch_op.create_index(batch_op.f("ix_styles_size_class"), ["size_class"], unique=False)

    op.create_table(
        "trend_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_weeks", sa.Integer(), nullable=False),
        sa.Column("last_week", sa.Date(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("results_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_runs")),
    )
    op.create_table(
        "forecast_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_runs")),
    )
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("unique_id", sa.String(length=200), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("lo80", sa.Float(), nullable=False),
        sa.Column("hi80", sa.Float(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_forecasts_run_id_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecasts")),
    )
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forecasts_run_level_uid",
            ["run_id", "level", "unique_id", "week_start"],
            unique=False,
        )

    op.create_table(
        "forecast_backtest_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("unique_id", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("wape", sa.Float(), nullable=True),
        sa.Column("mase", sa.Float(), nullable=True),
        sa.Column("origins", sa.Integer(), nullable=False),
        sa.Column("chosen", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_forecast_backtest_scores_run_id_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_backtest_scores")),
    )
    with op.batch_alter_table("forecast_backtest_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forecast_backtest_run_level_uid", ["run_id", "level", "unique_id"], unique=False
        )

    op.create_table(
        "warehouses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint("code", name=op.f("uq_warehouses_code")),
    )
    op.create_table(
        "price_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("segment", sa.String(length=32), nullable=True),
        sa.Column("min_order_value_minor", sa.BigInteger(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "NOT (company_id IS NOT NULL AND segment IS NOT NULL)",
            name=op.f("ck_price_lists_one_assignment"),
        ),
        sa.CheckConstraint("min_order_value_minor >= 0", name=op.f("ck_price_lists_mov_nonneg")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_price_lists_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_lists")),
        sa.UniqueConstraint("name", name=op.f("uq_price_lists_name")),
    )
    with op.batch_alter_table("price_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_price_lists_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_price_lists_currency"), ["currency"], unique=False)
        batch_op.create_index(batch_op.f("ix_price_lists_segment"), ["segment"], unique=False)

    op.create_table(
        "sales_import_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["sales_import_batches.id"],
            name=op.f("fk_sales_import_files_batch_id_sales_import_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_import_files")),
    )
    with op.batch_alter_table("sales_import_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_import_files_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_index(
            "ix_sales_import_files_source_sha", ["source", "sha256"], unique=False
        )

    op.create_table(
        "signal_points",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("attribute", sa.String(length=32), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["signal_import_batches.id"],
            name=op.f("fk_signal_points_batch_id_signal_import_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_points")),
        sa.UniqueConstraint(
            "source",
            "metric",
            "attribute",
            "term",
            "region",
            "period_start",
            name=op.f("uq_signal_points_source_metric_attribute_term_region_period_start"),
        ),
    )
    with op.batch_alter_table("signal_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signal_points_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_signal_points_subject", ["attribute", "term", "period_start"], unique=False
        )

    op.create_table(
        "skus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("style_id", sa.Integer(), nullable=False),
        sa.Column("color", sa.String(length=32), nullable=False),
        sa.Column("material", sa.String(length=32), nullable=False),
        sa.Column("hardware", sa.String(length=32), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("lifecycle", sa.String(length=16), nullable=False),
        sa.Column("is_imported", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["style_id"], ["styles.id"], name=op.f("fk_skus_style_id_styles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skus")),
        sa.UniqueConstraint("code", name=op.f("uq_skus_code")),
    )
    with op.batch_alter_table("skus", schema=None) as batch_op:
        batch_op.create_index(
            "ix_skus_code_cover",
            ["code", "lifecycle", "material", "color", "style_id", "id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_skus_color"), ["color"], unique=False)
        batch_op.create_index(
            "ix_skus_color_cover",
            ["color", "lifecycle", "material", "style_id", "code", "id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_skus_lifecycle"), ["lifecycle"], unique=False)
        batch_op.create_index(batch_op.f("ix_skus_material"), ["material"], unique=False)
        batch_op.create_index(
            "ix_skus_material_cover",
            ["material", "lifecycle", "color", "style_id", "code", "id"],
            unique=False,
        )
        if op.get_bind().dialect.name == "postgresql":
            batch_op.create_index(
                "ix_skus_search_text_trgm",
                ["search_text"],
                unique=False,
                postgresql_using="gin",
                postgresql_ops={"search_text": "gin_trgm_ops"},
            )
        batch_op.create_index("ix_skus_style_color", ["style_id", "color"], unique=False)
        batch_op.create_index(
            "ix_skus_style_cover",
            ["style_id", "lifecycle", "material", "color", "code", "id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_skus_style_id"), ["style_id"], unique=False)

    op.create_table(
        "style_occasions",
        sa.Column("style_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["style_id"],
            ["styles.id"],
            name=op.f("fk_style_occasions_style_id_styles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("style_id", "occasion", name=op.f("pk_style_occasions")),
    )
    with op.batch_alter_table("style_occasions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_style_occasions_occasion"), ["occasion"], unique=False)

    op.create_table(
        "trend_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=100), nullable=False),
        sa.Column("attribute", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("growth_pct", sa.Float(), nullable=True),
        sa.Column("recent_total", sa.Float(), nullable=False),
        sa.Column("previous_total", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("series", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["trend_runs.id"],
            name=op.f("fk_trend_results_run_id_trend_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_results")),
    )
    with op.batch_alter_table("trend_results", schema=None) as batch_op:
        batch_op.create_index("ix_trend_results_run_label", ["run_id", "label"], unique=False)
        batch_op.create_index(
            "ix_trend_results_run_subject", ["run_id", "attribute", "value"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_users_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_company_id"), ["company_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "incoming_stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("received_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_incoming_stock_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_incoming_stock_sku_id_skus")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_incoming_stock_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incoming_stock")),
    )
    with op.batch_alter_table("incoming_stock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incoming_stock_sku_id"), ["sku_id"], unique=False)
        batch_op.create_index(
            "ix_incoming_stock_sku_expected",
            ["sku_id", "expected_date", "received_at"],
            unique=False,
        )

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=True),
        sa.Column("quote_id", sa.Integer(), nullable=True),
        sa.Column("tracking_ref", sa.String(length=100), nullable=True),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("placed_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paid_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("total_minor >= 0", name=op.f("ck_orders_total_nonneg")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_orders_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"], ["users.id"], name=op.f("fk_orders_placed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["price_list_id"], ["price_lists.id"], name=op.f("fk_orders_price_list_id_price_lists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("quote_id", name=op.f("uq_orders_quote_id")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_company_created", ["company_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_orders_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)

    op.create_table(
        "price_list_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("moq", sa.Integer(), nullable=False),
        sa.Column("case_pack", sa.Integer(), nullable=False),
        sa.CheckConstraint("case_pack >= 1", name=op.f("ck_price_list_items_case_pack_positive")),
        sa.CheckConstraint("moq >= 1", name=op.f("ck_price_list_items_moq_positive")),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["price_lists.id"],
            name=op.f("fk_price_list_items_price_list_id_price_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_price_list_items_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_list_items")),
        sa.UniqueConstraint(
            "price_list_id", "sku_id", name=op.f("uq_price_list_items_price_list_id_sku_id")
        ),
    )
    with op.batch_alter_table("price_list_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_price_list_items_price_list_id"), ["price_list_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_price_list_items_sku_id"), ["sku_id"], unique=False)

    op.create_table(
        "stock_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("updated_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_levels_on_hand_nonneg")),
        sa.CheckConstraint("reserved <= on_hand", name=op.f("ck_stock_levels_reserved_le_on_hand")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_levels_reserved_nonneg")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_stock_levels_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_stock_levels_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint(
            "sku_id", "warehouse_id", name=op.f("uq_stock_levels_sku_id_warehouse_id")
        ),
    )
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_levels_sku_id"), ["sku_id"], unique=False)

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_secret", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_web_sessions_session_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_idempotency_records_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_idempotency_records_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint(
            "company_id", "key", name=op.f("uq_idempotency_records_company_id_key")
        ),
    )
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_order_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_events_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_events_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("sku_code", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_total_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_order_lines_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "line_no", name=op.f("uq_order_lines_order_id_line_no")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_lines_sku_id"), ["sku_id"], unique=False)

    op.create_table(
        "price_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("min_quantity >= 1", name=op.f("ck_price_tiers_min_qty_positive")),
        sa.CheckConstraint("unit_price_minor >= 0", name=op.f("ck_price_tiers_price_nonneg")),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["price_list_items.id"],
            name=op.f("fk_price_tiers_item_id_price_list_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_tiers")),
        sa.UniqueConstraint(
            "item_id", "min_quantity", name=op.f("uq_price_tiers_item_id_min_quantity")
        ),
    )
    with op.batch_alter_table("price_tiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_price_tiers_item_id"), ["item_id"], unique=False)

    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("custom_logo", sa.String(length=500), nullable=False),
        sa.Column("custom_packaging", sa.String(length=500), nullable=False),
        sa.Column("custom_color", sa.String(length=200), nullable=False),
        sa.Column("custom_material", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", microbag.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_quotes_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_quotes_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_quotes_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_quotes_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint("order_id", name=op.f("uq_quotes_order_id")),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotes_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quotes_status"), ["status"], unique=False)

    op.create_table(
        "order_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["order_lines.id"],
            name=op.f("fk_order_allocations_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_order_allocations_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_allocations")),
    )
    with op.batch_alter_table("order_allocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_allocations_line_id"), ["line_id"], unique=False)

    op.create_table(
        "quote_artworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quotes.id"],
            name=op.f("fk_quote_artworks_quote_id_quotes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_artworks")),
    )
    with op.batch_alter_table("quote_artworks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_artworks_quote_id"), ["quote_id"], unique=False)

    op.create_table(
        "quote_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("sku_code", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_quote_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quotes.id"],
            name=op.f("fk_quote_lines_quote_id_quotes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_quote_lines_sku_id_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_lines")),
        sa.UniqueConstraint("quote_id", "line_no", name=op.f("uq_quote_lines_quote_id_line_no")),
    )
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_lines_quote_id"), ["quote_id"], unique=False)

    op.create_table(
        "compliance_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("style_id", sa.Integer(), nullable=True),
        sa.Column("sku_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", microbag.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(style_id IS NULL AND sku_id IS NOT NULL) OR (style_id IS NOT NULL AND sku_id IS NULL)",
            name=op.f("ck_compliance_documents_one_target"),
        ),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_compliance_documents_size_positive")),
        sa.ForeignKeyConstraint(
            ["sku_id"],
            ["skus.id"],
            name=op.f("fk_compliance_documents_sku_id_skus"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["style_id"],
            ["styles.id"],
            name=op.f("fk_compliance_documents_style_id_styles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_documents")),
    )
    with op.batch_alter_table("compliance_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_compliance_documents_style_region", ["style_id", "region"], unique=False
        )
        batch_op.create_index(
            "ix_compliance_documents_sku_region", ["sku_id", "region"], unique=False
        )

    # ### end Alembic commands ###
    # SQLite: the FTS5 trigram table over skus.search_text and its triggers.
    install_text_search(op.get_bind())


def downgrade() -> None:
    drop_text_search(op.get_bind())
    with op.batch_alter_table("compliance_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_compliance_documents_sku_region")
        batch_op.drop_index("ix_compliance_documents_style_region")

    op.drop_table("compliance_documents")
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_lines_quote_id"))

    op.drop_table("quote_lines")
    with op.batch_alter_table("quote_artworks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_artworks_quote_id"))

    op.drop_table("quote_artworks")
    with op.batch_alter_table("order_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_allocations_line_id"))

    op.drop_table("order_allocations")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_status"))
        batch_op.drop_index(batch_op.f("ix_quotes_company_id"))

    op.drop_table("quotes")
    with op.batch_alter_table("price_tiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_tiers_item_id"))

    op.drop_table("price_tiers")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_sku_id"))
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_events_order_id"))

    op.drop_table("order_events")
    op.drop_table("idempotency_records")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_sessions_expires_at"))

    op.drop_table("web_sessions")
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_levels_sku_id"))

    op.drop_table("stock_levels")
    with op.batch_alter_table("price_list_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_list_items_sku_id"))
        batch_op.drop_index(batch_op.f("ix_price_list_items_price_list_id"))

    op.drop_table("price_list_items")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_status"))
        batch_op.drop_index(batch_op.f("ix_orders_company_id"))
        batch_op.drop_index("ix_orders_company_created")

    op.drop_table("orders")
    with op.batch_alter_table("incoming_stock", schema=None) as batch_op:
        batch_op.drop_index("ix_incoming_stock_sku_expected")
        batch_op.drop_index(batch_op.f("ix_incoming_stock_sku_id"))

    op.drop_table("incoming_stock")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_company_id"))

    op.drop_table("users")
    with op.batch_alter_table("trend_results", schema=None) as batch_op:
        batch_op.drop_index("ix_trend_results_run_subject")
        batch_op.drop_index("ix_trend_results_run_label")

    op.drop_table("trend_results")
    with op.batch_alter_table("style_occasions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_style_occasions_occasion"))

    op.drop_table("style_occasions")
    with op.batch_alter_table("skus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skus_style_id"))
        batch_op.drop_index("ix_skus_style_cover")
        batch_op.drop_index("ix_skus_style_color")
        if op.get_bind().dialect.name == "postgresql":
            batch_op.drop_index(
                "ix_skus_search_text_trgm",
                postgresql_using="gin",
                postgresql_ops={"search_text": "gin_trgm_ops"},
            )
        batch_op.drop_index("ix_skus_material_cover")
        batch_op.drop_index(batch_op.f("ix_skus_material"))
        batch_op.drop_index(batch_op.f("ix_skus_lifecycle"))
        batch_op.drop_index("ix_skus_color_cover")
        batch_op.drop_index(batch_op.f("ix_skus_color"))
        batch_op.drop_index("ix_skus_code_cover")

    op.drop_table("skus")
    with op.batch_alter_table("signal_points", schema=None) as batch_op:
        batch_op.drop_index("ix_signal_points_subject")
        batch_op.drop_index(batch_op.f("ix_signal_points_batch_id"))

    op.drop_table("signal_points")
    with op.batch_alter_table("sales_import_files", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_import_files_source_sha")
        batch_op.drop_index(batch_op.f("ix_sales_import_files_batch_id"))

    op.drop_table("sales_import_files")
    with op.batch_alter_table("price_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_lists_segment"))
        batch_op.drop_index(batch_op.f("ix_price_lists_currency"))
        batch_op.drop_index(batch_op.f("ix_price_lists_company_id"))

    op.drop_table("price_lists")
    op.drop_table("warehouses")
    with op.batch_alter_table("forecast_backtest_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_backtest_run_level_uid")

    op.drop_table("forecast_backtest_scores")
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.drop_index("ix_forecasts_run_level_uid")

    op.drop_table("forecasts")
    op.drop_table("forecast_runs")
    op.drop_table("trend_runs")
    with op.batch_alter_table("styles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_styles_size_class"))
        batch_op.drop_index(batch_op.f("ix_styles_season"))
        batch_op.drop_index(batch_op.f("ix_styles_price_tier"))
        batch_op.drop_index("ix_styles_name")
        batch_op.drop_index(batch_op.f("ix_styles_lifecycle"))
        batch_op.drop_index(batch_op.f("ix_styles_bag_type"))

    op.drop_table("styles")
    with op.batch_alter_table("signal_import_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_import_batches_source"))

    op.drop_table("signal_import_batches")
    with op.batch_alter_table("sales_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_lines_sku_id")
        batch_op.drop_index("ix_sales_lines_invoiced_at")

    op.drop_table("sales_lines")
    with op.batch_alter_table("sales_import_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_import_batches_source"))

    op.drop_table("sales_import_batches")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_ip_at")
        batch_op.drop_index("ix_login_failures_email_at")

    op.drop_table("login_failures")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_segment"))
        batch_op.drop_index(batch_op.f("ix_companies_region"))

    op.drop_table("companies")
    # ### end Alembic commands ###
