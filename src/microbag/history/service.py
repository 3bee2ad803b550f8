"""Reading the sales history: one view over imported lines and microbag's own orders.

Own orders are not copied into ``sales_lines``; ``sales_facts`` unions them in at query
time (placed or later orders count from ``placed_at``; a cancelled order's lines count
as cancellations; drafts not at all). So the history is never stale, never doubled,
and an order placed a minute ago is already in the next forecast.

``weekly_units`` is the series query for forecasting: gross units ordered per week
(Monday) and key, in the long format statsforecast expects.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import polars as pl
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Select,
    String,
    and_,
    cast,
    false,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from microbag.buyers.models import Company
from microbag.catalog.models import Sku, Style
from microbag.errors import DomainError, ErrorItem
from microbag.history.models import SalesImportBatch, SalesLine
from microbag.history.policies import week_start as monday
from microbag.orders.models import Order, OrderLine
from microbag.timeutil import as_utc

OWN_SOURCE = "microbag"
Level = Literal["total", "region", "type", "style", "sku", "sku_region"]
LEVELS: tuple[str, ...] = ("total", "region", "type", "style", "sku", "sku_region")
Measure = Literal["units", "returns", "cancellations"]


class week_start(FunctionElement[date]):
    """The Monday (a DATE) of a UTC timestamp's ISO week, on SQLite and PostgreSQL."""

    type = Date()
    inherit_cache = True
    name = "week_start"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler: Any, **kw: Any) -> str:
    # 'weekday 0' moves forward to Sunday (or stays on one); six days back is Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element: week_start, compiler: Any, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('week', {inner} AT TIME ZONE 'UTC') AS DATE)"


def sales_facts() -> Select[Any]:
    """Every sales line, imported or own, in one shape (a UNION ALL to use as subquery).

    Columns: source, sku_id, sku_code, at, quantity, unit_price_minor, currency,
    customer_ref, region, segment, is_return, is_cancellation, is_non_product.
    """
    imported, own = fact_branches()
    return union_all(imported, own)  # type: ignore[return-value]


