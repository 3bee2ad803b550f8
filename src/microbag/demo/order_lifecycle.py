"""Where each demo order stands today: status, events, payment, stock allocations.

Every order gets its whole timeline (placed, confirmed, shipped, delivered, or a
cancellation); its status is the last step reached by ``now``. Each step is an
``OrderEvent``. Open orders (placed or confirmed) hold reservations, which the stock
levels then carry, so ``reserved`` equals the open allocations.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from microbag.demo.bulk import BulkWriter
from microbag.demo.buyers import People, UserRec
from microbag.demo.orders_history import OrderDraft
from microbag.demo.regions import REGIONS
from microbag.demo.vocab import CANCEL_REASONS_BUYER, CANCEL_REASONS_SELLER, CARRIER_PREFIX
from microbag.orders.models import (
    Order,
    OrderAllocation,
    OrderEvent,
    OrderLine,
    Shipment,
    ShipmentLine,
)

OPEN_STATUSES = ("placed", "confirmed")
CANCEL_RATE = 0.03
DRAFT_WINDOW = timedelta(days=4)


@dataclass
class HistoryResult:
    orders: int = 0
    lines: int = 0
    events: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # (sku_id, warehouse_id) -> units held by open orders
    reserved: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    # company_id -> total of orders not paid and not cancelled
    unpaid: dict[int, int] = field(default_factory=lambda: defaultdict(int))


Step = tuple[str, datetime, UserRec | None, str]  # to_status, at, actor, reason


class LifecycleWriter:
    def __init__(
        self,
        rng: random.Random,
        writer: BulkWriter,
        people: People,
        warehouses: dict[str, int],
        stocked: Callable[[int, int], bool],
        now: datetime,
    ) -> None:
        self.rng = rng
        self.writer = writer
        self.now = now
        self.warehouses = warehouses
        self.stocked = stocked
        self.sales = people.staff_with("sales") or people.staff
        self.merch = people.staff_with("merchandiser") or people.staff
        self.result = HistoryResult()

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    def timeline(self, order: OrderDraft, buyer: UserRec) -> tuple[list[Step], datetime | None]:
        """The order's steps (all of them, some maybe after now) and when it is paid."""
        rng, company = self.rng, order.company
        placed = order.created_at
        steps: list[Step] = [("placed", placed, buyer, "")]
        paid: datetime | None = None
        confirm = placed + self._hours(3, 72)
        if company.payment_terms_days is None:  # prepaid: confirmed once the money is in
            paid = placed + self._hours(1, 30)
            confirm = max(confirm, paid + self._hours(0.5, 4))
        luxury = any(line.sku.style.price_tier == "luxury" for line in order.lines)
        ship = confirm + timedelta(days=rng.uniform(3, 9) if luxury else rng.uniform(2, 6))
        home = REGIONS[company.region].warehouse
        transit = rng.uniform(2, 5) if home != "ASIA-HK" else rng.uniform(3, 8)
        deliver = ship + timedelta(days=transit)
        if rng.random() < CANCEL_RATE:
            cancel_at = placed + self._hours(1, 60)
            by_buyer = rng.random() < 0.6
            if cancel_at < confirm:
                steps.append(self._cancel(cancel_at, buyer, by_buyer))
                return steps, None
            steps.append(("confirmed", confirm, rng.choice(self.sales), ""))
            steps.append(self._cancel(max(cancel_at, confirm + self._hours(1, 8)), buyer, by_buyer))
            return steps, None
        steps.append(("confirmed", confirm, rng.choice(self.sales), ""))
        steps.append(("shipped", ship, rng.choice(self.merch), ""))
        steps.append(("delivered", deliver, None, "carrier confirmed delivery"))
        if paid is None and company.payment_terms_days is not None:
            due = ship + timedelta(days=company.payment_terms_days)
            paid = due + timedelta(days=rng.randint(-12, 12))
            if rng.random() < 0.02:  # a slow payer
                paid += timedelta(days=rng.randint(30, 90))
        return steps, paid

    def _cancel(self, at: datetime, buyer: UserRec, by_buyer: bool) -> Step:
        if by_buyer:
            return ("cancelled", at, buyer, self.rng.choice(CANCEL_REASONS_BUYER))
        return (
            "cancelled",
            at,
            self.rng.choice(self.sales),
            self.rng.choice(CANCEL_REASONS_SELLER),
        )

    def write(self, order: OrderDraft) -> None:
        rng, company, now = self.rng, order.company, self.now
        if order.created_at > now:
            return
        buyer = rng.choice(company.ordering_users)
        order_id = self.writer.next_id(Order)
        if now - order.created_at < DRAFT_WINDOW and rng.random() < 0.08:
            steps: list[Step] = [("draft", order.created_at, buyer, "")]
            paid = None
            status = "draft"
        else:
            all_steps, paid = self.timeline(order, buyer)
            steps = [s for s in all_steps if s[1] <= now]
            status = steps[-1][0]
            if paid is not None and (paid > now or status == "cancelled"):
                paid = None
        self._write_rows(order, order_id, buyer, status, steps, paid)

    def _write_rows(
        self,
        order: OrderDraft,
        order_id: int,
        buyer: UserRec,
        status: str,
        steps: list[Step],
        paid: datetime | None,
    ) -> None:
        company, w = order.company, self.writer
        shipped = status in ("shipped", "delivered")
        tracking = None
        if shipped:
            tracking = f"{CARRIER_PREFIX[company.region]}{self.rng.randint(10**9, 10**10 - 1)}"
        w.add(
            Order,
            {
                "id": order_id,
                "company_id": company.id,
                "placed_by_id": buyer.id,
                "status": status,
                "currency": company.currency,
                "total_minor": order.total,
                "price_list_id": order.price_list.id,
                "quote_id": None,
                "tracking_ref": tracking,
                "created_at": order.created_at,
                "placed_at": None if status == "draft" else order.created_at,
                "paid_at": paid,
            },
        )
        home = self.warehouses[REGIONS[company.region].warehouse]
        # Open orders hold reserved units (allocations); shipped ones left in a shipment.
        allocate = status in OPEN_STATUSES
        shipment_id = None
        if shipped:
            when_reached = {to: when for to, when, _actor, _reason in steps}
            shipment_id = w.next_id(Shipment)
            w.add(
                Shipment,
                {
                    "id": shipment_id,
                    "order_id": order_id,
                    "number": 1,
                    "status": "delivered" if status == "delivered" else "shipped",
                    "carrier": "",
                    "tracking_number": tracking,
                    "shipped_at": when_reached["shipped"],
                    "delivered_at": when_reached.get("delivered"),
                    "created_by": "",
                },
            )
        for line_no, line in enumerate(order.lines, 1):
            line_id = w.next_id(OrderLine)
            w.add(
                OrderLine,
                {
                    "id": line_id,
                    "order_id": order_id,
                    "line_no": line_no,
                    "sku_id": line.sku.id,
                    "sku_code": line.sku.code,
                    "quantity": line.quantity,
                    "unit_price_minor": line.unit_price_minor,
                    "line_total_minor": line.total,
                    "shipped_quantity": line.quantity if shipped else 0,
                },
            )
            if shipment_id is not None:
                w.add(
                    ShipmentLine,
                    {
                        "id": w.next_id(ShipmentLine),
                        "shipment_id": shipment_id,
                        "order_line_id": line_id,
                        "warehouse_id": self._warehouse_for(line.sku.id, home),
                        "sku_code": line.sku.code,
                        "quantity": line.quantity,
                    },
                )
            if allocate:
                warehouse = self._warehouse_for(line.sku.id, home)
                w.add(
                    OrderAllocation,
                    {
                        "id": w.next_id(OrderAllocation),
                        "line_id": line_id,
                        "warehouse_id": warehouse,
                        "quantity": line.quantity,
                    },
                )
                if status in OPEN_STATUSES:
                    self.result.reserved[(line.sku.id, warehouse)] += line.quantity
        previous: str | None = None
        for to_status, at, actor, reason in steps:
            w.add(
                OrderEvent,
                {
                    "id": w.next_id(OrderEvent),
                    "order_id": order_id,
                    "from_status": previous,
                    "to_status": to_status,
                    "actor_id": actor.id if actor else None,
                    "actor_label": actor.email if actor else "carrier",
                    "reason": reason,
                    "at": at,
                },
            )
            previous = to_status
        r = self.result
        r.orders += 1
        r.lines += len(order.lines)
        r.events += len(steps)
        r.by_status[status] += 1
        if paid is None and status not in ("draft", "cancelled"):
            r.unpaid[company.id] += order.total

    def _warehouse_for(self, sku_id: int, home: int) -> int:
        if self.stocked(sku_id, home):
            return home
        for warehouse in self.warehouses.values():
            if self.stocked(sku_id, warehouse):
                return warehouse
        return home


def write_history(
    rng: random.Random,
    writer: BulkWriter,
    orders: Sequence[OrderDraft],
    people: People,
    warehouses: dict[str, int],
    stocked: Callable[[int, int], bool],
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> HistoryResult:
    lifecycle = LifecycleWriter(rng, writer, people, warehouses, stocked, now)
    for i, order in enumerate(orders, 1):
        lifecycle.write(order)
        if progress is not None and i % 200 == 0:
            progress(200)
    if progress is not None:
        progress(len(orders) % 200)
    return lifecycle.result
