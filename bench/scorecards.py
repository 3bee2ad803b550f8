"""Scorecard bench: scorecards and TOPSIS rankings over a demo-like buying record.

    python -m bench.run --only scorecards [--quick] [--pg-url URL]

The record: the demo business (``microbag.demo``: suppliers in Guangdong, Zhejiang,
Vietnam, India, Italy and Portugal with a year of purchase orders, receipts and
inspections) when the demo generator writes suppliers; otherwise a seeded synthetic
history of the same shape (``synthetic_history``). On PostgreSQL when ``pg_url`` is
given (a scratch database), else a temporary SQLite file.

Figures:
- ``scorecard_seconds``: every supplier's scorecard (4 quarters) in one call;
- ``standing_for_ms``: one supplier's standing, as purchasing asks before a draft;
- ``ranking_seconds``: the slowest ranking (with its 12 sensitivity re-rankings);
- ``ranking_sensitivity_top1_stable_share``: over every ranking (each bag type, each
  capability flag and up to 20 SKUs with at least 3 offers), the share of +/-10 %
  weight moves that keep the top supplier;
- ``ranking_sensitivity_min_kendall_tau``: the lowest rank correlation of any move;
- ``scorecard_standings``: suppliers per standing; ``scorecard_record``: the data's size.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

SEED = 7
QUARTER_DAYS = 91


def _database(pg_url: str | None, stack: Any) -> Any:
    from bench.run import fresh_database, postgres_scratch

    if pg_url:
        url = stack.enter_context(postgres_scratch(pg_url, "microbag_bench_scorecards"))
        return fresh_database(url)
    tmp = stack.enter_context(tempfile.TemporaryDirectory())
    return fresh_database(f"sqlite:///{Path(tmp) / 'scorecards.db'}")


def _demo(db: Any) -> bool:
    """Load the demo business; False if it has no suppliers (or cannot be loaded)."""
    from microbag.demo.generator import load_demo
    from microbag.suppliers.models import Supplier

    try:
        with db.session(write=True) as s:
            load_demo(s, size="small")
    except Exception:
        return False
    with db.session() as s:
        return bool(s.scalar(select(func.count()).select_from(Supplier)))


# Supplier profiles: (code, country, currency, on-time chance, mean delay days, defect rate,
# hours to confirm, price factor, capabilities).
PROFILES = (
    ("GD-01", "CN", "USD", 0.85, 4, 0.015, 20, 1.00, ("oem", "odm", "logo", "packaging")),
    ("GD-02", "CN", "USD", 0.60, 12, 0.040, 60, 0.90, ("oem", "logo")),
    ("ZJ-01", "CN", "CNY", 0.75, 7, 0.025, 30, 0.95, ("oem", "packaging")),
    ("ZJ-02", "CN", "CNY", 0.40, 20, 0.070, 120, 0.80, ("logo",)),
    ("VN-01", "VN", "USD", 0.80, 6, 0.020, 28, 1.05, ("oem", "odm", "logo")),
    ("IN-01", "IN", "USD", 0.65, 10, 0.035, 48, 0.92, ("oem", "packaging")),
    ("IT-01", "IT", "EUR", 0.92, 3, 0.008, 16, 1.60, ("odm", "logo", "packaging")),
    ("PT-01", "PT", "EUR", 0.88, 4, 0.012, 24, 1.40, ("oem", "odm", "logo", "packaging")),
    ("TC-01", "HK", "USD", 0.70, 9, 0.030, 36, 1.10, ()),
    ("TC-02", "CN", "USD", 0.55, 14, 0.050, 80, 0.98, ("logo",)),
)
BAG_TYPES = ("micro_tote", "mini_crossbody", "belt_bag", "micro_clutch")


def synthetic_history(db: Any, seed: int = SEED, today: date | None = None) -> None:
    """Ten suppliers, a catalog of 40 SKUs priced by 3-5 suppliers each, and a year of
    purchase orders (about 30 per supplier) with promised dates, deliveries that are
    late or short by each supplier's profile, lots accepted or returned, inspections."""
    from microbag.catalog.models import Sku, Style
    from microbag.inspection.models import Inspection, InspectionDefect
    from microbag.purchasing.models import (
        PurchaseOrder,
        PurchaseOrderLine,
        Receipt,
        ReceiptLine,
    )
    from microbag.stock.models import Warehouse
    from microbag.suppliers.models import Supplier, SupplierCertificate, SupplierPrice

    rng = random.Random(seed)
    day0 = today or datetime.now(UTC).date()
    with db.session(write=True) as s:
        wh = Warehouse(code="MAIN", name="Main")
        s.add(wh)
        skus: list[Sku] = []
        for k in range(10):
            style = Style(
                code=f"ST-{k:03d}",
                name=f"Style {k}",
                bag_type=BAG_TYPES[k % 4],
                width_mm=150,
                height_mm=100,
                depth_mm=50,
                weight_g=150,
                size_class="micro",
                holds=["cards"],
                price_tier="premium",
                season="all_season",
                lifecycle="active",
            )
            s.add(style)
            s.flush()
            for c in range(4):
                sku = Sku(
                    code=f"ST-{k:03d}-{c}",
                    style_id=style.id,
                    color=f"c{c}",
                    material="canvas",
                    hardware="gold",
                    search_text=f"st-{k:03d}-{c}",
                    lifecycle="active",
                )
                s.add(sku)
                skus.append(sku)
        s.flush()
        suppliers = []
        for code, country, currency, *_rest, caps in PROFILES:
            types = rng.sample(BAG_TYPES, rng.randint(1, 4))
            sup = Supplier(
                code=code,
                name=f"Supplier {code}",
                country=country,
                currency=currency,
                capabilities={
                    "bag_types": types,
                    "materials": ["canvas"],
                    **{flag: True for flag in caps},
                },
                monthly_capacity_units=rng.choice((5_000, 10_000, 20_000, 40_000)),
            )
            s.add(sup)
            suppliers.append(sup)
        s.flush()
        for sup in suppliers:
            for kind in rng.sample(("bsci", "iso9001", "lwg", "sedex"), rng.randint(0, 3)):
                until = day0 + timedelta(days=rng.randint(-200, 500))
                s.add(SupplierCertificate(supplier_id=sup.id, kind=kind, valid_until=until))
        offered: dict[int, list[Sku]] = {sup.id: [] for sup in suppliers}
        for sku in skus:
            for idx in rng.sample(range(len(suppliers)), rng.randint(3, 5)):
                sup, factor = suppliers[idx], PROFILES[idx][7]
                cost = int(800 * factor * rng.uniform(0.9, 1.1))
                if sup.currency == "CNY":
                    cost = int(cost * 7.1)
                elif sup.currency == "EUR":
                    cost = int(cost * 0.92)
                s.add(
                    SupplierPrice(
                        supplier_id=sup.id,
                        sku_id=sku.id,
                        unit_cost_minor=cost,
                        currency=sup.currency,
                        moq=rng.choice((50, 100, 200)),
                        case_pack=rng.choice((10, 20)),
                        lead_time_days=rng.choice((30, 45, 60)),
                        valid_from=day0 - timedelta(days=400),
                    )
                )
                offered[sup.id].append(sku)
        s.flush()
        number = 0
        for idx, sup in enumerate(suppliers):
            _, _, _, p_on_time, delay, defect, hours, *_ = PROFILES[idx]
            for _ in range(30):
                number += 1
                sent = datetime.combine(
                    day0 - timedelta(days=rng.randint(20, 360)), datetime.min.time(), UTC
                ) + timedelta(hours=9)
                confirmed = sent + timedelta(hours=rng.expovariate(1 / hours))
                promised = (confirmed + timedelta(days=45)).date()
                po = PurchaseOrder(
                    number=f"PO-B-{number:05d}",
                    supplier_id=sup.id,
                    status="received",
                    currency=sup.currency,
                    warehouse_id=wh.id,
                    created_at=sent,
                    sent_at=sent,
                    confirmed_at=confirmed,
                )
                s.add(po)
                s.flush()
                for n, sku in enumerate(
                    rng.sample(offered[sup.id], min(3, len(offered[sup.id]))), 1
                ):
                    qty = rng.choice((100, 200, 400))
                    line = PurchaseOrderLine(
                        po_id=po.id,
                        line_no=n,
                        sku_id=sku.id,
                        sku_code=sku.code,
                        quantity=qty,
                        unit_cost_minor=1_000,
                        warehouse_id=wh.id,
                        promised_date=promised,
                    )
                    s.add(line)
                    s.flush()
                    late = (
                        0 if rng.random() < p_on_time else max(1, int(rng.expovariate(1 / delay)))
                    )
                    arrived = promised + timedelta(days=late - rng.randint(0, 3))
                    if arrived > day0:
                        continue
                    at = datetime.combine(arrived, datetime.min.time(), UTC) + timedelta(hours=11)
                    short = qty if rng.random() > 0.1 else int(qty * 0.9)
                    receipt = Receipt(po_id=po.id, warehouse_id=wh.id, received_at=at)
                    s.add(receipt)
                    s.flush()
                    sample = 32 if short <= 280 else 50
                    found = sum(1 for _ in range(sample) if rng.random() < defect)
                    rejected = found > (2 if sample == 32 else 3)
                    lot = ReceiptLine(
                        receipt_id=receipt.id,
                        po_line_id=line.id,
                        sku_id=sku.id,
                        warehouse_id=wh.id,
                        quantity=short,
                        status="returned" if rejected else "accepted",
                        stocked_quantity=0 if rejected else short,
                    )
                    s.add(lot)
                    line.received_quantity = short
                    line.last_received_at = at
                    s.flush()
                    insp = Inspection(
                        receipt_line_id=lot.id,
                        lot_size=short,
                        code_letter="H" if sample == 50 else "G",
                        sample_size=sample,
                        plan={},
                        result="reject" if rejected else "accept",
                        defect_rate=found / sample,
                        inspected_at=at + timedelta(hours=4),
                    )
                    s.add(insp)
                    s.flush()
                    if found:
                        s.add(
                            InspectionDefect(
                                inspection_id=insp.id,
                                kind="stitching",
                                defect_class="major",
                                count=found,
                            )
                        )


