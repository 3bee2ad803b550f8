"""Weekly series per attribute value and scope (region or segment), from history and signals.

Sales: gross units per (SKU, region, segment, week) from both halves of the history
(imported lines and own orders), joined with each SKU's attributes, summed per
attribute value in three scopes: everything (region "all", segment "all"), per region,
per buyer segment (own orders only: imported lines have no segment). Only bags count:
a SKU whose type is unknown (an imported candle) is left out.

Signals: one series per (source, metric, attribute, term, region), weekly means.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.history.service import (
    as_date,
    as_datetime,
    fact_branches,
    measure_condition,
    week_start,
)
from microbag.signals.models import SignalPoint
from microbag.trends.attributes import catalog_bag_type

# Attributes trends are computed for, in display order.
TREND_ATTRIBUTES = ("bag_type", "size_class", "color", "material", "price_tier", "occasion")
ALL = "all"
SERIES_KEY = ("basis", "attribute", "value", "region", "segment")
_UNKNOWN = {"", "unknown", "other", None}


def sku_attributes(session: Session) -> pl.DataFrame:
    """Long table (sku_id, attribute, value) of every SKU that is a bag."""
    occasions: dict[int, list[str]] = {}
    for style_id, occasion in session.execute(
        select(StyleOccasion.style_id, StyleOccasion.occasion)
    ):
        occasions.setdefault(style_id, []).append(occasion)
    rows: list[tuple[int, str, str]] = []
    query = select(
        Sku.id,
        Sku.is_imported,
        Sku.attributes,
        Sku.color,
        Sku.material,
        Style.id,
        Style.bag_type,
        Style.size_class,
        Style.price_tier,
    ).join(Style, Style.id == Sku.style_id)
    for sku_id, imported, attrs, color, material, style_id, bag_type, size, tier in session.execute(
        query
    ):
        values: dict[str, Any]
        if imported:
            values = {a: (attrs or {}).get(a) for a in TREND_ATTRIBUTES}
        else:
            values = {
                "bag_type": catalog_bag_type(bag_type),
                "size_class": size,
                "color": color,
                "material": material,
                "price_tier": tier,
                "occasion": occasions.get(style_id, []),
            }
        if values.get("bag_type") in _UNKNOWN:
            continue
        for attribute, value in values.items():
            for one in value if isinstance(value, list) else [value]:
                if one not in _UNKNOWN:
                    rows.append((sku_id, attribute, str(one)))
    return pl.DataFrame(
        rows, schema={"sku_id": pl.Int64, "attribute": pl.String, "value": pl.String}, orient="row"
    )


def last_sale_at(session: Session) -> datetime | None:
    latest = []
    for branch in fact_branches():
        facts = branch.subquery("facts")
        value = session.execute(select(func.max(facts.c.at))).scalar()
        if value is not None:
            latest.append(as_datetime(value))
    return max(latest) if latest else None


def last_complete_week(last_at: datetime | date) -> date:
    """The Monday of the last week that ended (Sunday) by ``last_at``'s day."""
    day = last_at.date() if isinstance(last_at, datetime) else last_at
    monday = day - timedelta(days=day.weekday())
    return monday if day.weekday() == 6 else monday - timedelta(days=7)


def weekly_by_sku(session: Session, since: date) -> pl.DataFrame:
    """Gross units per (sku_id, region, segment, ds) from ``since`` on."""
    rows: list[tuple[Any, ...]] = []
    for branch in fact_branches():
        facts = branch.subquery("facts")
        ds = week_start(facts.c.at).label("ds")
        query = (
            select(facts.c.sku_id, facts.c.region, facts.c.segment, ds, func.sum(facts.c.quantity))
            .where(
                measure_condition(facts, "units"),
                facts.c.sku_id.is_not(None),
                facts.c.at >= datetime(since.year, since.month, since.day, tzinfo=UTC),
            )
            .group_by(facts.c.sku_id, facts.c.region, facts.c.segment, ds)
        )
        rows.extend(
            (sku_id, region, segment, as_date(d), float(y))
            for sku_id, region, segment, d, y in session.execute(query)
        )
    return pl.DataFrame(
        rows,
        schema={
            "sku_id": pl.Int64,
            "region": pl.String,
            "segment": pl.String,
            "ds": pl.Date,
            "y": pl.Float64,
        },
        orient="row",
    )


