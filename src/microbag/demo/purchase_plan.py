"""The demo's purchase orders as planned: what is bought from whom, when, for where.

Each SKU's sales of the last year are bought from its suppliers (the main one most,
``SHARES``), per warehouse that stocks it; an on-hold supplier's share passes to the
next one. Every supplier gets an order every ``Behaviour.cadence_days`` or so, for one
warehouse in turn, with the lines whose need since their last order reached about
half the MOQ (rounded to the MOQ and case pack with ``reorder.policies.round_to_pack``,
at most ``MAX_LINES``). ``demo/purchasing.py`` then runs each order up to now.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from microbag.demo.quality import InspectionResult
from microbag.demo.supplier_profiles import Behaviour
from microbag.demo.suppliers import DemoOffer, Sourcing, SupplierRec
from microbag.reorder.policies import round_to_pack

SHARES = {1: (1.0,), 2: (0.75, 0.25), 3: (0.65, 0.25, 0.10)}
MAX_LINES = 14
HISTORY_DAYS = 365
# The newest orders of these suppliers are still drafts, or sent and not yet confirmed.
FORCED = {
    "GZ-BAIYUN": "draft",
    "IT-FIRENZE": "draft",
    "YW-JINHUA": "draft",
    "PT-FELGUEIRAS": "sent",
    "SZ-NANSHAN": "sent",
}

Event = tuple[str, datetime, str, dict[str, Any]]


@dataclass
class Item:
    """One SKU at one warehouse, bought from one supplier."""

    offer: DemoOffer
    warehouse_id: int
    daily: float  # units a day this supplier covers
    daily_after: float  # from ``switch`` on (another supplier put on hold)
    switch: date | None
    need: float = 0.0

    def rate(self, day: date) -> float:
        return self.daily_after if self.switch is not None and day >= self.switch else self.daily


@dataclass
class Line:
    id: int
    line_no: int
    item: Item
    quantity: int
    unit_cost_minor: int
    requested: date
    promised: date | None = None
    received: int = 0
    last_received_at: datetime | None = None
    incoming_id: int | None = None
    incoming_left: int = 0
    incoming_received_at: datetime | None = None


@dataclass
class Lot:
    id: int
    receipt_id: int
    line: Line
    quantity: int
    arrival: datetime
    first: InspectionResult | None = None
    awaiting: bool = False  # quarantined, no decision yet (held back on purpose)
    status: str = "pending_inspection"
    decision: str = ""
    note: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None


@dataclass
class Po:
    supplier: SupplierRec
    warehouse_id: int
    created_at: datetime
    lines: list[Line]
    buyer: str
    forced: str | None = None
    id: int = 0
    number: str = ""
    status: str = "draft"
    source: str = "manual"
    sent_at: datetime | None = None
    confirmed_at: datetime | None = None
    received_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    receipts: list[tuple[int, str, datetime]] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # (lot id, inspection, note) in the order they happened
    inspections: list[tuple[int, InspectionResult, str]] = field(default_factory=list)
    # Lines whose remaining batch went when the order closed.
    dropped: list[int] = field(default_factory=list)
    # Shipments still to come after now.
    late_shipments: int = 0

    @property
    def behaviour(self) -> Behaviour:
        return self.supplier.profile.behaviour

    @property
    def currency(self) -> str:
        return self.supplier.profile.currency

    def total_minor(self) -> int:
        return sum(ln.quantity * ln.unit_cost_minor for ln in self.lines)

    def event(self, kind: str, at: datetime, actor: str, **detail: Any) -> None:
        self.events.append((kind, at, actor, detail))


def day_time(day: date, rng: random.Random, hours: tuple[int, int] = (9, 17)) -> datetime:
    return datetime.combine(day, time(rng.randint(*hours), rng.randint(0, 59)), tzinfo=UTC)


def build_items(
    sourcing: Sourcing,
    homes: Mapping[int, Sequence[int]],
    sold: Mapping[int, int],
    today: date,
) -> dict[int, list[Item]]:
    """Items per supplier id: each SKU's yearly sales split over its suppliers and the
    warehouses that stock it; an on-hold supplier's share passes to the next one."""
    items: dict[int, list[Item]] = {}
    for sku_id, offers in sourcing.offers.items():
        units = sold.get(sku_id, 0)
        where = homes.get(sku_id, ())
        if units <= 0 or not where:
            continue
        offers = offers[:3]
        shares = SHARES[len(offers)]
        held = [o.supplier.profile.behaviour.on_hold_days for o in offers]
        daily = [units * 1.05 / HISTORY_DAYS * s / len(where) for s in shares]
        after = list(daily)
        switch: date | None = None
        for i, days in enumerate(held):
            if days and i + 1 < len(offers):
                switch = today - timedelta(days=days)
                after[i + 1] += after[i]
                after[i] = 0.0
        for offer, d, a in zip(offers, daily, after, strict=True):
            for warehouse_id in where:
                items.setdefault(offer.supplier.id, []).append(
                    Item(offer, warehouse_id, d, a, switch)
                )
    return items


