"""The catalog listing: SKUs filtered, sorted and paginated, fast at 100,000 SKUs.

Each SKU is joined to its style once; every filter is on an indexed column (or a
short EXISTS on an indexed one), and covering indexes on ``skus`` answer the SKU
filters without reading rows. ``list_page`` bounds the work of any filter
combination (see its docstring); text search uses a trigram index (search.py).
Buyers see only active SKUs of active styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar, get_args

from sqlalchemy import (
    ColumnElement,
    GenerativeSelect,
    Select,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from microbag.accounts.principal import Principal
from microbag.catalog.listing_rows import SkuRow as SkuRow  # the listing's rows
from microbag.catalog.listing_rows import rows_for_ids
from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.catalog.search import text_filter
from microbag.stock.models import IncomingStock
from microbag.stock.policies import latest_expected_for
from microbag.timeutil import utcnow

_Stmt = TypeVar("_Stmt", bound=GenerativeSelect)

SortKey = Literal["code", "name", "newest"]
SORTS: tuple[str, ...] = get_args(SortKey)
# Totals above this are reported as "at least COUNT_CAP" (Page.total_exact is false).
COUNT_CAP = 1_000
# A broad filter's page is first looked for among this many rows in sort order.
WALK_ROWS = 2_000
WALK_FACTOR = 20
# Words of a text query beyond this many are ignored (each one is a LIKE).
MAX_QUERY_WORDS = 6


@dataclass
class SkuFilters:
    """Filters combine with AND; several values of one filter combine with OR."""

    bag_type: Sequence[str] = ()
    size_class: Sequence[str] = ()
    material: Sequence[str] = ()
    color: Sequence[str] = ()
    price_tier: Sequence[str] = ()
    occasion: Sequence[str] = ()
    season: Sequence[str] = ()
    lifecycle: Sequence[str] = ()
    q: str | None = None
    in_stock: bool | None = None
    # Available now, or an incoming batch whose ship window ends by this date.
    ships_by: date | None = None
    style_id: int | None = None
    sort: str = "code"
    # "Today" for incoming batches (batches expected before it are not counted); None: now.
    today: date | None = None


def query_words(q: str | None) -> list[str]:
    """Lower-cased words of a text query (``%`` and ``_`` are escaped in search.py)."""
    if not q:
        return []
    return q.lower().split()[:MAX_QUERY_WORDS]


def plain(column: Any, hide_index: bool) -> Any:
    """``+column`` on SQLite: the same value, but the planner may not use an index for it.

    SQLite picks one index per table from rough statistics; steering it explicitly
    (see list_page) keeps every filter combination on a cheap plan.
    """
    if not hide_index:
        return column
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def visible_to(principal: Principal | None, *, sqlite: bool = False) -> list[ColumnElement[bool]]:
    """Buyers see only active SKUs of active styles; staff (or None: operator) see all.

    On SQLite the lifecycle indexes are hidden: "active" is nearly every row, so
    driving a query from them is always the slow choice.
    """
    if principal is None or principal.is_staff:
        return []
    return [
        plain(Sku.lifecycle, sqlite) == "active",
        plain(Style.lifecycle, sqlite) == "active",
    ]


def filter_conditions(
    session: Session,
    filters: SkuFilters,
    principal: Principal | None,
    *,
    hide_indexes: bool = False,
) -> list[ColumnElement[bool]]:
    """WHERE conditions of the listing (over ``skus`` joined to ``styles``).

    ``hide_indexes`` (SQLite only) keeps the planner off the filter columns' indexes,
    so that it walks the sort order's index instead (see list_page).
    """
    # Callers join styles themselves, so the trigram matches must not drive (_plan).
    return _plan(session, filters, principal, hide_indexes=hide_indexes, allow_drive=False)[0]


def _plan(
    session: Session,
    filters: SkuFilters,
    principal: Principal | None,
    *,
    hide_indexes: bool = False,
    allow_drive: bool = True,
    all_matches: bool = False,
) -> tuple[list[ColumnElement[bool]], ColumnElement[bool]]:
    """The conditions and the join condition of skus to styles."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    hide = hide_indexes and sqlite
    conds = visible_to(principal, sqlite=sqlite)
    columns: tuple[tuple[Sequence[str], Any], ...] = (
        (filters.bag_type, Style.bag_type),
        (filters.size_class, Style.size_class),
        (filters.price_tier, Style.price_tier),
        (filters.season, Style.season),
        (filters.material, Sku.material),
        (filters.color, Sku.color),
        (filters.lifecycle, Sku.lifecycle),
    )
    for values, column in columns:
        if values:
            conds.append(values_condition(plain(column, hide), values))
    if filters.occasion:
        conds.append(occasion_condition(filters.occasion))
    if filters.style_id is not None:
        conds.append(plain(Sku.style_id, hide) == filters.style_id)
    others = len(conds) > len(visible_to(principal))
    text_part = text_filter(
        session,
        query_words(filters.q),
        hide_index=hide,
        other_filters=others,
        allow_drive=allow_drive,
        all_matches=all_matches,
    )
    conds.extend(text_part.conditions)
    if filters.in_stock is not None:
        conds.append(in_stock_condition(filters.in_stock, hide_index=hide))
    if filters.ships_by is not None:
        conds.append(ships_by_condition(filters.ships_by, filters.today or utcnow().date()))
    if hide:
        # Walking SKUs in sort order, SQLite would first scan every style to build a
        # Bloom filter from the style-only conditions; tying each to the SKU row
        # (skus.id is never NULL) makes it check just the styles the walk reaches.
        conds = [or_(c, Sku.id.is_(None)) for c in conds]
    # Trigram matches drive: reach styles only by their primary key from each SKU.
    join_on = Style.id == plain(Sku.style_id, sqlite and text_part.drives)
    return conds, join_on