def sales_series(session: Session, first: date, last: date) -> pl.DataFrame:
    """Columns SERIES_KEY + ds + y, every series on the full weekly grid first..last."""
    weekly = weekly_by_sku(session, first).filter(pl.col("ds") <= last)
    attrs = sku_attributes(session)
    long = weekly.join(attrs, on="sku_id", how="inner")
    keys = ["attribute", "value", "ds"]
    parts = [
        long.group_by(keys)
        .agg(pl.col("y").sum())
        .with_columns(pl.lit(ALL).alias("region"), pl.lit(ALL).alias("segment")),
        long.group_by([*keys, "region"])
        .agg(pl.col("y").sum())
        .with_columns(pl.lit(ALL).alias("segment")),
        long.filter(pl.col("segment").is_not_null())
        .group_by([*keys, "segment"])
        .agg(pl.col("y").sum())
        .with_columns(pl.lit(ALL).alias("region")),
    ]
    frame = pl.concat(
        [p.select("attribute", "value", "region", "segment", "ds", "y") for p in parts]
    ).with_columns(pl.lit("units").alias("basis"))
    return on_grid(frame, first, last, fill="zero")


def signal_span(session: Session, weeks: int) -> tuple[date, date] | None:
    """The Mondays of the last ``weeks`` weeks that have signal points."""
    latest = session.execute(select(func.max(SignalPoint.period_start))).scalar()
    if latest is None:
        return None
    day = as_date(latest)
    assert day is not None  # noqa: S101 - type narrowing
    last = day - timedelta(days=day.weekday())
    return last - timedelta(weeks=weeks - 1), last


def signal_series(session: Session, first: date, last: date) -> pl.DataFrame:
    """Signal points as weekly series (mean per week); counts fill gaps with 0, others
    carry the last value forward."""
    rows = session.execute(
        select(
            SignalPoint.source,
            SignalPoint.metric,
            SignalPoint.attribute,
            SignalPoint.term,
            SignalPoint.region,
            SignalPoint.period_start,
            SignalPoint.value,
            SignalPoint.unit,
        ).where(SignalPoint.period_start >= first, SignalPoint.period_start <= last + timedelta(6))
    ).all()
    if not rows:
        return pl.DataFrame(schema=_series_schema())
    frame = pl.DataFrame(
        rows,
        schema={
            "source": pl.String,
            "metric": pl.String,
            "attribute": pl.String,
            "value": pl.String,
            "region": pl.String,
            "day": pl.Date,
            "y": pl.Float64,
            "unit": pl.String,
        },
        orient="row",
    )
    frame = frame.with_columns(
        (pl.lit("signal:") + pl.col("source") + pl.lit(":") + pl.col("metric")).alias("basis"),
        pl.col("day").dt.truncate("1w").alias("ds"),
        pl.lit(ALL).alias("segment"),
    )
    weekly = frame.group_by([*SERIES_KEY, "ds"]).agg(
        pl.col("y").mean(), (pl.col("unit").first() == "count").alias("is_count")
    )
    counts = weekly.filter(pl.col("is_count")).drop("is_count")
    others = weekly.filter(~pl.col("is_count")).drop("is_count")
    return pl.concat(
        [on_grid(counts, first, last, fill="zero"), on_grid(others, first, last, fill="forward")]
    )


def _series_schema() -> dict[str, Any]:
    return {
        "basis": pl.String,
        "attribute": pl.String,
        "value": pl.String,
        "region": pl.String,
        "segment": pl.String,
        "ds": pl.Date,
        "y": pl.Float64,
    }


def on_grid(frame: pl.DataFrame, first: date, last: date, fill: str) -> pl.DataFrame:
    """Every series on every Monday first..last; missing weeks 0 or carried forward."""
    if frame.is_empty():
        return pl.DataFrame(schema=_series_schema())
    weeks = pl.DataFrame({"ds": pl.date_range(first, last, interval="1w", eager=True)})
    keys = frame.select(SERIES_KEY).unique()
    grid = keys.join(weeks, how="cross").join(
        frame.select(*SERIES_KEY, "ds", "y"), on=[*SERIES_KEY, "ds"], how="left"
    )
    grid = grid.sort([*SERIES_KEY, "ds"])
    if fill == "zero":
        grid = grid.with_columns(pl.col("y").fill_null(0.0))
    else:
        grid = grid.with_columns(pl.col("y").forward_fill().over(SERIES_KEY)).filter(
            pl.col("y").is_not_null()
        )
    return grid.select(*_series_schema())
