"""Which buyer regions each warehouse serves first (staff use cases).

A warehouse lists the regions it serves with its rank for each (1 = that region's
first choice). Placing an order reserves from the warehouses serving the buyer's region
by rank, then from the fullest (``stock.policies.allocation_order``); the rank is read
in placement's locked stock read (``orders.placement``), so it costs no statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from microbag.buyers.policies import REGIONS
from microbag.errors import DomainError
from microbag.stock.models import Warehouse, WarehouseRegion
from microbag.stock.policies import region_rank_errors
from microbag.stock.service import warehouse_by_code


def regions_by_warehouse(session: Session) -> dict[str, dict[str, int]]:
    """Every warehouse's served regions and ranks, by warehouse code (all warehouses,
    an empty mapping for one that serves no region first)."""
    out: dict[str, dict[str, int]] = {
        code: {} for code in session.scalars(select(Warehouse.code).order_by(Warehouse.id))
    }
    rows = session.execute(
        select(Warehouse.code, WarehouseRegion.region, WarehouseRegion.rank)
        .join(WarehouseRegion, WarehouseRegion.warehouse_id == Warehouse.id)
        .order_by(Warehouse.id, WarehouseRegion.rank, WarehouseRegion.region)
    )
    for code, region, rank in rows:
        out[code][region] = int(rank)
    return out


def regions_of(session: Session, code: str) -> dict[str, int]:
    """One warehouse's served regions and ranks (``unknown_warehouse`` 404)."""
    warehouse = warehouse_by_code(session, code)
    rows = session.execute(
        select(WarehouseRegion.region, WarehouseRegion.rank)
        .where(WarehouseRegion.warehouse_id == warehouse.id)
        .order_by(WarehouseRegion.rank, WarehouseRegion.region)
    )
    return {region: int(rank) for region, rank in rows}


def set_regions(session: Session, code: str, ranks: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Replace a warehouse's served regions, (region, rank) pairs (none: it serves no
    region first)."""
    warehouse = warehouse_by_code(session, code)
    errors = region_rank_errors(ranks, REGIONS)
    if errors:
        raise DomainError(errors)
    session.execute(delete(WarehouseRegion).where(WarehouseRegion.warehouse_id == warehouse.id))
    session.add_all(
        WarehouseRegion(warehouse_id=warehouse.id, region=region, rank=rank)
        for region, rank in ranks
    )
    session.flush()
    return regions_of(session, code)
