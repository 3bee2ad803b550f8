"""Pure order rules: statuses, roles, idempotency hashes, order-level checks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from microbag.errors import DomainError, ErrorItem
from microbag.orders import policies as p


@dataclass(frozen=True)
class Who:
    role: str
    company_id: int | None


BUYER_OWNER = Who("owner", 1)
BUYER = Who("buyer", 1)
VIEWER = Who("viewer", 1)
ADMIN = Who("admin", None)
SALES = Who("sales", None)
MERCH = Who("merchandiser", None)


@pytest.mark.parametrize(
    ("action", "current", "target"),
    [
        ("place", "draft", "placed"),
        ("confirm", "placed", "confirmed"),
        ("ship", "confirmed", "shipped"),
        ("deliver", "shipped", "delivered"),
        ("cancel", "draft", "cancelled"),
        ("cancel", "placed", "cancelled"),
        ("cancel", "confirmed", "cancelled"),
    ],
)
def test_valid_transitions(action, current, target):
    assert p.next_status(action, current) == target


def test_every_other_transition_is_invalid():
    valid = {
        ("place", "draft"),
        ("confirm", "placed"),
        ("ship", "confirmed"),
        ("ship", "partly_shipped"),  # a later shipment of the same order
        ("deliver", "shipped"),
        ("cancel", "draft"),
        ("cancel", "placed"),
        ("cancel", "confirmed"),
    }
    for action in p.TRANSITIONS:
        for status in p.STATUSES:
            if (action, status) in valid:
                continue
            with pytest.raises(DomainError) as err:
                p.next_status(action, status)
            assert err.value.status == 409
            assert err.value.items[0].code == "invalid_transition"


def test_no_cancel_after_shipping():
    for status in ("shipped", "delivered", "cancelled"):
        with pytest.raises(DomainError):
            p.check_cancel(ADMIN, status, "customer asked")


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        p.next_status("teleport", "placed")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (BUYER_OWNER, {"place", "cancel"}),
        (BUYER, {"place", "cancel"}),
        (VIEWER, set()),
        (ADMIN, {"confirm", "ship", "deliver", "cancel", "mark_paid"}),
        (SALES, {"confirm", "ship", "deliver", "cancel", "mark_paid"}),
        (MERCH, set()),
    ],
)
def test_who_may_do_what(who, allowed):
    assert {a for a in p.ACTIONS if p.may(who, a)} == allowed


def test_buyer_cancels_only_before_confirmation():
    assert p.check_cancel(BUYER, "placed", "") == "cancelled"
    assert p.check_cancel(BUYER, "draft", "") == "cancelled"
    with pytest.raises(DomainError) as err:
        p.check_cancel(BUYER, "confirmed", "")
    assert err.value.status == 409
    assert err.value.items[0].code == "invalid_transition"


def test_staff_cancel_needs_a_reason():
    with pytest.raises(DomainError) as err:
        p.check_cancel(SALES, "confirmed", "   ")
    assert err.value.status == 422
    assert err.value.items[0].code == "reason_required"
    assert p.check_cancel(SALES, "confirmed", "out of leather") == "cancelled"


def test_mark_paid_rules():
    p.check_mark_paid("delivered", already_paid=False)
    with pytest.raises(DomainError) as err:
        p.check_mark_paid("delivered", already_paid=True)
    assert err.value.items[0].code == "already_paid"
    for status in ("draft", "cancelled"):
        with pytest.raises(DomainError) as err:
            p.check_mark_paid(status, already_paid=False)
        assert err.value.items[0].code == "invalid_transition"


def test_tracking_ref_required_and_trimmed():
    assert p.check_tracking_ref("  1Z999  ") == "1Z999"
    for bad in ("", "   ", "x" * 101):
        with pytest.raises(DomainError) as err:
            p.check_tracking_ref(bad)
        assert err.value.items[0].code == "tracking_ref_required"


def test_request_hash_is_canonical_and_sensitive():
    one = p.request_hash([("MC-001-GLD", 12), ("MT-001-RED", 6)])
    assert one == p.request_hash([("MC-001-GLD", 12), ("MT-001-RED", 6)])
    assert len(one) == 64
    assert one != p.request_hash([("MC-001-GLD", 18), ("MT-001-RED", 6)])
    assert one != p.request_hash([("MC-001-BLK", 12), ("MT-001-RED", 6)])
    # Line order numbers the lines, so it is part of the request.
    assert one != p.request_hash([("MT-001-RED", 6), ("MC-001-GLD", 12)])
    assert one != p.request_hash([("MC-001-GLD", 12)])


def test_duplicate_skus_are_reported_on_the_later_lines():
    errors = p.duplicate_sku_errors(["A", "B", "A", "C", "A"])
    assert [(e.code, e.line) for e in errors] == [("duplicate_sku", 3), ("duplicate_sku", 5)]
    assert "line 1" in errors[0].message
    assert p.duplicate_sku_errors(["A", "B"]) == []


def test_minimum_order_value_boundary():
    assert p.minimum_order_errors(30_000, 30_000, "EUR") == []
    errors = p.minimum_order_errors(29_999, 30_000, "EUR")
    assert [e.code for e in errors] == ["below_minimum_order_value"]
    assert "€300.00" in errors[0].message
    assert p.minimum_order_errors(0, 0, "JPY") == []


def test_credit_check():
    base = dict(payment_terms_days=30, credit_limit_minor=100_000, currency="EUR")
    assert p.available_credit(100_000, 40_000) == 60_000
    assert p.credit_errors(open_unpaid_minor=40_000, order_total_minor=60_000, **base) == []
    errors = p.credit_errors(open_unpaid_minor=40_000, order_total_minor=60_001, **base)
    assert [e.code for e in errors] == ["credit_limit_exceeded"]
    assert errors[0].line is None
    # Over the limit already: nothing is available, shown as zero.
    errors = p.credit_errors(open_unpaid_minor=120_000, order_total_minor=1, **base)
    assert "€0.00" in errors[0].message


def test_prepaid_companies_skip_the_credit_check():
    assert (
        p.credit_errors(
            payment_terms_days=None,
            credit_limit_minor=0,
            open_unpaid_minor=10**9,
            order_total_minor=10**9,
            currency="JPY",
        )
        == []
    )


def test_error_status_is_409_only_for_stock_alone():
    stock = ErrorItem("insufficient_stock", "x", 1)
    moq = ErrorItem("below_moq", "x", 2)
    assert p.error_status([stock]) == 409
    assert p.error_status([stock, stock]) == 409
    assert p.error_status([stock, moq]) == 422
    assert p.error_status([moq]) == 422


def test_amounts_beyond_the_exact_json_range_are_refused():
    assert p.MAX_AMOUNT_MINOR == 2**53 - 1  # BIGINT columns; exact in every JSON client
    assert p.amount_errors([(1, p.MAX_AMOUNT_MINOR)], "EUR") == []
    errors = p.amount_errors([(1, 10), (2, p.MAX_AMOUNT_MINOR + 1)], "EUR")
    assert [(e.code, e.line) for e in errors] == [("amount_too_large", 2)]
    errors = p.amount_errors([(1, p.MAX_AMOUNT_MINOR), (2, 1)], "JPY")
    assert [(e.code, e.line) for e in errors] == [("amount_too_large", None)]
