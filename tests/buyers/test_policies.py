"""Pure buyer rules: countries, regions, payment terms, available credit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microbag.buyers.policies import (
    MAX_NET_DAYS,
    OPEN_UNPAID_STATUSES,
    available_credit,
    credit_applies,
    is_country_code,
    is_locale,
    is_open_unpaid,
    open_unpaid_sum,
    payment_terms_label,
    region_for_country,
    valid_payment_terms,
)

PAID = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = ("draft", "placed", "confirmed", "shipped", "delivered", "cancelled")


@pytest.mark.parametrize("code", ["FR", "US", "JP", "KR", "CN", "AE", "BR", "GB", "HK"])
def test_known_countries(code):
    assert is_country_code(code)


@pytest.mark.parametrize("code", ["fr", "XX", "EU", "ZZ", "UN", "FRA", "", "150", "F"])
def test_unknown_countries(code):
    assert not is_country_code(code)


def test_region_for_country():
    assert region_for_country("FR") == "europe"
    assert region_for_country(" jp ") == "japan_korea"
    assert region_for_country("MX") == "latin_america"
    assert region_for_country("AE") == "middle_east"
    assert region_for_country("AU") == "other"


def test_locales():
    assert is_locale("fr_FR") and is_locale("ja_JP") and is_locale("en")
    assert not is_locale("xx_XX") and not is_locale("") and not is_locale("en-US")


def test_payment_terms():
    assert valid_payment_terms(None) and valid_payment_terms(0)
    assert valid_payment_terms(MAX_NET_DAYS) and not valid_payment_terms(MAX_NET_DAYS + 1)
    assert not valid_payment_terms(-1)
    assert payment_terms_label(None) == "prepaid"
    assert payment_terms_label(30) == "net 30"
    assert not credit_applies(None) and credit_applies(0)


def test_open_unpaid_statuses():
    assert set(OPEN_UNPAID_STATUSES) == {
        "placed",
        "confirmed",
        "partly_shipped",
        "shipped",
        "delivered",
    }
    # The credit view of buyers and the orders' own rule agree (orders.policies).
    from microbag.orders.policies import OPEN_STATUSES

    assert set(OPEN_UNPAID_STATUSES) == OPEN_STATUSES
    assert is_open_unpaid("partly_shipped", None)
    assert is_open_unpaid("shipped", None)
    assert not is_open_unpaid("shipped", PAID)
    assert not is_open_unpaid("draft", None)
    assert not is_open_unpaid("cancelled", None)


def test_available_credit():
    assert available_credit(5_000_000, 0) == 5_000_000
    assert available_credit(5_000_000, 1_250_000) == 3_750_000
    assert available_credit(5_000_000, 6_000_000) == 0  # over the limit: none left


orders = st.lists(
    st.tuples(st.sampled_from(STATUSES), st.sampled_from([None, PAID]), st.integers(0, 10**9))
)


@given(st.integers(0, 10**10), orders)
def test_available_credit_is_limit_minus_open_unpaid_orders(limit, rows):
    open_total = open_unpaid_sum(rows)
    expected = sum(
        total
        for status, paid_at, total in rows
        if status in ("placed", "confirmed", "shipped", "delivered") and paid_at is None
    )
    assert open_total == expected
    left = available_credit(limit, open_total)
    assert 0 <= left <= limit
    assert left == max(limit - expected, 0)
    # Paying any order never lowers the credit available.
    paid = [(s, PAID, t) for s, _p, t in rows]
    assert available_credit(limit, open_unpaid_sum(paid)) == limit >= left