def values_condition(column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """The column holds one of the values (several values of one filter combine with OR)."""
    unique = sorted(set(values))
    condition: ColumnElement[bool] = column == unique[0] if len(unique) == 1 else column.in_(unique)
    return condition


def occasion_condition(occasions: Sequence[str]) -> ColumnElement[bool]:
    """The SKU's style is tagged with one of the occasions (a short EXISTS on the tags)."""
    return exists().where(
        StyleOccasion.style_id == Style.id,
        StyleOccasion.occasion.in_(sorted(set(occasions))),
    )


def in_stock_condition(in_stock: bool = True, *, hide_index: bool = False) -> ColumnElement[bool]:
    """Some warehouse has units free to sell (``False``: none has).

    Read from ``skus.available_bins``, which triggers on ``stock_levels`` keep
    (stock/bins.py), so it comes from the covering indexes with the other SKU
    filters instead of a stock lookup per SKU.
    """
    bins = plain(Sku.available_bins, hide_index)
    condition: ColumnElement[bool] = bins > 0 if in_stock else bins == 0
    return condition


def ships_by_condition(ships_by: date, today: date) -> ColumnElement[bool]:
    """Units to sell now, or a pending batch (expected from ``today``) shipping by ``ships_by``.

    Units now: the SKU's own column (in_stock_condition). The batch: a short lookup
    per SKU not in stock, on ix_incoming_stock_sku_expected (led by ``sku_id``, it
    covers the whole check), written as ``(SELECT 1 ... LIMIT 1) IS NOT NULL`` rather
    than EXISTS: PostgreSQL turns an EXISTS under OR into a hashed subplan built from
    the whole table on every query; a scalar subquery stays a per-row index probe.
    SQLite runs both forms the same.
    """
    available_now = in_stock_condition()
    if ships_by < today or latest_expected_for(ships_by) < today:
        return available_now  # (checked in this order: date.min minus a week overflows)
    arriving = (
        select(literal(1))
        .where(
            IncomingStock.sku_id == Sku.id,
            IncomingStock.expected_date >= today,
            IncomingStock.expected_date <= latest_expected_for(ships_by),
            IncomingStock.received_at.is_(None),
        )
        .limit(1)
        .scalar_subquery()
        .is_not(None)
    )
    return or_(available_now, arriving)


def arriving_skus(ships_by: date, today: date) -> Select[int] | None:
    """Ids of SKUs with a pending batch (expected from ``today``) shipping by ``ships_by``.

    The arriving half of ships_by_condition as a set found from the batches' dates
    (facets.py counts the SKUs not in stock among them); None when no batch can
    arrive in time.
    """
    if ships_by < today or latest_expected_for(ships_by) < today:
        return None
    return select(IncomingStock.sku_id).where(
        IncomingStock.expected_date >= today,
        IncomingStock.expected_date <= latest_expected_for(ships_by),
        IncomingStock.received_at.is_(None),
    )


def _ordered(stmt: _Stmt, sort: str, hide_index: bool = False, dialect: str = "sqlite") -> _Stmt:
    """ORDER BY for ``sort``; ``hide_index`` makes the database sort the matches
    instead of walking the sort order's index (``+col`` on SQLite; on PostgreSQL an
    expression of the column, which no index provides)."""

    def key(column: Any, text: bool) -> Any:
        if not hide_index:
            return column
        if dialect == "sqlite":
            return plain(column, True)
        return column.concat("") if text else column + 0

    if sort == "name":
        return stmt.order_by(key(Style.name, True), key(Sku.code, True))
    if sort == "newest":
        # Ids grow with creation, and the primary key needs no extra index.
        return stmt.order_by(key(Sku.id, False).desc())
    return stmt.order_by(key(Sku.code, True))


def count_skus(
    session: Session, filters: SkuFilters, principal: Principal | None, cap: int = COUNT_CAP
) -> int:
    """Matching SKUs, counted up to ``cap`` (``cap`` means "at least that many").

    Counting stops at the cap so a broad filter costs the same as a narrow one.
    """
    matching = (
        select(Sku.id)
        .join(Style, Style.id == Sku.style_id)
        .where(*filter_conditions(session, filters, principal))
        .limit(cap)
        .subquery()
    )
    return int(session.scalar(select(func.count()).select_from(matching)) or 0)


def list_page(
    session: Session,
    filters: SkuFilters,
    principal: Principal | None,
    *,
    offset: int,
    limit: int,
    cap: int = COUNT_CAP,
) -> tuple[list[SkuRow], int]:
    """One page and the total (counted up to ``cap``), each on a plan of bounded cost.

    First up to ``cap`` matching SKUs are found on whatever plan the filters' indexes
    make cheapest, and sorted. Fewer than ``cap``: that is the exact total and the
    page is a slice of them. ``cap`` or more: the filters are broad, so the page is
    first looked for by walking the sort order's index over a bounded window
    (_walk_window); if the matches cluster beyond it, the matches are found by the
    filters' indexes and sorted (_sort_matches). The cost of either is bounded by the
    window or by the number of matches, whatever the filters. SQLite is steered
    (``+column`` hides an index from its planner), so the plans stay good with or
    without ANALYZE; PostgreSQL's planner is left to its statistics.
    """
    if session.get_bind().dialect.name == "postgresql":
        # The catalog's indexes live in memory: tell the planner random reads are
        # cheap (the default assumes spinning disks and then prefers full scans).
        session.execute(text("SET LOCAL random_page_cost = 1.1"))
    conds, join_on = _plan(session, filters, principal)
    # Every column here is in the covering indexes (or the style row), so the
    # filters are answered without reading SKU rows; then at most ``cap`` are sorted.
    matching = (
        select(Sku.id.label("id"), Sku.code.label("code"), Style.name.label("name"))
        .join(Style, join_on)
        .where(*conds)
        .limit(cap)
        .subquery()
    )
    order: dict[str, list[Any]] = {
        "code": [matching.c.code],
        "name": [matching.c.name, matching.c.code],
        "newest": [matching.c.id.desc()],
    }
    sample = session.execute(
        select(matching.c.id, matching.c.code, matching.c.name).order_by(
            *order.get(filters.sort, order["code"])
        )
    ).all()
    total = len(sample)
    if total < cap:
        page_ids = [row.id for row in sample[offset : offset + limit]]
    else:
        wanted = offset + limit
        first = _walk_window(session, filters, principal, wanted)
        if first is None:
            # The sample holds ``cap`` of the matches, so at least ``wanted`` matches sort
            # before (or at) its ``wanted``-th: the page lies within that bound.
            bound = sample[wanted - 1] if wanted <= total else None
            first = _sort_matches(session, filters, principal, wanted, bound)
        page_ids = first[offset:]
    return rows_for_ids(session, page_ids), total


def _walk_window(
    session: Session, filters: SkuFilters, principal: Principal | None, wanted: int
) -> list[int] | None:
    """The first ``wanted`` matches, looking only at the first rows in sort order.

    Walking the sort order's index is the cheap way to a page when matches are
    spread along it, but matches may cluster far down (SKU codes often start with a
    type prefix). So the walk is bounded to a window of the catalog's first
    ``max(WALK_ROWS, WALK_FACTOR * wanted)`` rows in sort order; None when the window holds
    too few matches (the caller then sorts the matches instead).
    """
    window = max(WALK_ROWS, WALK_FACTOR * wanted)
    sqlite = session.get_bind().dialect.name == "sqlite"
    conds, join_on = _plan(session, filters, principal, hide_indexes=True)
    bound: list[ColumnElement[bool]] = []
    # The window's last key, computed inside the walk's statement (one round trip);
    # NULL when the catalog is smaller than the window: then nothing is bounded.
    if filters.sort == "newest":
        last_id = select(Sku.id).order_by(Sku.id.desc()).offset(window - 1).limit(1)
        bound = [Sku.id >= func.coalesce(last_id.scalar_subquery(), 0)]
    elif filters.sort == "name":
        last = session.execute(
            select(Style.name, Sku.code)
            .join(Style, Style.id == Sku.style_id)
            .order_by(Style.name, Sku.code)
            .offset(window - 1)
            .limit(1)
        ).first()
        if last is not None:
            # The name bound stops the index walk; the pair makes the window exact.
            bound = [
                Style.name <= last[0],
                tuple_(Style.name, Sku.code) <= tuple_(last[0], last[1]),
            ]
        if sqlite:
            # Styles first, in name order (ix_styles_name), then their SKUs by index.
            join_on = plain(Style.id, True) == Sku.style_id
    else:
        last_code = select(Sku.code).order_by(Sku.code).offset(window - 1).limit(1)
        largest = select(func.max(Sku.code))
        bound = [Sku.code <= func.coalesce(last_code.scalar_subquery(), largest.scalar_subquery())]
    stmt = select(Sku.id).join(Style, join_on).where(*conds, *bound)
    found = list(session.scalars(_ordered(stmt, filters.sort).limit(wanted)))
    if len(found) == wanted or (filters.sort == "name" and not bound):
        return found
    return None


def _sort_matches(
    session: Session,
    filters: SkuFilters,
    principal: Principal | None,
    wanted: int,
    bound: Any = None,
) -> list[int]:
    """The first ``wanted`` matches: found by the filters' indexes, then sorted.

    ``bound`` (a row with ``id``, ``code`` and ``name``) is a match that at least
    ``wanted`` matches sort before or at; only matches up to it are sorted.
    """
    dialect = session.get_bind().dialect.name
    conds, join_on = _plan(session, filters, principal, all_matches=True)
    if bound is not None:
        if filters.sort == "newest":
            conds.append(Sku.id >= bound.id)
        elif filters.sort == "name":
            conds.append(Style.name <= bound.name)
        else:
            conds.append(Sku.code <= bound.code)
    stmt = select(Sku.id).join(Style, join_on).where(*conds)
    ordered = _ordered(stmt, filters.sort, hide_index=True, dialect=dialect)
    return list(session.scalars(ordered.limit(wanted)))


def list_sku_rows(
    session: Session,
    filters: SkuFilters,
    principal: Principal | None,
    *,
    offset: int,
    limit: int,
) -> list[SkuRow]:
    """One page of SKUs (the planner's own plan; list_page is the fast path)."""
    stmt = (
        select(Sku.id)
        .join(Style, Style.id == Sku.style_id)
        .where(*filter_conditions(session, filters, principal))
    )
    ids = list(session.scalars(_ordered(stmt, filters.sort).offset(offset).limit(limit)))
    return rows_for_ids(session, ids)
