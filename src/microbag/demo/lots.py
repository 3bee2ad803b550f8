"""Demo lots after their first inspection: decisions, rework, and closing the order.

As ``inspection.service`` and ``purchasing.receiving.set_lot_status`` record them: an
accepted lot is "accepted"; a rejected one "quarantined", then (after a day or a few)
returned to the supplier, reworked (back after one to three weeks and inspected
again; rejected twice, it goes back) or accepted with a note (never with a critical
defect). Each move is a ``lot_<status>`` event on the order. An order closes a few
days after its last delivery once every lot is settled; a short line's batch still
expected goes then, with an ``under_delivered`` event.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from microbag.config import Settings
from microbag.demo.purchase_plan import Lot, Po
from microbag.demo.quality import InspectionResult, inspect

DECISIONS = (("return_to_supplier", 0.3), ("rework", 0.35), ("accept_with_note", 0.35))
ACCEPT_NOTES = (
    "defects cosmetic only; accepted at a 5% discount agreed with the supplier",
    "minor defects sorted out in the warehouse; accepted",
    "customer launch date: accepted, supplier to credit the defective units",
)


class Settle:
    """Lots after their first inspection: decisions, rework, and closing the order."""

    def __init__(self, rng: random.Random, settings: Settings, now: datetime) -> None:
        self.rng = rng
        self.settings = settings
        self.now = now

    def lot(self, po: Po, lot: Lot) -> datetime | None:
        """The lot's story up to now; when it was settled (accepted or returned), or None."""
        rng, now = self.rng, self.now
        outcome = lot.first
        inspector = po.buyer
        inspections: list[tuple[InspectionResult, str]] = []
        settled: datetime | None = None
        while outcome is not None:
            note = self._note(outcome)
            inspections.append((outcome, note))
            if outcome.result == "accept":
                self._move(po, lot, "accepted", "accept", note, inspector, outcome.at)
                settled = outcome.at
                break
            self._move(po, lot, "quarantined", "reject", note, inspector, outcome.at)
            decided = outcome.at + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
            if lot.awaiting or decided > now:
                break
            if len(inspections) > 1:
                decision = "return_to_supplier"
            else:
                names = [d for d, _ in DECISIONS]
                weights = [w for _, w in DECISIONS]
                decision = rng.choices(names, weights=weights)[0]
                if decision == "accept_with_note" and outcome.critical:
                    decision = "rework"  # never sell a critical defect as is
            if decision == "return_to_supplier":
                self._move(
                    po, lot, "returned", decision, "sent back for credit", inspector, decided
                )
                settled = decided
                break
            if decision == "accept_with_note":
                self._move(
                    po, lot, "accepted", decision, rng.choice(ACCEPT_NOTES), inspector, decided
                )
                settled = decided
                break
            self._move(
                po, lot, "rework", decision, "rework at the supplier's cost", inspector, decided
            )
            back = decided + timedelta(days=rng.randint(8, 20))
            if back > now:
                break
            self._move(
                po, lot, "pending_inspection", "rework_done", "back from rework", inspector, back
            )
            again = back + timedelta(hours=rng.uniform(4, 30))
            if again > now:
                break
            outcome = inspect(rng, self.settings, po.behaviour, lot.quantity, again, quality=0.25)
        po.inspections.extend((lot.id, o, n) for o, n in inspections)
        return settled

    @staticmethod
    def _note(outcome: InspectionResult) -> str:
        failing = [
            f"{cls} {outcome.found[cls]} >= {plan.reject}"
            for cls, plan in outcome.plans.items()
            if outcome.found.get(cls, 0) >= plan.reject
        ]
        if not failing:
            return "accepted on the sampling plan"
        return "rejected: " + ", ".join(failing)

    @staticmethod
    def _move(
        po: Po, lot: Lot, status: str, decision: str, note: str, actor: str, at: datetime
    ) -> None:
        previous = lot.status
        lot.status, lot.decision, lot.note = status, decision, note
        lot.decided_by, lot.decided_at = actor, at
        stocked = lot.quantity if status == "accepted" else 0
        po.event(
            f"lot_{status}",
            at,
            actor,
            lot=lot.id,
            sku_id=lot.line.item.offer.sku.id,
            quantity=lot.quantity,
            previous=previous,
            decision=decision,
            note=note,
            stocked=stocked,
        )

    def close(self, po: Po, settled: Sequence[datetime | None]) -> None:
        """Close an order once everything arrived and every lot is settled."""
        if po.late_shipments or not po.lots or any(s is None for s in settled):
            return
        last = max([r[2] for r in po.receipts] + [s for s in settled if s is not None])
        closed = last + timedelta(days=self.rng.randint(2, 10), hours=self.rng.randint(0, 6))
        if closed > self.now:
            return
        for ln in po.lines:
            if ln.received < ln.quantity:
                po.event(
                    "under_delivered",
                    closed,
                    po.buyer,
                    line=ln.line_no,
                    sku=ln.item.offer.sku.code,
                    ordered=ln.quantity,
                    received=ln.received,
                    short=ln.quantity - ln.received,
                )
            if ln.incoming_id is not None and ln.incoming_received_at is None:
                po.dropped.append(ln.line_no)
                ln.incoming_id = None
        po.status, po.closed_at = "closed", closed
        po.event("closed", closed, po.buyer, note="", incoming_removed=list(po.dropped))
