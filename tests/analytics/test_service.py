"""Dashboard figures from the database: per month, per region, segment and bag type."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from microbag.analytics.service import dashboard
from microbag.orders import service as orders
from microbag.orders.models import Order
from microbag.quotes import service as quotes
from microbag.stock.models import StockLevel
from microbag.timeutil import utcnow


def _set_placed(db, order_id: int, when) -> None:
    with db.session(write=True) as s:
        s.execute(update(Order).where(Order.id == order_id).values(placed_at=when))


def test_empty_history(db, world):
    with db.session() as s:
        d = dashboard(s)
    assert d.currency is None and d.currencies == [] and d.orders == 0
    assert len(d.series) == 12 and all(m.units == 0 for m in d.series)
    assert d.by_region == [] and d.top_skus == [] and d.low_stock == []
    assert d.open_orders == {"placed": 0, "confirmed": 0, "shipped": 0}


def test_figures_by_month_kind_and_currency(db, world, place, principal):
    a1 = place("buyer@a.test", ("MC-001-GLD", 24), ("MT-001-RED", 12))  # EUR, europe, boutique
    a2 = place("owner@a.test", ("MC-001-GLD", 12))
    b1 = place("buyer@b.test", ("CB-001-TAN", 60))  # USD, us, department store
    cancelled = place("buyer@b.test", ("MC-001-BLK", 12))
    old = place("buyer@a.test", ("MT-001-RED", 12))
    with db.session(write=True) as s:
        staff = principal("sales@seller.test")
        orders.cancel_order(s, staff, cancelled, "test")
        orders.confirm_order(s, staff, a2)
    today = utcnow().date()
    _set_placed(db, old, utcnow() - timedelta(days=500))  # outside 12 months, inside 36
    with db.session() as s:
        d = dashboard(s, months=12, today=today)
        eur = {c.currency: c for c in d.currencies}
        # Counted orders: a1, a2 (EUR) and b1 (USD); the cancelled and the old one are not.
        assert (eur["EUR"].orders, eur["USD"].orders) == (2, 1)
        assert d.currency == "EUR"  # the currency with most orders
        assert d.units == 24 + 12 + 12 + 60
        this_month = d.series[-1]
        assert this_month.first_day == date(today.year, today.month, 1)
        assert (this_month.orders, this_month.units) == (3, 108)
        with db.session() as s2:
            totals = {o.id: o.total_minor for o in s2.query(Order).all()}
        assert this_month.revenue_minor == totals[a1] + totals[a2] == d.revenue_minor
        region = {r.key: r for r in d.by_region}
        assert region["europe"].units == 48 and region["us"].units == 60
        assert region["europe"].revenue == {"EUR": totals[a1] + totals[a2]}
        assert region["us"].revenue_in("USD") == totals[b1]
        assert abs(sum(r.share for r in d.by_region) - 1) < 1e-9
        assert [r.key for r in d.by_segment] == ["department_store", "boutique"]
        bag = {r.key: r.units for r in d.by_bag_type}
        assert bag == {"micro_clutch": 36, "micro_tote": 12, "mini_crossbody": 60}
        assert [(t.code, t.units) for t in d.top_skus] == [
            ("CB-001-TAN", 60),
            ("MC-001-GLD", 36),
            ("MT-001-RED", 12),
        ]
        assert d.top_skus[1].revenue_minor > 0 and d.top_skus[0].revenue_minor == 0  # USD
        # The queue counts every open order, whenever it was placed (the old one too).
        assert d.open_orders == {"placed": 3, "confirmed": 1, "shipped": 0}
        usd = dashboard(s, currency="USD", today=today)
        assert usd.revenue_minor == totals[b1] and usd.top_skus[0].revenue_minor == totals[b1]
        longer = dashboard(s, months=36, today=today)
        assert longer.units == d.units + 12 and len(longer.series) == 36


def test_quotes_waiting_and_low_stock(db, world, place, principal):
    buyer = principal("buyer@a.test")
    with db.session(write=True) as s:
        waiting = quotes.request_quote(s, buyer, [{"sku": "MC-001-GLD", "quantity": 3}])
        answered = quotes.request_quote(s, buyer, [{"sku": "MT-001-RED", "quantity": 3}])
        quotes.answer_quote(
            s,
            principal("sales@seller.test"),
            answered.id,
            [{"line_no": 1, "unit_price_minor": 900}],
            lead_time_days=10,
            valid_until=utcnow().date() + timedelta(days=5),
        )
        assert waiting.id != answered.id
    # 90 units of MC-001-GLD sold in 90 days: 30 days of cover needs 30 units available.
    place("buyer@a.test", ("MC-001-GLD", 90))
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel)
            .where(StockLevel.sku_id == world.skus["MC-001-GLD"])
            .values(on_hand=90 + 29)  # 29 available after the 90 reserved
        )
    with db.session() as s:
        d = dashboard(s)
        assert (d.quotes_waiting, d.quotes_answered) == (1, 1)
        assert [(r.code, r.available, r.units_sold, r.cover_days) for r in d.low_stock] == [
            ("MC-001-GLD", 29, 90, 29)
        ]
        assert d.low_stock_count == 1
        later = dashboard(s, today=utcnow().date() + timedelta(days=6))
        assert later.quotes_answered == 0  # expired answers no longer wait
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel)
            .where(StockLevel.sku_id == world.skus["MC-001-GLD"])
            .values(on_hand=90 + 30)
        )
    with db.session() as s:
        assert dashboard(s).low_stock == []


def test_a_handful_of_queries_whatever_was_sold(db, world, place):
    from sqlalchemy import event

    place("buyer@a.test", ("MC-001-GLD", 24), ("MT-001-RED", 12), ("CB-001-TAN", 12))
    place("buyer@b.test", ("MC-001-BLK", 60))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as s:
            d = dashboard(s)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(d.top_skus) == 4
    # Orders by month, lines by company and by SKU, their companies and SKUs, the queue,
    # quotes, low stock and its incoming batches: never one query per row.
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 9
