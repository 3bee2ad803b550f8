"""Pure stock rules: available to sell, allocation across warehouses, ship windows."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from microbag.errors import DomainError, ErrorItem

# Incoming goods ship within this many days after they are expected at the warehouse.
SHIP_WINDOW_DAYS = 7
# Ranks of a warehouse for a region run from 1 (first choice) to this.
MAX_REGION_RANK = 99


def available_to_sell(on_hand: int, reserved: int) -> int:
    return max(on_hand - reserved, 0)


@dataclass(frozen=True)
class Bin:
    warehouse_id: int
    available: int
    # The warehouse's rank for the buyer's region (1 = first choice; ``WarehouseRegion``);
    # None when it does not serve that region (or the region is unknown).
    preference: int | None = None


def allocation_order(bins: Iterable[Bin]) -> list[Bin]:
    """The order stock is taken in: the warehouses serving the buyer's region first, by
    rank, then the fullest (most available; ties by warehouse id, so the order is total).

    The one definition of the warehouse choice: placing an order (``allocate``) and
    allocating arriving stock follow it. Serving the region first keeps goods close to
    the buyer (shorter transit, one customs zone); among the rest, the fullest keeps most
    lines in one warehouse (one shipment).
    """
    return sorted(
        bins,
        key=lambda b: (b.preference is None, b.preference or 0, -b.available, b.warehouse_id),
    )


def region_rank_errors(
    ranks: Sequence[tuple[str, int]], regions: Collection[str]
) -> list[ErrorItem]:
    """What is wrong with a warehouse's served regions, given as (region, rank) pairs:
    each must be one of ``regions`` (the buyer regions), once, ranked 1 to
    ``MAX_REGION_RANK``."""
    errors = []
    seen: set[str] = set()
    for region, rank in ranks:
        if region not in regions:
            errors.append(
                ErrorItem(
                    "unknown_region",
                    f"region {region!r} is not one of {', '.join(regions)}",
                    field="regions",
                )
            )
        elif region in seen:
            errors.append(
                ErrorItem("duplicate_region", f"{region} is listed twice", field="regions")
            )
        seen.add(region)
        if not 1 <= rank <= MAX_REGION_RANK:
            errors.append(
                ErrorItem(
                    "invalid_rank",
                    f"{region}: the rank must be from 1 to {MAX_REGION_RANK}",
                    field="regions",
                )
            )
    return errors


def parse_region_ranks(text: str) -> list[tuple[str, int]]:
    """``"europe:1, middle_east:2"`` as (region, rank) pairs, in the order given (a bare
    region is rank 1; blank: none). The staff form's and the command line's notation;
    ``region_rank_errors`` checks the regions and ranks themselves."""
    pairs: list[tuple[str, int]] = []
    for part in text.replace(";", ",").split(","):
        item = part.strip()
        if not item:
            continue
        region, _, rank = item.partition(":")
        try:
            pairs.append((region.strip().lower(), int(rank) if rank.strip() else 1))
        except ValueError as exc:
            raise DomainError(
                ErrorItem(
                    "invalid_regions",
                    f"{item!r}: write a region and its rank, e.g. europe:1",
                    field="regions",
                )
            ) from exc
    return pairs


def format_region_ranks(ranks: Iterable[tuple[str, int]]) -> str:
    """The pairs in ``parse_region_ranks``' notation (the form's value)."""
    return ", ".join(f"{region}:{rank}" for region, rank in ranks)


def allocate(bins: Sequence[Bin], quantity: int) -> list[tuple[int, int]] | None:
    """Split ``quantity`` over warehouses in ``allocation_order``; None when there is not
    enough."""
    if quantity <= 0:
        return []
    plan: list[tuple[int, int]] = []
    remaining = quantity
    for b in allocation_order(bins):
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
