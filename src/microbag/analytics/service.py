"""Dashboard figures, aggregated in SQL: nine small queries, whatever the catalog's size.

Revenue is summed per currency: microbag keeps no exchange rates, so amounts in
different currencies are never added up; the dashboard shows one currency at a time
(and every currency's total). Units are summed across currencies. An order counts
from the time it was placed until it is cancelled (orders.policies.OPEN_STATUSES).

The queries start from the order history (small, even at 100,000 SKUs), group by
integer keys only, and reach into companies, the catalog and stock only for the rows
that sold, so the dashboard's cost does not grow with the catalog.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Float, any_, bindparam, cast, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from microbag.analytics import policies
from microbag.buyers.models import Company
from microbag.catalog.models import Sku, Style
from microbag.orders.models import Order, OrderLine
from microbag.orders.policies import CONFIRMED, OPEN_STATUSES, PLACED, SHIPPED
from microbag.quotes import policies as quote_policies
from microbag.quotes.models import Quote
from microbag.stock.models import StockLevel
from microbag.stock.service import Incoming, next_incoming
from microbag.timeutil import utcnow

# Orders waiting for the seller: to confirm, to ship, on their way.
QUEUE_STATUSES = (PLACED, CONFIRMED, SHIPPED)


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    orders: int
    revenue_minor: int


@dataclass(frozen=True)
class MonthFigures:
    key: str  # "2026-03"
    first_day: date
    orders: int  # every currency
    units: int  # every currency
    revenue_minor: int  # in the dashboard's currency


@dataclass
class BreakdownRow:
    """Units (all currencies) and revenue per currency for one region, segment or bag type."""

    key: str
    units: int = 0
    revenue: dict[str, int] = field(default_factory=dict)
    share: float = 0.0  # of all units in the period

    def revenue_in(self, currency: str | None) -> int:
        return self.revenue.get(currency or "", 0)


@dataclass(frozen=True)
class TopSku:
    code: str
    name: str
    color: str
    units: int
    revenue_minor: int  # in the dashboard's currency


@dataclass(frozen=True)
class LowStockRow:
    code: str
    name: str
    color: str
    available: int
    units_sold: int  # over policies.SALES_WINDOW_DAYS
    next_incoming: Incoming | None

    @property
    def cover_days(self) -> int | None:
        return policies.Cover(self.available, self.units_sold).days


@dataclass(frozen=True)
class Dashboard:
    today: date
    months: int
    start: date
    currency: str | None
    currencies: list[CurrencyTotal]
    series: list[MonthFigures]
    by_region: list[BreakdownRow]
    by_segment: list[BreakdownRow]
    by_bag_type: list[BreakdownRow]
    top_skus: list[TopSku]
    open_orders: dict[str, int]
    quotes_waiting: int  # requested, not answered yet
    quotes_answered: int  # answered, still valid: waiting for the buyer
    low_stock: list[LowStockRow]
    low_stock_count: int

    @property
    def units(self) -> int:
        return sum(m.units for m in self.series)

    @property
    def orders(self) -> int:
        return sum(c.orders for c in self.currencies)

    @property
    def revenue_minor(self) -> int:
        return sum(m.revenue_minor for m in self.series)

    @property
    def currency_orders(self) -> int:
        return next((c.orders for c in self.currencies if c.currency == self.currency), 0)


def _utc_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _month(session: Session, column: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of a UTC timestamp column, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    # SQLite keeps UTCDateTime values as 'YYYY-MM-DD HH:MM:SS' text in UTC; cutting the
    # text is cheaper than strftime on every line.
    return func.substr(column, 1, 7)


def _counted(since: datetime) -> list[ColumnElement[bool]]:
    return [Order.status.in_(sorted(OPEN_STATUSES)), Order.placed_at >= since]


@dataclass(frozen=True)
class SoldSku:
    code: str
    name: str
    color: str
    bag_type: str


@dataclass(frozen=True)
class _Period:
    """The period's raw aggregates, from which every table of the dashboard is derived."""

    # (month, currency) -> (orders, revenue)
    orders: dict[tuple[str, str], tuple[int, int]]
    # (month, company id, currency) -> (units, revenue)
    by_company: dict[tuple[str, int, str], tuple[int, int]]
    # (sku id, currency) -> (units, revenue)
    by_sku: dict[tuple[int, str], tuple[int, int]]
    # company id -> (region, segment), for the companies that bought
    companies: dict[int, tuple[str, str]]
    # sku id -> what it is, for the SKUs that sold
    skus: dict[int, SoldSku]