def _rankings(db: Any, quick: bool) -> tuple[list[Any], float]:
    from microbag.scorecards import ranking
    from microbag.suppliers.models import SupplierPrice
    from microbag.suppliers.policies import CAPABILITY_FLAGS

    with db.session() as s:
        rows = s.execute(
            select(SupplierPrice.sku_id, func.count(func.distinct(SupplierPrice.supplier_id)))
            .where(SupplierPrice.sku_id.is_not(None))
            .group_by(SupplierPrice.sku_id)
            .having(func.count(func.distinct(SupplierPrice.supplier_id)) >= 3)
            .order_by(SupplierPrice.sku_id)
        ).all()
        from microbag.catalog.models import Sku

        sku_ids = [r[0] for r in rows][: 5 if quick else 20]
        codes = list(s.scalars(select(Sku.code).where(Sku.id.in_(sku_ids)))) if sku_ids else []
    asks: list[dict[str, str]] = [{"capability": c} for c in CAPABILITY_FLAGS]
    asks += [{"bag_type": b} for b in BAG_TYPES]
    asks += [{"sku": c} for c in codes]
    results, slowest = [], 0.0
    for ask in asks:
        with db.session() as s:
            t = time.perf_counter()
            results.append(ranking.ranking(s, **ask))  # type: ignore[arg-type]
            slowest = max(slowest, time.perf_counter() - t)
    return results, slowest


