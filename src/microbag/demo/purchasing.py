"""A year of demo purchase orders, receipts and inspections, up to now.

``purchase_plan.py`` decides what is bought from whom and when; here each order lives
through the purchasing flow as the services would have written it (the statuses,
event kinds and details of ``purchasing.service`` and ``purchasing.receiving``):
created, sent, confirmed with a promised date and the line's incoming batch (settled
as deliveries arrive), received in one or two shipments (late by the supplier's
habits, sometimes short or a case over), each lot inspected (``demo.quality``) and
settled (``demo.lots``). Whatever has not happened by ``now`` stays open: drafts, sent
and confirmed orders with their incoming batches, lots waiting for inspection and a
quarantined lot waiting for a decision.

The demo's stock already holds what was accepted in the past: lots add nothing to it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from microbag.config import Settings
from microbag.demo.bulk import BulkWriter
from microbag.demo.lots import Settle
from microbag.demo.orders_history import OrderDraft
from microbag.demo.purchase_plan import Lot, Po, build_items, day_time, plan_orders
from microbag.demo.quality import inspect, write_inspection
from microbag.demo.suppliers import Sourcing
from microbag.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
)
from microbag.purchasing.policies import classify_delivery, po_number
from microbag.stock.models import IncomingStock

PENDING_LOTS = 3  # the newest lots wait for inspection
CANCEL_REASON = "the supplier did not confirm (capacity full); ordered elsewhere"


@dataclass
class PurchasingResult:
    by_status: dict[str, int] = field(default_factory=dict)
    lots_by_status: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


class Timeline:
    """Moves each planned order through the purchasing flow up to ``now``."""

    def __init__(
        self, rng: random.Random, writer: BulkWriter, settings: Settings, now: datetime
    ) -> None:
        self.rng = rng
        self.writer = writer
        self.settings = settings
        self.now = now

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    def open(self, po: Po) -> None:
        """Created, sent, cancelled or confirmed, and what arrived by now."""
        rng, now = self.rng, self.now
        recent = po.created_at > now - timedelta(days=3)
        if rng.random() < 0.4 and po.created_at > now - timedelta(days=150):
            po.source = "reorder"
        po.event(
            "created",
            po.created_at,
            po.buyer,
            source=po.source,
            source_ref="",
            lines=len(po.lines),
            total_minor=po.total_minor(),
        )
        if po.forced == "draft" or (recent and po.forced is None and rng.random() < 0.5):
            return
        sent = po.created_at + self.hours(1, 28)
        if sent > now:
            return
        po.status, po.sent_at = "sent", sent
        po.event("sent", sent, po.buyer, total_minor=po.total_minor(), currency=po.currency)
        if po.forced == "sent":
            return
        b = po.behaviour
        if rng.random() < b.cancel_rate:
            cancelled = sent + timedelta(days=rng.randint(6, 14))
            if cancelled <= now:
                po.status, po.cancelled_at = "cancelled", cancelled
                po.event(
                    "cancelled", cancelled, po.buyer, reason=CANCEL_REASON, incoming_removed=[]
                )
            return
        confirmed = sent + self.hours(*b.confirm_hours)
        if confirmed > now:
            return
        self.confirm(po, confirmed)
        self.deliver(po)

    def confirm(self, po: Po, confirmed: datetime) -> None:
        lead = max(ln.item.offer.lead_time_days for ln in po.lines)
        promised = confirmed.date() + timedelta(days=lead + self.rng.randint(-2, 3))
        po.status, po.confirmed_at = "confirmed", confirmed
        for ln in po.lines:
            ln.promised = promised
            ln.incoming_id = self.writer.next_id(IncomingStock)
            ln.incoming_left = ln.quantity
        po.event(
            "confirmed",
            confirmed,
            po.buyer,
            promised={str(ln.line_no): promised.isoformat() for ln in po.lines},
        )

    def deliver(self, po: Po) -> None:
        rng, b = self.rng, po.behaviour
        promised = po.lines[0].promised
        assert promised is not None  # noqa: S101 - confirmed just before
        late = rng.random() >= b.on_time
        delay = rng.randint(*b.late_days) if late else -rng.randint(0, 4)
        first = day_time(promised + timedelta(days=delay), rng, (8, 16))
        totals = []
        for ln in po.lines:
            case = ln.item.offer.case_pack
            total = ln.quantity
            roll = rng.random()
            if roll < b.short_rate:
                total = int(ln.quantity * rng.uniform(0.8, 0.96)) // case * case
                total = total if 0 < total < ln.quantity else max(1, ln.quantity - case)
            elif roll < b.short_rate + b.over_rate:
                total = ln.quantity + case
            totals.append(total)
        shipments = [(first, totals)]
        if rng.random() < b.split_rate:
            share = rng.uniform(0.45, 0.75)
            head = [max(1, round(t * share)) if t > 1 else t for t in totals]
            rest = [t - h for t, h in zip(totals, head, strict=True)]
            second = first + timedelta(days=rng.randint(8, 25), hours=rng.randint(-3, 3))
            shipments = [(first, head), (second, rest)]
        for n, (arrival, units) in enumerate(shipments, start=1):
            if arrival > self.now:
                po.late_shipments += 1
                continue
            self.receive(po, n, arrival, units)

    def receive(self, po: Po, n: int, arrival: datetime, units: Sequence[int]) -> None:
        receipt_id = self.writer.next_id(Receipt)
        reference = f"DN-{po.number}-{n}"
        po.receipts.append((receipt_id, reference, arrival))
        delivered = []
        for ln, got in zip(po.lines, units, strict=True):
            if got <= 0:
                continue
            before = ln.received
            ln.received += got
            ln.last_received_at = arrival
            if ln.incoming_left > got:
                ln.incoming_left -= got
            elif ln.incoming_received_at is None:
                ln.incoming_received_at = arrival
            po.lots.append(Lot(self.writer.next_id(ReceiptLine), receipt_id, ln, got, arrival))
            delivery = classify_delivery(ln.quantity, ln.received)
            delivered.append(
                {
                    "line": ln.line_no,
                    "sku": ln.item.offer.sku.code,
                    "units": got,
                    "ordered": ln.quantity,
                    "received_total": ln.received,
                    "delivery": delivery,
                }
            )
            if delivery == "over":
                po.event(
                    "over_delivered",
                    arrival,
                    po.buyer,
                    line=ln.line_no,
                    sku=ln.item.offer.sku.code,
                    ordered=ln.quantity,
                    received=ln.received,
                    excess=ln.received - max(before, ln.quantity),
                )
        full = all(ln.received >= ln.quantity for ln in po.lines)
        po.status = "received" if full else "partly_received"
        if full:
            po.received_at = arrival
        po.event(
            "received",
            arrival,
            po.buyer,
            receipt_id=receipt_id,
            reference=reference,
            inspect=True,
            lines=delivered,
            status=po.status,
        )
        for lot in po.lots[-len(delivered) :]:
            at = arrival + self.hours(3, 50)
            if at <= self.now:
                lot.first = inspect(self.rng, self.settings, po.behaviour, lot.quantity, at)


def write_purchasing(
    rng: random.Random,
    writer: BulkWriter,
    sourcing: Sourcing,
    homes: Mapping[int, Sequence[int]],
    sold: Mapping[int, int],
    buyers: Sequence[str],
    settings: Settings,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> PurchasingResult:
    """Plan a year of orders, run them up to ``now`` and write every row."""
    items = build_items(sourcing, homes, sold, now.date())
    orders = plan_orders(rng, sourcing, items, buyers, now)
    sequence: Counter[int] = Counter()
    for po in orders:
        po.id = writer.next_id(PurchaseOrder)
        year = po.created_at.year
        sequence[year] += 1
        po.number = po_number(year, sequence[year])
        for ln in po.lines:
            ln.id = writer.next_id(PurchaseOrderLine)
    timeline = Timeline(rng, writer, settings, now)
    for po in orders:
        timeline.open(po)
    _hold_back(orders)
    settle = Settle(rng, settings, now)
    for po in orders:
        settled = [settle.lot(po, lot) for lot in po.lots]
        settle.close(po, settled)
        _write(writer, po)
    if progress is not None:
        progress(1)
    result = PurchasingResult()
    result.by_status = dict(sorted(Counter(po.status for po in orders).items()))
    result.lots_by_status = dict(
        sorted(Counter(lot.status for po in orders for lot in po.lots).items())
    )
    return result


def units_sold(drafts: Iterable[OrderDraft], since: datetime, until: datetime) -> dict[int, int]:
    """Units ordered per SKU between two moments (what the buying replenished)."""
    sold: Counter[int] = Counter()
    for draft in drafts:
        if since <= draft.created_at <= until:
            for line in draft.lines:
                sold[line.sku.id] += line.quantity
    return dict(sold)


def _hold_back(orders: Sequence[Po]) -> None:
    """The newest lots are not inspected yet, and the newest rejected lot waits for a
    decision, so the receipts page has work on any day the demo is loaded."""
    lots = sorted((lot for po in orders for lot in po.lots), key=lambda lot: (lot.arrival, lot.id))
    for lot in lots[-PENDING_LOTS:]:
        lot.first = None
    rejected = [lot for lot in lots if lot.first is not None and lot.first.result == "reject"]
    if rejected:
        max(
            rejected, key=lambda lot: (lot.first.at if lot.first else lot.arrival, lot.id)
        ).awaiting = True


def _write(writer: BulkWriter, po: Po) -> None:
    """Every row of one order, parents first (a flush may come between any two)."""
    for ln in po.lines:
        if ln.incoming_id is None or ln.promised is None:
            continue
        writer.add(
            IncomingStock,
            {
                "id": ln.incoming_id,
                "sku_id": ln.item.offer.sku.id,
                "warehouse_id": ln.item.warehouse_id,
                "quantity": ln.incoming_left,
                "expected_date": ln.promised,
                "note": f"{po.number} line {ln.line_no}",
                "received_at": ln.incoming_received_at,
            },
        )
    writer.add(
        PurchaseOrder,
        {
            "id": po.id,
            "number": po.number,
            "supplier_id": po.supplier.id,
            "status": po.status,
            "currency": po.currency,
            "warehouse_id": po.warehouse_id,
            "source": po.source,
            "source_ref": "",
            "notes": "",
            "created_by": po.buyer,
            "created_at": po.created_at,
            "sent_at": po.sent_at,
            "confirmed_at": po.confirmed_at,
            "received_at": po.received_at,
            "closed_at": po.closed_at,
            "cancelled_at": po.cancelled_at,
        },
    )
    for ln in po.lines:
        writer.add(
            PurchaseOrderLine,
            {
                "id": ln.id,
                "po_id": po.id,
                "line_no": ln.line_no,
                "sku_id": ln.item.offer.sku.id,
                "sku_code": ln.item.offer.sku.code,
                "quantity": ln.quantity,
                "unit_cost_minor": ln.unit_cost_minor,
                "warehouse_id": ln.item.warehouse_id,
                "requested_date": ln.requested,
                "promised_date": ln.promised,
                "incoming_id": ln.incoming_id,
                "received_quantity": ln.received,
                "last_received_at": ln.last_received_at,
            },
        )
    for receipt_id, reference, at in po.receipts:
        writer.add(
            Receipt,
            {
                "id": receipt_id,
                "po_id": po.id,
                "reference": reference,
                "warehouse_id": po.warehouse_id,
                "note": "",
                "received_by": po.buyer,
                "received_at": at,
            },
        )
    for lot in po.lots:
        writer.add(ReceiptLine, _lot_row(lot))
    for lot_id, outcome, note in po.inspections:
        write_inspection(writer, lot_id, outcome, po.buyer, note)
    for kind, at, actor, detail in sorted(po.events, key=lambda e: e[1]):
        writer.add(
            PurchaseOrderEvent,
            {
                "id": writer.next_id(PurchaseOrderEvent),
                "po_id": po.id,
                "kind": kind,
                "actor": actor,
                "detail": detail,
                "created_at": at,
            },
        )


def _lot_row(lot: Lot) -> dict[str, Any]:
    return {
        "id": lot.id,
        "receipt_id": lot.receipt_id,
        "po_line_id": lot.line.id,
        "sku_id": lot.line.item.offer.sku.id,
        "warehouse_id": lot.line.item.warehouse_id,
        "quantity": lot.quantity,
        "status": lot.status,
        "stocked_quantity": lot.quantity if lot.status == "accepted" else 0,
        "decision": lot.decision,
        "decision_note": lot.note,
        "decided_by": lot.decided_by,
        "decided_at": lot.decided_at,
    }