def fact_branches() -> tuple[Select[Any], Select[Any]]:
    """The two halves of ``sales_facts`` (imported lines, own orders), same columns.

    Aggregations run on each half and add up afterwards: an aggregate over the UNION
    ALL would make SQLite materialise every line first.
    """
    imported: Any = select(
        SalesLine.source.label("source"),
        SalesLine.sku_id.label("sku_id"),
        SalesLine.sku_code.label("sku_code"),
        SalesLine.invoiced_at.label("at"),
        SalesLine.quantity.label("quantity"),
        SalesLine.unit_price_minor.label("unit_price_minor"),
        SalesLine.currency.label("currency"),
        SalesLine.customer_ref.label("customer_ref"),
        SalesLine.region.label("region"),
        cast(literal(None), String(32)).label("segment"),
        SalesLine.is_return.label("is_return"),
        SalesLine.is_cancellation.label("is_cancellation"),
        SalesLine.is_non_product.label("is_non_product"),
    )
    own: Any = (
        select(
            literal(OWN_SOURCE, String(64)).label("source"),
            OrderLine.sku_id.label("sku_id"),
            OrderLine.sku_code.label("sku_code"),
            func.coalesce(Order.placed_at, Order.created_at).label("at"),
            OrderLine.quantity.label("quantity"),
            OrderLine.unit_price_minor.label("unit_price_minor"),
            Order.currency.label("currency"),
            cast(Order.company_id, String(64)).label("customer_ref"),
            Company.region.label("region"),
            Company.segment.label("segment"),
            cast(false(), Boolean).label("is_return"),
            cast(Order.status == "cancelled", Boolean).label("is_cancellation"),
            cast(false(), Boolean).label("is_non_product"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(Company, Company.id == Order.company_id)
        .where(Order.status != "draft")
    )
    return imported, own


def measure_condition(facts: Any, measure: Measure) -> ColumnElement[bool]:
    product = facts.c.is_non_product == false()
    if measure == "units":
        return and_(
            product,
            facts.c.quantity > 0,
            facts.c.is_return == false(),
            facts.c.is_cancellation == false(),
        )
    if measure == "returns":
        return and_(product, facts.c.is_return == true())
    return and_(product, facts.c.is_cancellation == true())


def weekly_units(
    session: Session,
    level: Level = "sku",
    region: str | None = None,
    *,
    segment: str | None = None,
    since: date | None = None,
    until: date | None = None,
    sources: list[str] | None = None,
    measure: Measure = "units",
    fill_zeros: bool = True,
) -> pl.DataFrame:
    """Weekly series ``unique_id`` (str), ``ds`` (Monday, pl.Date), ``y`` (Float64).

    ``y`` is gross units ordered (``measure="units"``: positive product lines that are
    neither returns nor cancellations), or the absolute units returned / cancelled.
    ``level``: total | region | type (the style's bag type) | style (style code) | sku
    (SKU code) | sku_region (``"CODE/region"``). ``region`` / ``segment`` / ``sources``
    filter; ``since`` / ``until`` bound the time (until exclusive). With ``fill_zeros``
    each series runs without gaps from its first week to the last week of all series
    (weeks without sales are 0), as statsforecast needs. Sorted by unique_id, ds.
    """
    if level not in LEVELS:
        raise DomainError(ErrorItem("invalid_level", f"level must be one of {', '.join(LEVELS)}"))
    parts = [
        _weekly_query(
            branch.subquery("facts"), level, region, segment, since, until, sources, measure
        )
        for branch in fact_branches()
    ]
    rows = [row for query in parts for row in session.execute(query).all()]
    frame = (
        pl.DataFrame(
            [(str(k), as_date(d), float(y)) for k, d, y in rows],
            schema={"unique_id": pl.String, "ds": pl.Date, "y": pl.Float64},
            orient="row",
        )
        .group_by("unique_id", "ds")
        .agg(pl.col("y").sum())
    )
    if fill_zeros and not frame.is_empty():
        frame = fill_weeks(frame)
    return frame.sort("unique_id", "ds")


def _weekly_query(
    facts: Any,
    level: str,
    region: str | None,
    segment: str | None,
    since: date | None,
    until: date | None,
    sources: list[str] | None,
    measure: Measure,
) -> Select[Any]:
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
    quantity = func.abs(facts.c.quantity) if measure != "units" else facts.c.quantity
    query = select(key, ds, func.sum(quantity).label("y")).where(
        measure_condition(facts, measure), facts.c.sku_id.is_not(None)
    )
    if level in ("style", "type"):
        query = query.join(Sku, Sku.id == facts.c.sku_id).join(Style, Style.id == Sku.style_id)
    if region is not None:
        query = query.where(facts.c.region == region)
    if segment is not None:
        query = query.where(facts.c.segment == segment)
    if sources:
        query = query.where(facts.c.source.in_(sources))
    if since is not None:
        query = query.where(facts.c.at >= _midnight(since))
    if until is not None:
        query = query.where(facts.c.at < _midnight(until))
    return query.group_by(key, ds)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def fill_weeks(frame: pl.DataFrame, end: date | None = None) -> pl.DataFrame:
    """Add the missing weeks (y = 0) from each series' first week to ``end`` (or the last)."""
    last = end or frame.select(pl.col("ds").max()).item()
    spans = frame.group_by("unique_id").agg(pl.col("ds").min().alias("first"))
    grid = spans.select(
        "unique_id",
        pl.date_ranges(pl.col("first"), pl.lit(last), interval="1w").alias("ds"),
    ).explode("ds")
    return (
        grid.join(frame, on=["unique_id", "ds"], how="left")
        .with_columns(pl.col("y").fill_null(0.0))
        .select("unique_id", "ds", "y")
    )


def purchase_lines(session: Session, until: date | None = None) -> pl.DataFrame:
    """Who bought what, line by line: the sales lines with a buyer, for suggestions.

    Columns: buyer_ref (an imported line's customer_ref as stored; an own order's company
    id, as in ``sales_facts``), own (bool), sku (code), day (UTC date), invoice (the
    external invoice, or the order id), units (> 0), region, segment (own orders only).
    Sales only: no returns, cancellations (nor cancelled orders), non-product lines or
    lines without a customer. ``until``: lines dated on or before that day.
    """
    imported = select(
        SalesLine.customer_ref,
        SalesLine.sku_code,
        SalesLine.invoiced_at,
        SalesLine.external_invoice,
        SalesLine.quantity,
        SalesLine.region,
    ).where(
        SalesLine.customer_ref.is_not(None),
        SalesLine.quantity > 0,
        SalesLine.is_return == false(),
        SalesLine.is_cancellation == false(),
        SalesLine.is_non_product == false(),
    )
    at = func.coalesce(Order.placed_at, Order.created_at)
    own = (
        select(
            Order.company_id,
            OrderLine.sku_code,
            at,
            Order.id,
            OrderLine.quantity,
            Company.region,
            Company.segment,
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(Company, Company.id == Order.company_id)
        .where(Order.status.not_in(("draft", "cancelled")), OrderLine.quantity > 0)
    )
    if until is not None:
        end = _midnight(until + timedelta(days=1))
        imported = imported.where(SalesLine.invoiced_at < end)
        own = own.where(at < end)
    rows: list[tuple[Any, ...]] = [
        (ref, False, sku, as_datetime(when).date(), invoice, units, region, None)
        for ref, sku, when, invoice, units, region in session.execute(imported)
    ]
    rows += [
        (str(company), True, sku, as_datetime(when).date(), str(order), units, region, segment)
        for company, sku, when, order, units, region, segment in session.execute(own)
    ]
    return pl.DataFrame(
        rows,
        schema={
            "buyer_ref": pl.String,
            "own": pl.Boolean,
            "sku": pl.String,
            "day": pl.Date,
            "invoice": pl.String,
            "units": pl.Int64,
            "region": pl.String,
            "segment": pl.String,
        },
        orient="row",
    )


def list_batches(session: Session, limit: int = 50) -> list[SalesImportBatch]:
    return list(
        session.scalars(select(SalesImportBatch).order_by(SalesImportBatch.id.desc()).limit(limit))
    )


def history_span(session: Session) -> tuple[date | None, date | None]:
    """The first and last week (Mondays) with any sales line, imported or own."""
    spans = []
    for branch in fact_branches():
        facts = branch.subquery("facts")
        spans.append(session.execute(select(func.min(facts.c.at), func.max(facts.c.at))).one())
    firsts = [as_datetime(f) for f, _l in spans if f is not None]
    lasts = [as_datetime(last) for _f, last in spans if last is not None]
    if not firsts:
        return None, None
    return monday(min(firsts)), monday(max(lasts))


def as_datetime(value: Any) -> datetime:
    """A UTC-aware datetime from what the driver returned (SQLite may give text)."""
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def customer_summaries(
    session: Session, customer_refs: list[str]
) -> dict[str, tuple[int, date | None, str | None]]:
    """Per imported customer reference found in the history: (sales lines, last day,
    country). References not in the history are absent."""
    refs = sorted(set(customer_refs))
    if not refs:
        return {}
    rows = session.execute(
        select(
            SalesLine.customer_ref,
            func.count(),
            func.max(SalesLine.invoiced_at),
            func.max(SalesLine.country),
        )
        .where(SalesLine.customer_ref.in_(refs))
        .group_by(SalesLine.customer_ref)
    )
    return {
        str(ref): (int(count), as_datetime(last).date() if last is not None else None, country)
        for ref, count, last, country in rows
    }


def history_version(session: Session) -> tuple[int, int]:
    """(newest imported line id, newest order id): changes when the history does, read
    from the primary keys alone, so a cache of anything fitted on the history knows when
    to refit."""
    line = session.scalar(select(func.max(SalesLine.id))) or 0
    order = session.scalar(select(func.max(Order.id))) or 0
    return int(line), int(order)