def _among(session: Session, column: Any, ids: list[int]) -> list[ColumnElement[bool]]:
    """Conditions for ``column`` in ``ids``: one array parameter on PostgreSQL (planning a
    long IN list there costs more than the lookup), IN lists of 500 on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return [column == any_(bindparam("ids", ids, type_=ARRAY(BigInteger)))]
    return [column.in_(ids[i : i + 500]) for i in range(0, len(ids), 500)]


def _period(session: Session, since: datetime) -> _Period:
    """Three grouped scans of the period's orders and lines, with integer keys only, then
    the companies and SKUs they name (joining those per line would cost more than both)."""
    month = _month(session, Order.placed_at)
    counted = _counted(since)
    orders = {
        (str(m), str(c)): (int(n), int(r or 0))
        for m, c, n, r in session.execute(
            select(month, Order.currency, func.count(), func.sum(Order.total_minor))
            .where(*counted)
            .group_by(month, Order.currency)
        )
    }
    lines = select().select_from(Order).join(OrderLine, OrderLine.order_id == Order.id)
    by_company = {
        (str(m), int(c), str(cur)): (int(u or 0), int(r or 0))
        for m, c, cur, u, r in session.execute(
            lines.add_columns(
                month,
                Order.company_id,
                Order.currency,
                func.sum(OrderLine.quantity),
                func.sum(OrderLine.line_total_minor),
            )
            .where(*counted)
            .group_by(month, Order.company_id, Order.currency)
        )
    }
    by_sku = {
        (int(k), str(cur)): (int(u or 0), int(r or 0))
        for k, cur, u, r in session.execute(
            lines.add_columns(
                OrderLine.sku_id,
                Order.currency,
                func.sum(OrderLine.quantity),
                func.sum(OrderLine.line_total_minor),
            )
            .where(*counted)
            .group_by(OrderLine.sku_id, Order.currency)
        )
    }
    companies: dict[int, tuple[str, str]] = {}
    for condition in _among(session, Company.id, sorted({c for _m, c, _cur in by_company})):
        for i, region, segment in session.execute(
            select(Company.id, Company.region, Company.segment).where(condition)
        ):
            companies[int(i)] = (str(region), str(segment))
    skus: dict[int, SoldSku] = {}
    for condition in _among(session, Sku.id, sorted({k for k, _cur in by_sku})):
        for i, code, name, color, bag in session.execute(
            select(Sku.id, Sku.code, Style.name, Sku.color, Style.bag_type)
            .join(Style, Style.id == Sku.style_id)
            .where(condition)
        ):
            skus[int(i)] = SoldSku(code, name, color, bag)
    return _Period(orders, by_company, by_sku, companies, skus)


def currency_totals(period: _Period) -> list[CurrencyTotal]:
    """Orders and revenue per currency, most orders first."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_month_key, currency), (orders, revenue) in period.orders.items():
        sums[currency][0] += orders
        sums[currency][1] += revenue
    totals = [CurrencyTotal(c, n, r) for c, (n, r) in sums.items()]
    return sorted(totals, key=lambda t: (-t.orders, t.currency))


def monthly(period: _Period, today: date, months: int, currency: str | None) -> list[MonthFigures]:
    """Orders, units and revenue per calendar month, every month of the period (zeros too)."""
    orders: dict[str, int] = defaultdict(int)
    revenue: dict[str, int] = defaultdict(int)
    units: dict[str, int] = defaultdict(int)
    for (key, cur), (n, r) in period.orders.items():
        orders[key] += n
        if cur == currency:
            revenue[key] += r
    for (key, _company, _cur), (u, _r) in period.by_company.items():
        units[key] += u
    return [
        MonthFigures(key, first, orders[key], units[key], revenue[key])
        for key, first in policies.month_keys(today, months)
    ]


def _table(rows: dict[str, BreakdownRow], total_units: int) -> list[BreakdownRow]:
    ordered = sorted(rows.values(), key=lambda r: (-r.units, r.key))
    for row in ordered:
        row.share = row.units / total_units if total_units else 0.0
    return ordered


def _add(
    table: dict[str, BreakdownRow], kind: str, currency: str, units: int, revenue: int
) -> None:
    row = table.setdefault(kind, BreakdownRow(kind))
    row.units += units
    row.revenue[currency] = row.revenue.get(currency, 0) + revenue


def breakdowns(
    period: _Period,
) -> tuple[list[BreakdownRow], list[BreakdownRow], list[BreakdownRow]]:
    """By region, by segment and by bag type: units and revenue per currency, most units first."""
    per_company: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for (_key, company_id, currency), (units, revenue) in period.by_company.items():
        sums = per_company[(company_id, currency)]
        sums[0] += units
        sums[1] += revenue
    regions: dict[str, BreakdownRow] = {}
    segments: dict[str, BreakdownRow] = {}
    for (company_id, currency), (units, revenue) in per_company.items():
        region, segment = period.companies.get(company_id, ("other", "other"))
        _add(regions, region, currency, units, revenue)
        _add(segments, segment, currency, units, revenue)
    bags: dict[str, BreakdownRow] = {}
    total_units = 0
    for (sku_id, currency), (units, revenue) in period.by_sku.items():
        total_units += units
        sku = period.skus.get(sku_id)
        _add(bags, sku.bag_type if sku else "other", currency, units, revenue)
    return _table(regions, total_units), _table(segments, total_units), _table(bags, total_units)