def run(pg_url: str | None, quick: bool, *, force_synthetic: bool = False) -> dict[str, Any]:
    from contextlib import ExitStack

    from microbag.scorecards import service

    with ExitStack() as stack:
        db = _database(pg_url, stack)
        source = "demo" if not force_synthetic and _demo(db) else "synthetic"
        if source == "synthetic":
            db.dispose()
            stack.close()
            db = _database(pg_url, stack)
            synthetic_history(db)
        t = time.perf_counter()
        with db.session() as s:
            cards = service.scorecards(s)
        scorecard_seconds = time.perf_counter() - t
        ids = [c.supplier_id for c in cards]
        t = time.perf_counter()
        repeats = 5 if quick else 20
        for i in range(repeats):
            with db.session() as s:
                service.standing_for(s, ids[i % len(ids)])
        standing_ms = (time.perf_counter() - t) / repeats * 1000
        results, slowest = _rankings(db, quick)
        moves = [m for r in results for m in r.moves]
        stable = sum(1 for m in moves if not m.top_changes) / len(moves) if moves else 1.0
        db.dispose()
    return {
        "scorecard_source": source,
        "scorecard_seconds": round(scorecard_seconds, 3),
        "standing_for_ms": round(standing_ms, 1),
        "ranking_seconds": round(slowest, 3),
        "ranking_count": len(results),
        "ranking_sensitivity_moves": len(moves),
        "ranking_sensitivity_top1_stable_share": round(stable, 3),
        "ranking_sensitivity_min_kendall_tau": round(
            min((m.kendall_tau for m in moves), default=1.0), 3
        ),
        "scorecard_standings": dict(Counter(c.standing.level for c in cards)),
        "scorecard_record": {
            "suppliers": len(cards),
            "delivered_lines": sum(c.delivered_lines for c in cards),
            "units_inspected": sum(c.units_inspected for c in cards),
        },
    }
