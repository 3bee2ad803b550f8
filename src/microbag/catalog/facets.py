"""Counts next to each catalog filter value ("micro clutch (12)"), in one grouped pass.

Each facet is counted under every *other* active filter, so the numbers say how
many SKUs the page would list if that value were ticked (values of one filter
combine with OR, filters with AND). The conditions are the catalog listing's own
(``catalog.listing``), so the counts can never disagree with the list.

Counting each facet with its own query read the whole matching catalog seven
times (0.5-0.9 s at 100,000 SKUs once "in stock" or a ships-by date is set, as
each of those is a per-SKU stock lookup). Here the matching SKUs are read once:

- The conditions that are not facets (visibility, text, stock, ships-by) filter
  the rows; each active facet becomes a per-row "miss" flag (0 or 1). A row with
  two or more misses counts nowhere and is dropped.
- A row counts for facet F when it misses no facet other than F: its key for F is
  ``CASE WHEN misses - miss_F = 0 THEN value END``; rows whose key is NULL are
  left out of F's counts.
- PostgreSQL groups the keys with GROUPING SETS (one hash pass); SQLite, which has
  no GROUPING SETS, materializes the rows once and groups them per facet
  (UNION ALL over the CTE).
- Occasions are tags of the style (several per style): the rows are grouped by
  style, and the per-style counts are spread over the style's tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    case,
    func,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.catalog import listing
from microbag.catalog.listing import SkuFilters
from microbag.catalog.models import Sku, Style, StyleOccasion

FACETS = ("bag_type", "size_class", "material", "color", "price_tier", "occasion", "season")
# Facet name -> the column it filters (occasions are tags in their own table).
FACET_COLUMNS: dict[str, Any] = {
    "bag_type": Style.bag_type,
    "size_class": Style.size_class,
    "material": Sku.material,
    "color": Sku.color,
    "price_tier": Style.price_tier,
    "season": Style.season,
}
# The per-row key that carries the occasion facet: the style (whose tags are counted).
_STYLE_KEY = "occasion"


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


def facet_counts(
    session: Session, filters: SkuFilters, principal: Principal | None
) -> dict[str, list[FacetValue]]:
    """Every facet's values with their counts (sorted by value), in one grouped pass.

    A ticked value is listed even when nothing matches it (count 0), so it can be
    unticked.
    """
    counts = _grouped_counts(session, filters, principal)
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        selected = set(getattr(filters, name))
        found = counts[name]
        for value in selected:
            found.setdefault(value, 0)
        out[name] = [FacetValue(value, found[value], value in selected) for value in sorted(found)]
    return out


def in_stock_count(session: Session, filters: SkuFilters, principal: Principal | None) -> int:
    """SKUs the "in stock" filter keeps under the other filters (up to listing.COUNT_CAP)."""
    return listing.count_skus(session, replace(filters, in_stock=True), principal)


def ships_by_count(
    session: Session, filters: SkuFilters, principal: Principal | None
) -> int | None:
    """SKUs the "ships by" date keeps under the other filters (None: no date chosen).

    Counted up to listing.COUNT_CAP, like the listing's own total.
    """
    if filters.ships_by is None:
        return None
    return listing.count_skus(session, filters, principal)


def _facet_match(name: str, values: Sequence[str]) -> ColumnElement[bool]:
    if name == "occasion":
        return listing.occasion_condition(values)
    return listing.values_condition(FACET_COLUMNS[name], values)


def _keyed_rows(session: Session, filters: SkuFilters, principal: Principal | None) -> Select[Any]:
    """One row per matching SKU: for each facet its value, or NULL where it must not count."""
    unfaceted = replace(filters, **{name: () for name in FACETS})  # type: ignore[arg-type]
    conds = listing.filter_conditions(session, unfaceted, principal)
    active = [name for name in FACETS if getattr(filters, name)]
    miss = {name: case((_facet_match(name, getattr(filters, name)), 0), else_=1) for name in active}
    value_of: dict[str, Any] = {**FACET_COLUMNS, _STYLE_KEY: Style.id}
    if not active:
        columns = [value_of[name].label(name) for name in FACETS]
        return select(*columns).join(Style, Style.id == Sku.style_id).where(*conds)
    # The flags are computed once per row in an inner query; the outer one derives
    # the keys from them (an OR of facet conditions per key would re-run EXISTS).
    flags = [flag.label(f"miss_{name}") for name, flag in miss.items()]
    inner_columns = [value_of[name].label(name) for name in FACETS]
    inner = select(*inner_columns, *flags).join(Style, Style.id == Sku.style_id).where(*conds)
    if session.get_bind().dialect.name == "postgresql":
        # OFFSET 0 keeps PostgreSQL from folding the flags' expressions into every key.
        inner = inner.offset(0)
    sub = inner.subquery("matching")
    total_miss: Any = sum((sub.c[f"miss_{name}"] for name in active), literal(0, Integer))
    keys = []
    for name in FACETS:
        own = sub.c[f"miss_{name}"] if name in active else literal(0, Integer)
        keys.append(case((total_miss - own == 0, sub.c[name])).label(name))
    return select(*keys).where(total_miss <= 1)


def _grouped_counts(
    session: Session, filters: SkuFilters, principal: Principal | None
) -> dict[str, dict[str, int]]:
    rows = _keyed_rows(session, filters, principal)
    if session.get_bind().dialect.name == "postgresql":
        return _counts_postgres(session, rows)
    return _counts_sqlite(session, rows)


def _occasions_of(per_style: Any) -> Select[Any]:
    """Occasion counts from per-style counts (``style`` and ``n`` columns)."""
    return (
        select(
            literal("occasion").label("facet"),
            StyleOccasion.occasion.label("value"),
            func.sum(per_style.c.n).label("n"),
        )
        .join(per_style, per_style.c.style == StyleOccasion.style_id)
        .group_by(StyleOccasion.occasion)
    )


def _counts_postgres(session: Session, rows: Select[Any]) -> dict[str, dict[str, int]]:
    # The listing's planner hint (list_page): index probes are cheap here.
    session.execute(text("SET LOCAL random_page_cost = 1.1"))
    keyed = rows.subquery("keyed")
    keys = [keyed.c[name] for name in FACETS]
    grouped = (
        select(func.grouping(*keys).label("unkept"), *keys, func.count().label("n"))
        .group_by(func.grouping_sets(*keys))
        .cte("grouped")
    )
    # GROUPING(k1..k7) has a 1 bit for each key not grouped; the grouped one is 0.
    bit = {name: 1 << (len(FACETS) - 1 - i) for i, name in enumerate(FACETS)}
    plain = [name for name in FACETS if name != _STYLE_KEY]
    value = case(*[(grouped.c.unkept.op("&")(bit[name]) == 0, grouped.c[name]) for name in plain])
    facet = case(*[(grouped.c.unkept.op("&")(bit[name]) == 0, literal(name)) for name in plain])
    per_style = (
        select(grouped.c[_STYLE_KEY].label("style"), grouped.c.n)
        .where(grouped.c.unkept.op("&")(bit[_STYLE_KEY]) == 0)
        .subquery("per_style")
    )
    stmt: Any = union_all(
        select(facet.label("facet"), value.label("value"), grouped.c.n).where(
            grouped.c.unkept.op("&")(bit[_STYLE_KEY]) != 0
        ),
        _occasions_of(per_style),
    )
    return _collect(session.execute(stmt))


def _counts_sqlite(session: Session, rows: Select[Any]) -> dict[str, dict[str, int]]:
    # Materialized: every facet's GROUP BY reads the rows computed once.
    keyed = rows.cte("keyed").prefix_with("MATERIALIZED")
    parts: list[Select[Any]] = [
        select(literal(name).label("facet"), keyed.c[name].label("value"), func.count())
        .where(keyed.c[name].is_not(None))
        .group_by(keyed.c[name])
        for name in FACETS
        if name != _STYLE_KEY
    ]
    per_style = (
        select(keyed.c[_STYLE_KEY].label("style"), func.count().label("n"))
        .where(keyed.c[_STYLE_KEY].is_not(None))
        .group_by(keyed.c[_STYLE_KEY])
        .subquery("per_style")
    )
    parts.append(_occasions_of(per_style))
    return _collect(session.execute(union_all(*parts)))


def _collect(result: Any) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for facet, value, n in result:
        if value is not None and n:
            counts[facet][str(value)] = int(n)
    return counts