def plan_orders(
    rng: random.Random,
    sourcing: Sourcing,
    items: dict[int, list[Item]],
    buyers: Sequence[str],
    now: datetime,
) -> list[Po]:
    today = now.date()
    start = today - timedelta(days=HISTORY_DAYS)
    orders: list[Po] = []
    for supplier in sourcing.suppliers:
        mine = items.get(supplier.id, [])
        if not mine:
            continue
        behaviour = supplier.profile.behaviour
        stop = today - timedelta(days=behaviour.on_hold_days) if behaviour.on_hold_days else today
        warehouses = sorted({i.warehouse_id for i in mine})
        for item in mine:
            item.need = rng.uniform(0.0, 0.8) * item.offer.moq
        day = start + timedelta(days=rng.randint(0, behaviour.cadence_days - 1))
        last, turn = start, 0
        mine_orders: list[Po] = []
        while day <= stop:
            for item in mine:
                item.need += item.rate(day) * (day - last).days
            last = day
            warehouse_id = warehouses[turn % len(warehouses)]
            turn += 1
            po = _order(rng, supplier, mine, warehouse_id, day_time(day, rng), buyers)
            if po is not None:
                mine_orders.append(po)
            day += timedelta(days=round(behaviour.cadence_days * rng.uniform(0.75, 1.25)))
        forced = FORCED.get(supplier.code)
        if forced:
            # A draft made today or yesterday; an order sent a day or two ago.
            hours = (3, 30) if forced == "draft" else (40, 60)
            created = now - timedelta(hours=rng.randint(*hours))
            for item in mine:
                item.need += item.rate(today) * (today - last).days
            # Wherever the most is needed, the neediest few lines, whatever their need.
            need: dict[int, float] = {}
            for item in mine:
                need[item.warehouse_id] = need.get(item.warehouse_id, 0.0) + item.need
            target = max(warehouses, key=lambda w: (need.get(w, 0.0), -w))
            po = _order(rng, supplier, mine, target, created, buyers, threshold=None)
            if po is not None:
                po.forced = forced
                mine_orders.append(po)
        orders.extend(mine_orders)
    orders.sort(key=lambda p: (p.created_at, p.supplier.id))
    return orders


def _order(
    rng: random.Random,
    supplier: SupplierRec,
    items: Sequence[Item],
    warehouse_id: int,
    created: datetime,
    buyers: Sequence[str],
    *,
    threshold: float | None = 0.5,
) -> Po | None:
    """An order of the lines whose need reached ``threshold`` x MOQ (None: the four
    neediest lines, at least their MOQ)."""
    day = created.date()
    due = [
        i
        for i in items
        if i.warehouse_id == warehouse_id
        and (threshold is None or i.need >= threshold * i.offer.moq)
        and i.offer.cost_on(day) is not None
    ]
    due.sort(key=lambda i: (-i.need / i.offer.moq, i.offer.sku.id))
    lines: list[Line] = []
    for item in due[: MAX_LINES if threshold is not None else 4]:
        offer = item.offer
        wanted = max(1, int(item.need))
        quantity = round_to_pack(wanted, moq=offer.moq, case_pack=offer.case_pack)
        item.need -= quantity
        cost = offer.cost_on(day)
        assert cost is not None  # noqa: S101 - filtered above
        requested = day + timedelta(days=offer.lead_time_days)
        lines.append(Line(0, len(lines) + 1, item, quantity, cost, requested))
    if not lines:
        return None
    return Po(supplier, warehouse_id, created, lines, rng.choice(buyers))
