"""Demo warehouses, stock levels and incoming batches.

Active SKUs sit in the US and EU hubs and mostly in Hong Kong too; a few are out of
stock with a batch on the way, draft SKUs have their first batch coming before
launch, and some discontinued SKUs keep a remnant. ``reserved`` is exactly what the
open orders hold; ``on_hand`` is that plus what is free to sell.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from microbag.demo.bulk import BulkWriter
from microbag.demo.catalog import SkuRec
from microbag.demo.market import WAREHOUSES
from microbag.stock.models import IncomingStock, StockLevel, Warehouse

# Free stock ranges by price tier (units per warehouse).
FREE_STOCK = {"luxury": (2, 60), "premium": (6, 400), "mass": (24, 1500)}
OUT_OF_STOCK_RATE = 0.07


@dataclass
class StockPlan:
    warehouses: dict[str, int]  # code -> id
    homes: dict[int, tuple[int, ...]] = field(default_factory=dict)  # sku_id -> warehouses

    def stocked(self, sku_id: int, warehouse_id: int) -> bool:
        return warehouse_id in self.homes.get(sku_id, ())


def add_warehouses(writer: BulkWriter) -> dict[str, int]:
    ids: dict[str, int] = {}
    for code, name, country in WAREHOUSES:
        ids[code] = writer.next_id(Warehouse)
        writer.add(Warehouse, {"id": ids[code], "code": code, "name": name, "country": country})
    return ids


def plan_stock(rng: random.Random, skus: Sequence[SkuRec], warehouses: dict[str, int]) -> StockPlan:
    plan = StockPlan(warehouses)
    us, eu, asia = warehouses["US-NJ"], warehouses["EU-NL"], warehouses["ASIA-HK"]
    for sku in skus:
        homes: tuple[int, ...]
        if sku.lifecycle == "active":
            homes = (us, eu, asia) if rng.random() < 0.7 else (us, eu)
        elif sku.lifecycle == "discontinued" and rng.random() < 0.4:
            homes = (rng.choice((us, eu, asia)),)
        else:
            continue
        plan.homes[sku.id] = homes
    return plan


def _free_units(rng: random.Random, sku: SkuRec) -> int:
    low, high = FREE_STOCK[sku.style.price_tier]
    units = rng.uniform(low, high) * min(sku.popularity, 3.0)
    case_pack = sku.style.case_pack
    return max(case_pack, int(units) // case_pack * case_pack)


def write_stock(
    rng: random.Random,
    writer: BulkWriter,
    skus: Sequence[SkuRec],
    plan: StockPlan,
    reserved: Mapping[tuple[int, int], int],
    today: date,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Stock rows for every planned (SKU, warehouse) and every open reservation."""
    held: dict[int, list[tuple[int, int]]] = {}
    for (sku_id, warehouse_id), units in reserved.items():
        held.setdefault(sku_id, []).append((warehouse_id, units))
    for done, sku in enumerate(skus, 1):
        homes = plan.homes.get(sku.id, ())
        reserved_here = dict(held.get(sku.id, ()))
        out_of_stock = sku.lifecycle == "active" and rng.random() < OUT_OF_STOCK_RATE
        for warehouse_id in sorted(set(homes) | set(reserved_here)):
            free = 0 if out_of_stock or warehouse_id not in homes else _free_units(rng, sku)
            if sku.lifecycle == "discontinued":
                free //= 4
            units = reserved_here.get(warehouse_id, 0)
            writer.add(
                StockLevel,
                {
                    "id": writer.next_id(StockLevel),
                    "sku_id": sku.id,
                    "warehouse_id": warehouse_id,
                    "on_hand": units + free,
                    "reserved": units,
                    "updated_at": now,
                },
            )
        _incoming(rng, writer, sku, homes, out_of_stock, plan, today)
        if progress is not None and done % 1000 == 0:
            progress(1000)
    if progress is not None:
        progress(len(skus) % 1000)


def _incoming(
    rng: random.Random,
    writer: BulkWriter,
    sku: SkuRec,
    homes: Sequence[int],
    out_of_stock: bool,
    plan: StockPlan,
    today: date,
) -> None:
    """Batches on the way: restocks, pre-launch deliveries, and a few received ones."""
    case_pack = sku.style.case_pack
    low, high = FREE_STOCK[sku.style.price_tier]
    batches: list[tuple[int, date, str, datetime | None]] = []
    if sku.lifecycle == "draft":
        first = max(today + timedelta(days=1), sku.launch - timedelta(days=rng.randint(10, 30)))
        target = plan.warehouses[rng.choice(("US-NJ", "EU-NL"))]
        batches.append((target, first, "first production run", None))
    elif sku.lifecycle == "active" and homes:
        if out_of_stock or rng.random() < 0.15:
            days = rng.randint(7, 45) if out_of_stock else rng.randint(10, 90)
            note = "restock (sold out)" if out_of_stock else "replenishment"
            batches.append((rng.choice(homes), today + timedelta(days=days), note, None))
        if rng.random() < 0.05:
            expected = today - timedelta(days=rng.randint(5, 120))
            arrived = datetime.combine(
                expected + timedelta(days=rng.randint(0, 3)), time(14, 0), tzinfo=UTC
            )
            batches.append((rng.choice(homes), expected, "replenishment", arrived))
    for warehouse_id, expected, note, received in batches:
        quantity = max(case_pack, int(rng.uniform(low, high) * 2) // case_pack * case_pack)
        writer.add(
            IncomingStock,
            {
                "id": writer.next_id(IncomingStock),
                "sku_id": sku.id,
                "warehouse_id": warehouse_id,
                "quantity": quantity,
                "expected_date": expected,
                "note": note,
                "received_at": received,
            },
        )