def top_skus(period: _Period, currency: str | None, limit: int = policies.TOP_SKUS) -> list[TopSku]:
    """The best sellers by units (all currencies), with their revenue in ``currency``."""
    units: dict[int, int] = defaultdict(int)
    revenue: dict[int, int] = defaultdict(int)
    for (sku_id, cur), (n, amount) in period.by_sku.items():
        units[sku_id] += n
        if cur == currency:
            revenue[sku_id] += amount
    named = [(sku_id, period.skus[sku_id]) for sku_id in units if sku_id in period.skus]
    ranked = sorted(named, key=lambda p: (-units[p[0]], p[1].code))[:limit]
    return [
        TopSku(sku.code, sku.name, sku.color, units[sku_id], revenue[sku_id])
        for sku_id, sku in ranked
    ]


def open_orders(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Order.status, func.count())
        .where(Order.status.in_(QUEUE_STATUSES))
        .group_by(Order.status)
    )
    found = {str(s): int(n) for s, n in rows}
    return {s: found.get(s, 0) for s in QUEUE_STATUSES}


def quotes_pending(session: Session, today: date) -> tuple[int, int]:
    """(requested and not answered, answered and still valid)."""
    rows = session.execute(
        select(Quote.status, func.count())
        .where(
            or_(
                Quote.status == quote_policies.REQUESTED,
                (Quote.status == quote_policies.ANSWERED)
                & or_(Quote.valid_until.is_(None), Quote.valid_until >= today),
            )
        )
        .group_by(Quote.status)
    )
    found = {str(s): int(n) for s, n in rows}
    return found.get(quote_policies.REQUESTED, 0), found.get(quote_policies.ANSWERED, 0)


def low_stock(
    session: Session, today: date, limit: int = policies.LOW_STOCK_ROWS
) -> tuple[list[LowStockRow], int]:
    """Active SKUs that sold recently and whose stock lasts under LOW_COVER_DAYS at that pace.

    Returns the worst ``limit`` (least cover first) and how many there are in all.
    """
    since = _utc_start(today - timedelta(days=policies.SALES_WINDOW_DAYS))
    sold = (
        select(OrderLine.sku_id.label("sku_id"), func.sum(OrderLine.quantity).label("units"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(*_counted(since))
        .group_by(OrderLine.sku_id)
        .subquery()
    )
    available = (
        select(func.coalesce(func.sum(StockLevel.on_hand - StockLevel.reserved), 0))
        .where(StockLevel.sku_id == sold.c.sku_id)
        .scalar_subquery()
    )
    conditions = [
        Sku.lifecycle == "active",
        Style.lifecycle == "active",
        available * policies.SALES_WINDOW_DAYS < sold.c.units * policies.LOW_COVER_DAYS,
    ]
    base = (
        select(Sku.id, Sku.code, Style.name, Sku.color, sold.c.units, available)
        .select_from(sold)
        .join(Sku, Sku.id == sold.c.sku_id)
        .join(Style, Style.id == Sku.style_id)
        .where(*conditions)
    )
    # Every low row (bounded by the SKUs that sold), worst cover first; the page shows a few.
    rows = session.execute(
        base.order_by(cast(available, Float) / sold.c.units, sold.c.units.desc(), Sku.code)
    ).all()
    total = len(rows)
    rows = rows[:limit]
    incoming = next_incoming(session, [r[0] for r in rows], today)
    return [
        LowStockRow(code, name, color, int(avail or 0), int(units), incoming.get(sku_id))
        for sku_id, code, name, color, units, avail in rows
    ], int(total)


def dashboard(
    session: Session,
    *,
    currency: str | None = None,
    months: int = policies.DEFAULT_PERIOD,
    today: date | None = None,
) -> Dashboard:
    """Every figure of the staff dashboard for the period of ``months`` ending today.

    ``currency`` picks the currency revenue is shown in; by default the one with the
    most orders in the period (None when nothing sold).
    """
    today = today or utcnow().date()
    months = policies.clamp_period(months)
    start = policies.period_start(today, months)
    period = _period(session, _utc_start(start))
    currencies = currency_totals(period)
    if currency is None and currencies:
        currency = currencies[0].currency
    by_region, by_segment, by_bag_type = breakdowns(period)
    waiting, answered = quotes_pending(session, today)
    low, low_count = low_stock(session, today)
    return Dashboard(
        today=today,
        months=months,
        start=start,
        currency=currency,
        currencies=currencies,
        series=monthly(period, today, months, currency),
        by_region=by_region,
        by_segment=by_segment,
        by_bag_type=by_bag_type,
        top_skus=top_skus(period, currency),
        open_orders=open_orders(session),
        quotes_waiting=waiting,
        quotes_answered=answered,
        low_stock=low,
        low_stock_count=low_count,
    )


__all__ = [
    "BreakdownRow",
    "CurrencyTotal",
    "Dashboard",
    "LowStockRow",
    "MonthFigures",
    "TopSku",
    "dashboard",
    "low_stock",
    "open_orders",
    "quotes_pending",
    "top_skus",
]
