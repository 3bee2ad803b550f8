"""Pure stock rules: available to sell, allocation across warehouses, ship windows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Incoming goods ship within this many days after they are expected at the warehouse.
SHIP_WINDOW_DAYS = 7


def available_to_sell(on_hand: int, reserved: int) -> int:
    return max(on_hand - reserved, 0)


@dataclass(frozen=True)
class Bin:
    warehouse_id: int
    available: int


def allocate(bins: Sequence[Bin], quantity: int) -> list[tuple[int, int]] | None:
    """Split ``quantity`` over warehouses, fullest first; None when there is not enough.

    Taking from the fullest first keeps most lines in one warehouse (one shipment).
    """
    if quantity <= 0:
        return []
    plan: list[tuple[int, int]] = []
    remaining = quantity
    for b in sorted(bins, key=lambda b: (-b.available, b.warehouse_id)):
        if remaining == 0:
            break
        take = min(b.available, remaining)
        if take > 0:
            plan.append((b.warehouse_id, take))
            remaining -= take
    return plan if remaining == 0 else None


def ship_window(expected: date, days: int = SHIP_WINDOW_DAYS) -> tuple[date, date]:
    return expected, expected + timedelta(days=days)


def latest_expected_for(ships_by: date, days: int = SHIP_WINDOW_DAYS) -> date:
    """The latest expected date of a batch whose ship window ends on or before ``ships_by``."""
    return ships_by - timedelta(days=days)
