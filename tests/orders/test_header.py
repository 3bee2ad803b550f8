"""The order header's pure rules and the warehouse choice by region (no database)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from microbag.orders.header import (
    EMPTY_HEADER,
    HeaderIn,
    checked_header,
    header_errors,
    request_digest,
)
from microbag.orders.policies import request_hash
from microbag.stock.policies import (
    Bin,
    allocate,
    allocation_order,
    parse_region_ranks,
    region_rank_errors,
)

TODAY = date(2026, 12, 5)


def codes(items):
    return [i.code for i in items]


def test_an_empty_header_passes_unless_the_company_requires_a_po_number():
    assert header_errors(EMPTY_HEADER, today=TODAY, po_number_required=False) == []
    assert codes(header_errors(EMPTY_HEADER, today=TODAY, po_number_required=True)) == [
        "po_number_required"
    ]


def test_header_errors_name_each_problem():
    bad = HeaderIn(
        po_number="x" * 65,
        requested_delivery_date=TODAY - timedelta(days=1),
        notes="n" * 2001,
        incoterm="CIF",
    )
    assert codes(header_errors(bad, today=TODAY, po_number_required=False)) == [
        "invalid_po_number",
        "requested_date_in_past",
        "invalid_notes",
        "invalid_incoterm",
    ]


def test_checked_header_trims_and_applies_the_company_incoterm():
    written = checked_header(
        HeaderIn(po_number="  PO-1 ", incoterm="fob"),
        incoterm_default="DDP",
        ship_to=None,
        ship_to_address_id=None,
    )
    assert (written.po_number, written.incoterm) == ("PO-1", "FOB")
    default = checked_header(
        EMPTY_HEADER, incoterm_default="DDP", ship_to=None, ship_to_address_id=None
    )
    assert default.incoterm == "DDP" and default.po_number is None


def test_the_digest_of_lines_alone_is_the_old_hash_and_a_po_number_changes_it():
    lines = [("MC-001-GLD", 12)]
    assert request_digest(lines, EMPTY_HEADER) == request_hash(lines)
    assert request_digest(lines, HeaderIn(po_number="A")) != request_digest(
        lines, HeaderIn(po_number="B")
    )


def test_the_region_s_warehouses_come_first_by_rank_then_the_fullest():
    bins = [Bin(1, 100), Bin(2, 10, 2), Bin(3, 5, 1), Bin(4, 50)]
    assert [b.warehouse_id for b in allocation_order(bins)] == [3, 2, 1, 4]
    assert allocate(bins, 20) == [(3, 5), (2, 10), (1, 5)]


@given(
    st.lists(st.tuples(st.integers(0, 50), st.none() | st.integers(1, 5)), max_size=6),
    st.integers(0, 200),
)
def test_allocation_never_takes_more_than_a_bin_has_and_sums_to_the_quantity(specs, quantity):
    bins = [Bin(i, a, p) for i, (a, p) in enumerate(specs)]
    plan = allocate(bins, quantity)
    if sum(b.available for b in bins) < quantity:
        assert plan is None
    else:
        assert plan is not None and sum(q for _, q in plan) == quantity
        have = {b.warehouse_id: b.available for b in bins}
        assert all(0 < q <= have[w] for w, q in plan)


def test_region_ranks_are_parsed_and_checked():
    assert parse_region_ranks("europe:1, middle_east:2; us") == [
        ("europe", 1),
        ("middle_east", 2),
        ("us", 1),
    ]
    errors = region_rank_errors(
        [("europe", 1), ("europe", 2), ("mars", 1), ("us", 0)], ("europe", "us")
    )
    assert codes(errors) == ["duplicate_region", "unknown_region", "invalid_rank"]
