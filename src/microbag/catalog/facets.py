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
from microbag.catalog.models import FacetSkuCell, FacetStyleCell, Sku, Style, StyleOccasion
from microbag.timeutil import utcnow

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


def _facet_match(
    name: str, values: Sequence[str], columns: dict[str, Any] | None = None
) -> ColumnElement[bool]:
    if name == "occasion":
        return listing.occasion_condition(values)
    return listing.values_condition((columns or FACET_COLUMNS)[name], values)


def _with_missed(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    filters: SkuFilters,
    columns: dict[str, Any] | None = None,
) -> Select[Any]:
    """``stmt``'s rows with ``missed``: the one active facet a row misses (NULL: none).

    ``columns`` replaces FACET_COLUMNS (the cell tables have their own).
    A row that misses no facet counts in every facet; one that misses exactly one
    counts only there; rows missing two or more count nowhere and are left out.
    """
    active = [name for name in FACETS if getattr(filters, name)]
    if not active:
        return stmt.add_columns(literal(None, String).label("missed"))
    # The flags are computed once per row in an inner query and combined in the outer
    # one (combining the conditions themselves would run an occasion's EXISTS again).
    flags = [
        case((_facet_match(name, getattr(filters, name), columns), 0), else_=1).label(
            f"miss_{name}"
        )
        for name in active
    ]
    inner = stmt.add_columns(*flags)
    if session.get_bind().dialect.name == "postgresql":
        # OFFSET 0 keeps PostgreSQL from folding the flags' expressions into the outer query.
        inner = inner.offset(0)
    sub = inner.subquery("matching")
    misses: Any = sum((sub.c[f"miss_{name}"] for name in active), literal(0, Integer))
    missed: Any = case(*[(sub.c[f"miss_{name}"] == 1, literal(name)) for name in active])
    kept = [c for c in sub.c if not c.name.startswith("miss_")]
    return select(*kept, missed.label("missed")).where(misses <= 1)


def _keyed_rows(
    session: Session,
    filters: SkuFilters,
    principal: Principal | None,
    extra: Sequence[ColumnElement[bool]] = (),
) -> Select[Any]:
    """One row per matching SKU: its style, material and color, and the facet it misses."""
    unfaceted = replace(filters, **{name: () for name in FACETS})  # type: ignore[arg-type]
    conds = [*listing.filter_conditions(session, unfaceted, principal), *extra]
    stmt = (
        select(Style.id.label("style"), Sku.material.label("material"), Sku.color.label("color"))
        .join(Style, Style.id == Sku.style_id)
        .where(*conds)
    )
    return _with_missed(session, stmt, filters)


def _set_planner(session: Session) -> bool:
    """True on SQLite; on PostgreSQL, the planner settings of the counting statements."""
    if session.get_bind().dialect.name == "sqlite":
        return True
    # The listing's planner hint (list_page): index probes are cheap here. And no
    # JIT: the statement's estimated cost is above jit_above_cost, and compiling
    # it took about 145 ms here, more than running it.
    session.execute(text("SET LOCAL random_page_cost = 1.1"))
    session.execute(text("SET LOCAL jit = off"))
    return False


def _cte(stmt: Any, name: str, sqlite: bool) -> Any:
    # SQLite would otherwise run the query again for each reader.
    return stmt.cte(name).prefix_with("MATERIALIZED") if sqlite else stmt.cte(name)


def _style_and_occasion_cells(styled: Any, sqlite: bool) -> tuple[Select[Any], Select[Any]]:
    """Cells of the style facets and of the occasions from ``styled``.

    ``styled`` has a style's id, its type, size, tier and season, ``missed`` and ``n``
    (SKUs); several rows per style are fine (they are summed).
    """
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
    return style_cells, occasion_cells


