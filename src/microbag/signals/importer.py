"""``microbag import signals FILE --source NAME``: outside signals from CSV, all or nothing.

Layout (docs/intelligence.md), header names exact, any column order:

    date,metric,attribute,term,value[,region][,unit]
    2024-03-04,search_interest,keyword,micro bag,72,europe,index
    2024-03-04,social_mentions,color,red,1540,us,count

``date`` ISO (the day the value covers, or its week's Monday); ``metric`` a lowercase
word (search_interest, social_mentions, influencer_posts, listings, median_price...);
``attribute`` ``keyword`` or a trend attribute; ``term`` the keyword or attribute
value; ``value`` a number >= 0; ``region`` a microbag region or ``all`` (default);
``unit`` free text (``count`` makes missing weeks count as 0 in trends).
Points already stored for the same source, metric, attribute, term, region and date
are replaced. Resale listings (JSON lines) go through signals/resale.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import insert
from sqlalchemy.orm import Session

from microbag.buyers.policies import REGIONS
from microbag.errors import DomainError, ErrorItem
from microbag.history.reading import LINE, RawTable, read_table
from microbag.signals.models import SignalImportBatch, SignalPoint
from microbag.trends.attributes import normalize_text

REQUIRED = ("date", "metric", "attribute", "term", "value")
OPTIONAL = ("region", "unit")
SIGNAL_ATTRIBUTES = (
    "keyword",
    "bag_type",
    "size_class",
    "color",
    "material",
    "price_tier",
    "occasion",
)
SIGNAL_REGIONS = ("all", *REGIONS)
METRIC_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
MAX_ERRORS = 1000
_CHUNK = 5000


@dataclass
class SignalImportReport:
    batch_id: int
    source: str
    format: str
    rows_read: int
    points_written: int
    series: int
    first_date: date | None
    last_date: date | None


def check_source(source: str) -> None:
    if not re.match(SOURCE_PATTERN, source or ""):
        raise DomainError(
            ErrorItem(
                "invalid_source",
                f"source {source!r} must be 1-64 letters, digits, '.', '_' or '-'",
            )
        )


def normalize_term(term: str) -> str:
    """Lower case, single spaces: ``Micro  Bag`` -> ``micro bag``."""
    return " ".join(term.casefold().split())


def _attribute_term(attribute: str, term: str) -> str:
    # Attribute values are slugs in the trends ("mini_crossbody"), keywords stay words.
    if attribute == "keyword":
        return normalize_term(term)
    return normalize_text(term).replace(" ", "_")


def _check_rows(table: RawTable) -> tuple[pl.DataFrame, list[ErrorItem]]:
    f = table.frame
    has = set(table.header)
    region = (
        pl.col("region").fill_null("all").str.to_lowercase() if "region" in has else pl.lit("all")
    )
    unit = pl.col("unit").fill_null("").str.slice(0, 16) if "unit" in has else pl.lit("")
    frame = f.select(
        pl.col(LINE),
        pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("period_start"),
        pl.col("date"),
        pl.col("metric").str.to_lowercase().alias("metric"),
        pl.col("attribute").str.to_lowercase().alias("attribute"),
        pl.col("term"),
        pl.col("value").alias("raw_value"),
        pl.col("value").cast(pl.Float64, strict=False).alias("value"),
        region.alias("region"),
        unit.alias("unit"),
    )
    checks: list[tuple[str, str, pl.Expr, str]] = [
        ("invalid_date", "date", pl.col("period_start").is_null(), "is not a date YYYY-MM-DD"),
        (
            "invalid_metric",
            "metric",
            ~pl.col("metric").fill_null("").str.contains(METRIC_PATTERN),
            "must be a lowercase word (a-z, 0-9, _)",
        ),
        (
            "invalid_attribute",
            "attribute",
            ~pl.col("attribute").is_in(SIGNAL_ATTRIBUTES).fill_null(False),
            "must be one of " + ", ".join(SIGNAL_ATTRIBUTES),
        ),
        (
            "missing_value",
            "term",
            pl.col("term").is_null() | (pl.col("term").str.len_chars() > 200),
            "must be 1-200 characters",
        ),
        (
            "invalid_value",
            "value",
            pl.col("value").is_null() | ~pl.col("value").is_finite() | (pl.col("value") < 0),
            "is not a number >= 0",
        ),
        (
            "unknown_region",
            "region",
            ~pl.col("region").is_in(SIGNAL_REGIONS),
            "must be one of " + ", ".join(SIGNAL_REGIONS),
        ),
    ]
    flagged = frame.with_columns(
        [expr.fill_null(True).alias(f"_c{i}") for i, (_c, _col, expr, _r) in enumerate(checks)]
    )
    errors: list[ErrorItem] = []
    bad = flagged.filter(pl.any_horizontal(pl.col(f"_c{i}") for i in range(len(checks))))
    raw = {"date": "date", "metric": "metric", "attribute": "attribute", "term": "term"}
    for row in bad.head(MAX_ERRORS).iter_rows(named=True):
        for i, (code, column, _expr, reason) in enumerate(checks):
            if row[f"_c{i}"]:
                value = row.get(raw.get(column, "raw_value" if column == "value" else column))
                shown = "" if value is None else f" {str(value)[:60]!r}"
                errors.append(
                    ErrorItem(
                        code,
                        f"{table.name}: line {row[LINE]}: {column}{shown} {reason}",
                        row[LINE],
                        field=column,
                    )
                )
    good = flagged.filter(~pl.any_horizontal(pl.col(f"_c{i}") for i in range(len(checks))))
    good = good.with_columns(
        pl.struct("attribute", "term")
        .map_elements(lambda s: _attribute_term(s["attribute"], s["term"]), return_dtype=pl.String)
        .alias("term")
    )
    dupes = good.filter(
        pl.struct("metric", "attribute", "term", "region", "period_start").is_duplicated()
    )
    for row in dupes.head(MAX_ERRORS).iter_rows(named=True):
        errors.append(
            ErrorItem(
                "duplicate_point",
                f"{table.name}: line {row[LINE]}: another line has the same date, metric, "
                f"attribute, term and region",
                row[LINE],
            )
        )
    return good, errors


def import_signal_csv(
    session: Session, path: Path, source: str, *, actor: str = ""
) -> SignalImportReport:
    check_source(source)
    table = read_table(path)
    missing = [c for c in REQUIRED if c not in table.header]
    unknown = [c for c in table.header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        raise DomainError(
            ErrorItem(
                "invalid_header",
                f"{table.name}: line 1: {'; '.join(problems)} (expected "
                f"{', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)})",
                1,
            )
        )
    if table.frame.is_empty():
        raise DomainError(ErrorItem("no_rows", f"{table.name}: a header but no rows", 1))
    good, errors = _check_rows(table)
    if errors:
        raise DomainError(errors[:MAX_ERRORS])
    points = good.select(
        "metric", "attribute", "term", "region", "period_start", "value", "unit"
    ).to_dicts()
    return store_points(
        session,
        points,
        source=source,
        fmt="csv",
        table=table,
        rows_read=table.frame.height,
        actor=actor,
    )


def store_points(
    session: Session,
    points: list[dict[str, Any]],
    *,
    source: str,
    fmt: str,
    table: RawTable | None = None,
    file_name: str = "",
    sha256: str = "",
    rows_read: int = 0,
    actor: str = "",
) -> SignalImportReport:
    """Upsert points (dicts of metric, attribute, term, region, period_start, value, unit)."""
    batch = SignalImportBatch(
        source=source,
        format=fmt,
        file_name=(table.name if table else file_name)[:500],
        sha256=table.sha256 if table else sha256,
        rows_read=rows_read,
        points_written=len(points),
        actor=actor[:254],
    )
    session.add(batch)
    session.flush()
    rows = [{**p, "source": source, "batch_id": batch.id} for p in points]
    dialect = session.get_bind().dialect.name
    for i in range(0, len(rows), _CHUNK):
        chunk = rows[i : i + _CHUNK]
        session.execute(_upsert(dialect), chunk)
    keys = {(p["metric"], p["attribute"], p["term"], p["region"]) for p in points}
    days = [p["period_start"] for p in points]
    return SignalImportReport(
        batch_id=batch.id,
        source=source,
        format=fmt,
        rows_read=rows_read,
        points_written=len(points),
        series=len(keys),
        first_date=min(days) if days else None,
        last_date=max(days) if days else None,
    )


def _upsert(dialect: str) -> Any:
    conflict = ["source", "metric", "attribute", "term", "region", "period_start"]
    stmt: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(SignalPoint)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(SignalPoint)
    else:  # pragma: no cover - other databases take plain inserts
        return insert(SignalPoint)
    return stmt.on_conflict_do_update(
        index_elements=conflict,
        set_={
            "value": stmt.excluded.value,
            "unit": stmt.excluded.unit,
            "batch_id": stmt.excluded.batch_id,
        },
    )
