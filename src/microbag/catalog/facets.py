"""Counts next to each catalog filter value ("micro clutch (12)"), in one grouped pass.

Each facet is counted under every *other* active filter, so the numbers say how
many SKUs the page would list if that value were ticked (values of one filter
combine with OR, filters with AND). The conditions are the catalog listing's own
(``catalog.listing``), so the counts can never disagree with the list.

Counting each facet with its own query read the whole matching catalog seven
times (0.5-0.9 s at 100,000 SKUs once "in stock" or a ships-by date is set). Here
the matching SKUs are read once:

- The conditions that are not facets (visibility, text, stock, ships-by) filter
  the rows; "in stock" is a column of the SKU (``available_bins``, kept by triggers
  on stock_levels), so it comes from the same covering index as material and color
  instead of a stock lookup per SKU. Each active facet becomes a per-row "miss"
  flag. A row that misses no facet counts in every facet; one that misses exactly
  one facet counts only in that facet (``missed``); one that misses two or more
  counts nowhere and is left out.
- The rows (style, material, color, missed) are grouped by style and by material
  and color together: GROUPING SETS, one hashed pass, on PostgreSQL; on SQLite (no
  grouping sets, no hash aggregation) the rows are a MATERIALIZED CTE sorted once
  per grouping.
- The style groups are joined to their styles once (type, size, tier, season) and
  summed into a few hundred cells, and over the style's occasion tags (several per
  style); those cells and the material-and-color groups are added up in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    case,
    func,
    literal,
    select,
    text,
    tuple_,
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
# Facets that are columns of the style (occasions are the style's tags).
_STYLE_FACETS = ("bag_type", "size_class", "price_tier", "season")
_STYLE_COLUMNS = tuple(FACET_COLUMNS[name] for name in _STYLE_FACETS)


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
    """One row per matching SKU: its style, material and color, and the facet it misses.

    ``missed`` is NULL when the SKU matches every active facet (it counts in every
    facet), else the one facet it misses (it counts only there); SKUs missing two
    or more count nowhere and are left out.
    """
    unfaceted = replace(filters, **{name: () for name in FACETS})  # type: ignore[arg-type]
    conds = listing.filter_conditions(session, unfaceted, principal)
    active = [name for name in FACETS if getattr(filters, name)]
    base: list[Any] = [
        Style.id.label("style"),
        Sku.material.label("material"),
        Sku.color.label("color"),
    ]
    if not active:
        nothing = literal(None, String).label("missed")
        return select(*base, nothing).join(Style, Style.id == Sku.style_id).where(*conds)
    # The flags are computed once per row in an inner query and combined in the outer
    # one (combining the conditions themselves would run an occasion's EXISTS again).
    flags = [
        case((_facet_match(name, getattr(filters, name)), 0), else_=1).label(f"miss_{name}")
        for name in active
    ]
    inner = select(*base, *flags).join(Style, Style.id == Sku.style_id).where(*conds)
    if session.get_bind().dialect.name == "postgresql":
        # OFFSET 0 keeps PostgreSQL from folding the flags' expressions into the outer query.
        inner = inner.offset(0)
    sub = inner.subquery("matching")
    misses: Any = sum((sub.c[f"miss_{name}"] for name in active), literal(0, Integer))
    missed: Any = case(*[(sub.c[f"miss_{name}"] == 1, literal(name)) for name in active])
    return select(sub.c.style, sub.c.material, sub.c.color, missed.label("missed")).where(
        misses <= 1
    )


def _grouped_counts(
    session: Session, filters: SkuFilters, principal: Principal | None
) -> dict[str, dict[str, int]]:
    """All facets' counts from one read of the matching SKUs.

    The keyed rows are grouped twice: by style (a few thousand groups) and by
    material and color together (a few hundred). PostgreSQL does both in one hashed
    pass (GROUPING SETS); SQLite, which has neither, sorts the materialized rows once
    per grouping (sorting by text costs twice what sorting by style id does, hence
    one sort for material and color, not one each). The style groups are joined to
    their styles once and summed by (type, size, tier, season) and by occasion; those
    few hundred cells and the material and color groups are added up here, each
    facet counting the cells that count for it (``missed`` NULL or that facet).
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not sqlite:
        # The listing's planner hint (list_page): index probes are cheap here. And no
        # JIT: the statement's estimated cost is above jit_above_cost, and compiling
        # it took about 145 ms here, more than running it.
        session.execute(text("SET LOCAL random_page_cost = 1.1"))
        session.execute(text("SET LOCAL jit = off"))

    def cte(stmt: Any, name: str) -> Any:
        # SQLite would otherwise run the query again for each reader.
        return stmt.cte(name).prefix_with("MATERIALIZED") if sqlite else stmt.cte(name)

    rows = _keyed_rows(session, filters, principal)
    # PostgreSQL reads the rows once anyway (one grouped pass over them).
    keyed = cte(rows, "keyed") if sqlite else rows.subquery("keyed")
    n = func.count().label("n")
    by_style = (keyed.c.style, keyed.c.missed)
    by_sku = (keyed.c.material, keyed.c.color, keyed.c.missed)
    grouped: Any
    if sqlite:
        no_text = literal(None, String)
        grouped = union_all(
            select(keyed.c.style, no_text.label("material"), no_text.label("color"), n)
            .add_columns(keyed.c.missed)
            .group_by(*by_style),
            select(literal(None, Integer).label("style"), keyed.c.material, keyed.c.color, n)
            .add_columns(keyed.c.missed)
            .group_by(*by_sku),
        )
    else:
        grouped = select(
            keyed.c.style, keyed.c.material, keyed.c.color, n, keyed.c.missed
        ).group_by(func.grouping_sets(tuple_(*by_style), tuple_(*by_sku)))
    groups = cte(grouped, "grouped")
    styled = cte(
        select(groups.c.style, groups.c.missed, groups.c.n, *_STYLE_COLUMNS)
        .join(Style, Style.id == groups.c.style)
        .where(groups.c.style.is_not(None)),
        "styled",
    )
    nothing = literal(None, String)
    style_cells = select(
        literal("style"), *(styled.c[name] for name in _STYLE_FACETS), styled.c.missed
    ).add_columns(func.sum(styled.c.n))
    style_cells = style_cells.group_by(*(styled.c[name] for name in _STYLE_FACETS), styled.c.missed)
    occasion_cells = (
        select(literal("occasion"), StyleOccasion.occasion, nothing, nothing, nothing)
        .add_columns(styled.c.missed, func.sum(styled.c.n))
        .join_from(
            styled, StyleOccasion, StyleOccasion.style_id == _unindexed(styled.c.style, sqlite)
        )
        .group_by(StyleOccasion.occasion, styled.c.missed)
    )
    sku_cells = (
        select(literal("sku"), groups.c.material, groups.c.color, nothing, nothing)
        .add_columns(groups.c.missed, groups.c.n)
        .where(groups.c.style.is_(None))
    )
    return _add_up(session.execute(union_all(style_cells, occasion_cells, sku_cells)))


def _unindexed(column: Any, sqlite: bool) -> Any:
    """``+column`` on SQLite: the style groups drive the occasions join (each probes the
    tags' primary key), rather than every tag probing an index built on the groups."""
    return listing.plain(column, sqlite)


def _add_up(cells: Any) -> dict[str, dict[str, int]]:
    """Each facet's counts from the cells: a cell counts for the facets it does not miss."""
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}

    def add(facet: str, value: Any, missed: str | None, n: int) -> None:
        if value is not None and n and missed in (None, facet):
            found = counts[facet]
            found[str(value)] = found.get(str(value), 0) + int(n)

    for kind, a, b, c, d, missed, n in cells:
        if kind == "style":
            for facet, value in zip(_STYLE_FACETS, (a, b, c, d), strict=True):
                add(facet, value, missed, n)
        elif kind == "occasion":
            add("occasion", a, missed, n)
        else:
            add("material", a, missed, n)
            add("color", b, missed, n)
    return counts