def _grouped_counts(
    session: Session, filters: SkuFilters, principal: Principal | None
) -> dict[str, dict[str, int]]:
    """All facets' counts: from the cells kept in advance where they answer, else live.

    "Ships by" (without "in stock") is the SKUs in stock plus those not in stock with
    a batch arriving in time: two disjoint sets, so their counts add up; the first
    comes from the cells, the second (a few thousand SKUs) is counted live.
    """
    if filters.in_stock and filters.ships_by is not None:
        filters = replace(filters, ships_by=None)  # in stock now implies "ships by"
    in_stock_now = replace(filters, ships_by=None, in_stock=True)
    if filters.ships_by is not None and filters.in_stock is None and _cells_answer(in_stock_now):
        now = _counts(session, in_stock_now, principal)
        # The arriving SKUs are found from the batches' dates (a few thousand), not by
        # a probe per SKU out of stock.
        arriving = listing.arriving_skus(filters.ships_by, filters.today or utcnow().date())
        later: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        if arriving is not None:
            not_now = replace(filters, in_stock=False, ships_by=None)
            later = _counts(session, not_now, principal, [Sku.id.in_(arriving)])
        for name, found in later.items():
            for value, n in found.items():
                now[name][value] = now[name].get(value, 0) + n
        return now
    return _counts(session, filters, principal)


def _cells_answer(filters: SkuFilters) -> bool:
    """The cells know every condition but the facets: visibility, lifecycle, in stock."""
    return filters.q is None and filters.style_id is None and filters.ships_by is None


def _counts(
    session: Session,
    filters: SkuFilters,
    principal: Principal | None,
    extra: Sequence[ColumnElement[bool]] = (),
) -> dict[str, dict[str, int]]:
    """The style facets' counts and the material and color counts, each from the cells
    when the other kind's facets are not ticked (then it needs no per-SKU or per-style
    detail), else live from the SKUs; one statement."""
    sqlite = _set_planner(session)
    style_ticked = any(getattr(filters, name) for name in (*_STYLE_FACETS, "occasion"))
    sku_ticked = bool(filters.material or filters.color)
    if extra or not _cells_answer(filters) or (style_ticked and sku_ticked):
        live = _live_cells(session, filters, principal, sqlite, extra)
        return _add_up(session.execute(live))
    if sku_ticked:
        # Every style facet counts the SKUs matching every filter (no style facet is ticked).
        conds = listing.filter_conditions(session, filters, principal)
        grouped = (
            select(Sku.style_id.label("style"), func.count().label("n"))
            .join(Style, Style.id == Sku.style_id)
            .where(*conds)
            .group_by(Sku.style_id)
        )
        groups = _cte(grouped, "grouped", sqlite)
        styled = select(
            groups.c.style, literal(None, String).label("missed"), groups.c.n, *_STYLE_COLUMNS
        ).join(Style, Style.id == groups.c.style)
        style_cells, occasion_cells = _style_and_occasion_cells(
            _cte(styled, "styled", sqlite), sqlite
        )
    else:
        styled = _style_cells_rows(session, filters, principal)
        style_cells, occasion_cells = _style_and_occasion_cells(
            _cte(styled, "styled", sqlite), sqlite
        )
    if style_ticked:
        # Material and color count the SKUs matching every filter (none of theirs is ticked).
        conds = listing.filter_conditions(session, filters, principal)
        nothing = literal(None, String)
        sku_cells = (
            select(literal("sku"), Sku.material, Sku.color, nothing, nothing, nothing)
            .add_columns(func.count())
            .join(Style, Style.id == Sku.style_id)
            .where(*conds)
            .group_by(Sku.material, Sku.color)
        )
    else:
        sku_cells = _sku_cells_rows(session, filters, principal)
    return _add_up(session.execute(union_all(style_cells, occasion_cells, sku_cells)))


