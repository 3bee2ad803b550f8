"""Accepting a quote: it becomes an order at the agreed prices, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from microbag.errors import DomainError
from microbag.orders.models import Order
from microbag.quotes import service
from microbag.quotes.models import Quote
from microbag.stock.models import StockLevel

from .conftest import expire


def order_count(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


def reserved(db, world, code: str) -> int:
    with db.session() as s:
        return int(
            s.scalar(select(StockLevel.reserved).where(StockLevel.sku_id == world.skus[code]))
        )


def test_accept_places_one_order_at_the_agreed_prices(db, world, who, make_quote):
    quote_id = make_quote(answered=True, prices=(3_900, 4_100))
    with db.session(write=True) as s:
        order = service.accept_quote(s, who("buyer@a.test"), quote_id)
        order_id = order.id
        assert order.quote_id == quote_id
        assert order.status == "placed"
        assert order.currency == "EUR"
        # below the MOQ of 6 and off the tier prices: the quote's terms apply
        assert [(ln.sku_code, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
            ("MC-001-GLD", 2, 3_900),
            ("MT-001-RED", 3, 4_100),
        ]
        assert order.total_minor == 2 * 3_900 + 3 * 4_100
    with db.session() as s:
        q = s.get(Quote, quote_id)
        assert (q.status, q.order_id) == ("accepted", order_id)
        assert q.accepted_at is not None
    # a catalog quote is sold from stock: the order reserves it
    assert reserved(db, world, "MC-001-GLD") == 2
    assert reserved(db, world, "MT-001-RED") == 3
    # accepting again (another buyer of the company) gives the same order
    with db.session(write=True) as s:
        assert service.accept_quote(s, who("owner@a.test"), quote_id).id == order_id
    assert order_count(db) == 1
    assert reserved(db, world, "MC-001-GLD") == 2


def test_oem_order_is_made_to_order_without_reservation(db, world, who, make_quote):
    quote_id = make_quote(kind="oem", answered=True)
    with db.session(write=True) as s:
        order = service.accept_quote(s, who("buyer@a.test"), quote_id)
        assert order.quote_id == quote_id
        assert all(ln.allocations == [] for ln in order.lines)
    assert reserved(db, world, "MC-001-GLD") == 0


def test_oem_order_is_not_limited_by_stock(db, world, who):
    with db.session(write=True) as s:
        q = service.request_quote(
            s,
            who("buyer@a.test"),
            [{"sku": "MC-001-GLD", "quantity": 500}],
            "oem",
            {"logo": "embossed"},
        )
        service.answer_quote(
            s,
            who("admin@seller.test"),
            q.id,
            [{"line_no": 1, "unit_price_minor": 2_000}],
            60,
            service.today_utc() + timedelta(days=20),
        )
        quote_id = q.id
    with db.session(write=True) as s:
        assert service.accept_quote(s, who("buyer@a.test"), quote_id).total_minor == 1_000_000


def test_catalog_quote_beyond_stock_is_refused_and_stays_answered(db, world, who):
    with db.session(write=True) as s:
        q = service.request_quote(s, who("buyer@a.test"), [{"sku": "MC-001-GLD", "quantity": 101}])
        service.answer_quote(
            s,
            who("admin@seller.test"),
            q.id,
            [{"line_no": 1, "unit_price_minor": 100}],
            5,
            service.today_utc() + timedelta(days=20),
        )
        quote_id = q.id
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.accept_quote(s, who("buyer@a.test"), quote_id)
    assert exc.value.status == 409
    assert [i.code for i in exc.value.items] == ["insufficient_stock"]
    with db.session() as s:
        assert s.get(Quote, quote_id).status == "answered"
    assert order_count(db) == 0


def test_accept_not_answered_expired_or_closed(db, world, who, make_quote):
    requested = make_quote()
    expired = make_quote(answered=True)
    expire(db, expired)
    declined = make_quote(answered=True)
    with db.session(write=True) as s:
        service.decline_quote(s, who("buyer@a.test"), declined)
    for quote_id, code in (
        (requested, "quote_not_answered"),
        (expired, "quote_expired"),
        (declined, "quote_closed"),
    ):
        with db.session(write=True) as s, pytest.raises(DomainError) as exc:
            service.accept_quote(s, who("buyer@a.test"), quote_id)
        assert (exc.value.status, exc.value.items[0].code) == (409, code)
    assert order_count(db) == 0


def test_expiry_is_by_utc_date_valid_through_the_last_day(db, world, who, make_quote):
    quote_id = make_quote(answered=True, valid_days=3)
    last_day = service.today_utc() + timedelta(days=3)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.accept_quote(s, who("buyer@a.test"), quote_id, today=last_day + timedelta(days=1))
    assert exc.value.items[0].code == "quote_expired"
    with db.session(write=True) as s:
        assert service.accept_quote(s, who("buyer@a.test"), quote_id, today=last_day).quote_id == (
            quote_id
        )


def test_accept_scoped_and_role_checked(db, world, who, make_quote):
    quote_id = make_quote(answered=True)
    for email, status in (
        ("buyer@b.test", 404),
        ("viewer@a.test", 403),
        ("admin@seller.test", 403),
    ):
        with db.session(write=True) as s, pytest.raises(DomainError) as exc:
            service.accept_quote(s, who(email), quote_id)
        assert exc.value.status == status
    assert order_count(db) == 0


def test_accepted_quote_cannot_be_revised_declined_or_cancelled(db, world, who, make_quote):
    quote_id = make_quote(answered=True)
    with db.session(write=True) as s:
        service.accept_quote(s, who("buyer@a.test"), quote_id)
    for action in (service.decline_quote, service.cancel_quote):
        with db.session(write=True) as s, pytest.raises(DomainError) as exc:
            action(s, who("buyer@a.test"), quote_id)
        assert exc.value.items[0].code == "quote_closed"
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.answer_quote(
            s,
            who("sales@seller.test"),
            quote_id,
            [{"line_no": 1, "unit_price_minor": 1}, {"line_no": 2, "unit_price_minor": 1}],
            5,
            service.today_utc() + timedelta(days=3),
        )
    assert exc.value.items[0].code == "quote_closed"


def test_order_quote_id_is_unique(db, world, who, make_quote):
    """The last line of defence: a second order for the same quote cannot be stored."""
    from sqlalchemy.exc import IntegrityError

    quote_id = make_quote(answered=True)
    with db.session(write=True) as s:
        service.accept_quote(s, who("buyer@a.test"), quote_id)
    with pytest.raises(IntegrityError), db.session(write=True) as s:
        s.add(Order(company_id=world.company_a, status="placed", currency="EUR", quote_id=quote_id))
        s.flush()
