"""Weekly buyer and price facts per forecast series (the pooled model's buyer-level view).

Per series and week: distinct buyers (imported customer references and microbag's
buyer companies), orders (sales lines: an invoice names a SKU once, nearly always) and
the mean unit price in major units (NaN in weeks without a sale). Counted over the same
lines as the units the forecasts learn from (gross sales: no returns, cancellations or
non-product lines), on each half of ``history.service.fact_branches`` and added up
(imported customer references and company ids never meet, so buyers add up too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Float, String, cast, distinct, func, literal, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style
from microbag.forecasting.policies import Series
from microbag.history.service import as_date, fact_branches, measure_condition, week_start

FACT_COLUMNS = ("buyers", "orders", "price")


def weekly_facts(session: Session, level: str, *, until: date | None = None) -> pl.DataFrame:
    """``unique_id`` (the level's public id, as ``weekly_units`` names it), ``ds``,
    ``buyers``, ``orders``, ``price``."""
    rows: list[tuple[Any, ...]] = []
    for branch in fact_branches():
        facts = branch.subquery("facts")
        keys: dict[str, Any] = {
            "total": literal("total", String(64)),
            "region": facts.c.region,
            "sku": facts.c.sku_code,
            "sku_region": facts.c.sku_code + "/" + facts.c.region,
            "style": Style.code,
            "type": Style.bag_type,
        }
        key = keys[level].label("unique_id")
        ds = week_start(facts.c.at).label("ds")
        query = select(
            key,
            ds,
            func.count(distinct(facts.c.customer_ref)),
            func.count(),
            func.sum(cast(facts.c.quantity, Float) * facts.c.unit_price_minor),
            func.sum(facts.c.quantity),
        ).where(measure_condition(facts, "units"), facts.c.sku_id.is_not(None))
        if level in ("style", "type"):
            query = query.join(Sku, Sku.id == facts.c.sku_id).join(Style, Style.id == Sku.style_id)
        if until is not None:
            query = query.where(
                facts.c.at < datetime(until.year, until.month, until.day, tzinfo=UTC)
            )
        rows += session.execute(query.group_by(key, ds)).all()
    frame = pl.DataFrame(
        [
            (str(k), as_date(d), int(b), int(o), float(v or 0), float(q or 0))
            for k, d, b, o, v, q in rows
        ],
        schema={
            "unique_id": pl.String,
            "ds": pl.Date,
            "buyers": pl.Float64,
            "orders": pl.Float64,
            "value": pl.Float64,
            "units": pl.Float64,
        },
        orient="row",
    )
    return (
        frame.group_by("unique_id", "ds")
        .agg(pl.col("buyers", "orders", "value", "units").sum())
        .with_columns(
            price=pl.when(pl.col("units") > 0)
            .then(pl.col("value") / pl.col("units") / 100)
            .otherwise(None)
        )
        .select("unique_id", "ds", *FACT_COLUMNS)
    )


def with_facts(
    session: Session,
    series: Sequence[Series],
    names: Mapping[str, tuple[str, str]],
    *,
    until: date | None = None,
) -> list[Series]:
    """The series with their weekly buyers, orders and prices. ``names``: a series' id
    -> (level, public id), e.g. the hierarchy's. Every series gets them (zeros and NaN
    where the history says nothing): the pooled model uses them only when all have them."""
    levels = sorted({level for level, _public in names.values()})
    known: dict[tuple[str, str], dict[date, tuple[float, float, float]]] = {}
    for level in levels:
        for uid, ds, buyers, orders, price in weekly_facts(session, level, until=until).iter_rows():
            week = known.setdefault((level, uid), {})
            week[ds] = (buyers, orders, np.nan if price is None else price)
    return [attach(s, known.get(names.get(s.unique_id, ("", "")), {})) for s in series]


def attach(series: Series, weeks: Mapping[date, tuple[float, float, float]]) -> Series:
    """One series with its facts aligned on its weeks (0 buyers, 0 orders, NaN price
    in weeks without any)."""
    empty = (0.0, 0.0, np.nan)
    values = np.array(
        [weeks.get(series.week(i), empty) for i in range(len(series.y))], dtype=float
    ).reshape(len(series.y), 3)
    return replace(series, buyers=values[:, 0], orders=values[:, 1], price=values[:, 2])
