"""Pure stock rules: available to sell, allocation across warehouses, ship windows."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from microbag.stock.policies import (
    SHIP_WINDOW_DAYS,
    Bin,
    allocate,
    available_to_sell,
    ship_window,
)


def test_available_to_sell_is_on_hand_minus_reserved_never_negative():
    assert available_to_sell(100, 30) == 70
    assert available_to_sell(10, 10) == 0
    assert available_to_sell(5, 8) == 0


def test_allocate_takes_from_the_fullest_warehouse_first():
    bins = [Bin(1, 10), Bin(2, 50), Bin(3, 20)]
    assert allocate(bins, 30) == [(2, 30)]
    assert allocate(bins, 60) == [(2, 50), (3, 10)]
    assert allocate(bins, 80) == [(2, 50), (3, 20), (1, 10)]


def test_allocate_breaks_ties_by_warehouse_id():
    assert allocate([Bin(7, 10), Bin(3, 10)], 5) == [(3, 5)]


def test_allocate_refuses_more_than_available():
    assert allocate([Bin(1, 10), Bin(2, 5)], 16) is None
    assert allocate([], 1) is None


def test_allocate_nothing_for_no_quantity():
    assert allocate([Bin(1, 10)], 0) == []
    assert allocate([], 0) == []


def test_allocate_skips_empty_and_overdrawn_bins():
    assert allocate([Bin(1, 0), Bin(2, -3), Bin(3, 4)], 4) == [(3, 4)]
    assert allocate([Bin(1, 0), Bin(2, -3)], 1) is None


def test_ship_window():
    start, end = ship_window(date(2030, 1, 15))
    assert start == date(2030, 1, 15)
    assert end == date(2030, 1, 15) + timedelta(days=SHIP_WINDOW_DAYS)
    assert ship_window(date(2030, 12, 30), 3) == (date(2030, 12, 30), date(2031, 1, 2))


bins_strategy = st.lists(st.integers(-5, 200), max_size=6).map(
    lambda avail: [Bin(i + 1, a) for i, a in enumerate(avail)]
)


@settings(max_examples=500)
@given(bins_strategy, st.integers(-10, 1500))
def test_allocation_is_exact_and_never_overdraws(bins, quantity):
    plan = allocate(bins, quantity)
    total = sum(max(b.available, 0) for b in bins)
    if quantity <= 0:
        assert plan == []
        return
    if total < quantity:
        assert plan is None
        return
    assert plan is not None
    assert sum(q for _, q in plan) == quantity
    available = {b.warehouse_id: b.available for b in bins}
    assert len({w for w, _ in plan}) == len(plan)  # one entry per warehouse
    for warehouse_id, q in plan:
        assert 0 < q <= available[warehouse_id]
    # Fullest first: every warehouse used before the last is emptied completely.
    for warehouse_id, q in plan[:-1]:
        assert q == available[warehouse_id]
    # ... and no warehouse left unused has more than one that was used.
    used = {w for w, _ in plan}
    least_used = min(available[w] for w in used)
    assert all(available[w] <= least_used for w in available if w not in used)


@given(st.lists(st.integers(0, 100), min_size=1, max_size=5), st.data())
def test_reserving_in_steps_never_exceeds_the_stock(avail, data):
    """Allocating repeatedly, shrinking the bins each time, never drives one below zero."""
    bins = {i + 1: a for i, a in enumerate(avail)}
    for _ in range(10):
        q = data.draw(st.integers(1, 60))
        plan = allocate([Bin(w, a) for w, a in bins.items()], q)
        if plan is None:
            assert sum(bins.values()) < q
            continue
        for w, taken in plan:
            bins[w] -= taken
        assert all(a >= 0 for a in bins.values())
