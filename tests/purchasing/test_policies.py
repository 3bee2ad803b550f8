"""Purchase order rules, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microbag.purchasing import policies


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("draft", "sent", True),
        ("sent", "confirmed", True),
        ("draft", "confirmed", False),
        ("confirmed", "sent", False),
        ("partly_received", "closed", True),
        ("received", "closed", True),
        ("confirmed", "closed", False),
        ("closed", "cancelled", False),
        ("confirmed", "cancelled", True),
        ("partly_received", "cancelled", False),
        ("cancelled", "sent", False),
    ],
)
def test_transitions(current: str, target: str, allowed: bool) -> None:
    assert policies.may_transition(current, target) is allowed


def test_cancel_needs_nothing_received() -> None:
    assert policies.may_cancel("confirmed", 0)
    assert not policies.may_cancel("confirmed", 5)
    assert policies.transition_error("closed", "confirmed") == (
        "a closed purchase order cannot become confirmed (only from: sent)"
    )


def test_lot_transitions() -> None:
    assert policies.may_move_lot("pending_inspection", "accepted")
    assert policies.may_move_lot("pending_inspection", "quarantined")
    assert policies.may_move_lot("quarantined", "accepted")
    assert policies.may_move_lot("quarantined", "returned")
    assert policies.may_move_lot("rework", "pending_inspection")
    assert not policies.may_move_lot("accepted", "quarantined")
    assert not policies.may_move_lot("returned", "accepted")
    assert not policies.may_move_lot("pending_inspection", "returned")


def test_po_numbers() -> None:
    assert policies.po_number(2026, 7) == "PO-2026-00007"
    assert policies.sequence_of("PO-2026-00007") == 7
    assert policies.sequence_of("PO-2026-7") is None
    assert policies.next_sequence(["PO-2026-00041", "junk", "PO-2026-00003"]) == 42
    assert policies.next_sequence([]) == 1
    with pytest.raises(ValueError):
        policies.po_number(2026, 100_000)


def test_line_quantity_errors_name_the_line() -> None:
    assert policies.line_quantity_errors(1, "A", 60, moq=50, case_pack=10) == []
    below = policies.line_quantity_errors(2, "MC-001-GLD", 40, moq=50, case_pack=10)
    assert [(e.code, e.line, e.field) for e in below] == [("below_moq", 2, "lines[1].quantity")]
    assert "MC-001-GLD" in below[0].message and "MOQ of 50" in below[0].message
    both = policies.line_quantity_errors(3, "B", 45, moq=50, case_pack=20)
    assert [e.code for e in both] == ["below_moq", "not_case_pack_multiple"]
    assert "try 40 or 60" in both[1].message
    assert [e.code for e in policies.line_quantity_errors(1, "C", 0, moq=1, case_pack=1)] == [
        "invalid_quantity"
    ]


@given(st.integers(1, 10_000), st.integers(1, 500), st.integers(1, 48))
def test_quantities_that_pass_respect_moq_and_pack(quantity: int, moq: int, pack: int) -> None:
    errors = policies.line_quantity_errors(1, "S", quantity, moq=moq, case_pack=pack)
    assert (not errors) == (quantity >= moq and quantity % pack == 0)


def test_delivery_classes_status_and_totals() -> None:
    assert policies.classify_delivery(100, 90) == "short"
    assert policies.classify_delivery(100, 100) == "exact"
    assert policies.classify_delivery(100, 110) == "over"
    assert policies.status_after_receipt([(100, 100), (50, 60)]) == "received"
    assert policies.status_after_receipt([(100, 100), (50, 0)]) == "partly_received"
    assert policies.po_total([(60, 1_200), (100, 850)]) == 157_000