def _cell_conditions(
    cell: type[FacetStyleCell] | type[FacetSkuCell],
    style_lifecycle: Any,
    filters: SkuFilters,
    principal: Principal | None,
) -> list[ColumnElement[bool]]:
    """The listing's visibility, lifecycle and "in stock" conditions, on a cell table
    (``style_lifecycle``: the column holding the style's lifecycle)."""
    conds: list[ColumnElement[bool]] = [cell.skus > 0]
    if principal is not None and not principal.is_staff:
        conds += [cell.sku_lifecycle == "active", style_lifecycle == "active"]
    if filters.lifecycle:
        conds.append(listing.values_condition(cell.sku_lifecycle, filters.lifecycle))
    if filters.in_stock is not None:
        conds.append(cell.in_stock.is_(filters.in_stock))
    return conds


def _style_cells_rows(
    session: Session, filters: SkuFilters, principal: Principal | None
) -> Select[Any]:
    """The style cells of matching styles, with their style columns and ``missed``."""
    conds = _cell_conditions(FacetStyleCell, Style.lifecycle, filters, principal)
    stmt = (
        select(FacetStyleCell.style_id.label("style"), FacetStyleCell.skus.label("n"))
        .add_columns(*_STYLE_COLUMNS)
        .join(Style, Style.id == FacetStyleCell.style_id)
        .where(*conds)
    )
    return _with_missed(session, stmt, filters)


def _sku_cells_rows(
    session: Session, filters: SkuFilters, principal: Principal | None
) -> Select[Any]:
    """The material and color cells (kind "sku"), with ``missed``."""
    conds = _cell_conditions(FacetSkuCell, FacetSkuCell.style_lifecycle, filters, principal)
    nothing = literal(None, String)
    stmt = select(
        FacetSkuCell.material.label("material"),
        FacetSkuCell.color.label("color"),
        FacetSkuCell.skus.label("n"),
    ).where(*conds)
    cell_columns = {"material": FacetSkuCell.material, "color": FacetSkuCell.color}
    rows = _with_missed(session, stmt, filters, cell_columns).subquery("sku_rows")
    return (
        select(literal("sku"), rows.c.material, rows.c.color, nothing, nothing, rows.c.missed)
        .add_columns(func.sum(rows.c.n))
        .group_by(rows.c.material, rows.c.color, rows.c.missed)
    )


def _live_cells(
    session: Session,
    filters: SkuFilters,
    principal: Principal | None,
    sqlite: bool,
    extra: Sequence[ColumnElement[bool]] = (),
) -> Any:
    """All facets' cells from one read of the matching SKUs.

    The keyed rows are grouped twice: by style (a few thousand groups) and by
    material and color together (a few hundred). PostgreSQL does both in one hashed
    pass (GROUPING SETS); SQLite, which has neither, sorts the materialized rows once
    per grouping (sorting by text costs twice what sorting by style id does, hence
    one sort for material and color, not one each). The style groups are joined to
    their styles once and summed by (type, size, tier, season) and by occasion; those
    few hundred cells and the material and color groups are added up in _add_up,
    each facet counting the cells that count for it (``missed`` NULL or that facet).
    """
    rows = _keyed_rows(session, filters, principal, extra)
    # PostgreSQL reads the rows once anyway (one grouped pass over them).
    keyed = _cte(rows, "keyed", sqlite) if sqlite else rows.subquery("keyed")
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
    groups = _cte(grouped, "grouped", sqlite)
    styled = _cte(
        select(groups.c.style, groups.c.missed, groups.c.n, *_STYLE_COLUMNS)
        .join(Style, Style.id == groups.c.style)
        .where(groups.c.style.is_not(None)),
        "styled",
        sqlite,
    )
    style_cells, occasion_cells = _style_and_occasion_cells(styled, sqlite)
    nothing = literal(None, String)
    sku_cells = (
        select(literal("sku"), groups.c.material, groups.c.color, nothing, nothing)
        .add_columns(groups.c.missed, groups.c.n)
        .where(groups.c.style.is_(None))
    )
    return union_all(style_cells, occasion_cells, sku_cells)


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
