"""Purchase order rules, pure: status transitions, lot transitions, line quantities
against the supplier's MOQ and case pack, PO numbers, delivery classification, totals."""

from __future__ import annotations

import re
from collections.abc import Iterable

from microbag.errors import ErrorItem

# Who may change purchase orders and receive goods (staff reads are open to all staff).
PURCHASE_ROLES = frozenset({"admin", "merchandiser"})

PO_STATUSES = (
    "draft",
    "sent",
    "confirmed",
    "partly_received",
    "received",
    "closed",
    "cancelled",
)
# Statuses whose undelivered units count as "on order" (a draft is not an order yet).
OPEN_STATUSES = frozenset({"sent", "confirmed", "partly_received"})
# A delivery may arrive once the supplier confirmed; a late extra delivery on a fully
# received PO is accepted too, and recorded as an over-delivery.
RECEIVABLE_STATUSES = frozenset({"confirmed", "partly_received", "received"})

# target status -> statuses it may be reached from by an explicit action. Receiving moves
# a PO to partly_received / received (``status_after_receipt``).
TRANSITIONS: dict[str, frozenset[str]] = {
    "sent": frozenset({"draft"}),
    "confirmed": frozenset({"sent"}),
    # Cancelling is only possible while nothing has arrived.
    "cancelled": frozenset({"draft", "sent", "confirmed"}),
    "closed": frozenset({"partly_received", "received"}),
}

LOT_STATUSES = ("pending_inspection", "accepted", "quarantined", "returned", "rework")
LOT_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending_inspection": frozenset({"accepted", "quarantined"}),
    "quarantined": frozenset({"accepted", "returned", "rework"}),
    "rework": frozenset({"pending_inspection"}),
    "accepted": frozenset(),
    "returned": frozenset(),
}

PO_NUMBER = re.compile(r"PO-(\d{4})-(\d{5})")
# Numbers per year run to 99,999; past that the sequence cannot be written in 5 digits.
MAX_SEQUENCE = 99_999
MAX_LINES = 500
MAX_QUANTITY = 10_000_000


def may_transition(current: str, target: str) -> bool:
    return current in TRANSITIONS.get(target, frozenset())


def transition_error(current: str, target: str) -> str:
    """Why ``current`` cannot become ``target``, in plain words."""
    allowed = sorted(TRANSITIONS.get(target, frozenset()))
    return (
        f"a {current.replace('_', ' ')} purchase order cannot become {target.replace('_', ' ')}"
        f" (only from: {', '.join(allowed) or 'none'})"
    )


def may_cancel(status: str, received_units: int) -> bool:
    return may_transition(status, "cancelled") and received_units == 0


def may_move_lot(current: str, target: str) -> bool:
    return target in LOT_TRANSITIONS.get(current, frozenset())


def po_number(year: int, sequence: int) -> str:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence {sequence} is outside 1..{MAX_SEQUENCE}")
    return f"PO-{year:04d}-{sequence:05d}"


def number_prefix(year: int) -> str:
    return f"PO-{year:04d}-"


def sequence_of(number: str) -> int | None:
    """The sequence of a PO-<year>-<5 digits> number, None for any other text."""
    match = PO_NUMBER.fullmatch(number)
    return int(match.group(2)) if match else None


def next_sequence(existing_numbers: Iterable[str]) -> int:
    return max((sequence_of(n) or 0 for n in existing_numbers), default=0) + 1


def line_quantity_errors(
    line_no: int, sku: str, quantity: int, *, moq: int, case_pack: int
) -> list[ErrorItem]:
    """Whether ``quantity`` respects the supplier's MOQ and case pack, naming the line."""
    field = f"lines[{line_no - 1}].quantity"
    if quantity <= 0 or quantity > MAX_QUANTITY:
        return [
            ErrorItem(
                "invalid_quantity",
                f"line {line_no} ({sku}): the quantity must be 1 to {MAX_QUANTITY:,}",
                line_no,
                field,
            )
        ]
    errors: list[ErrorItem] = []
    if quantity < moq:
        errors.append(
            ErrorItem(
                "below_moq",
                f"line {line_no} ({sku}): {quantity} units is below the supplier's MOQ of {moq}",
                line_no,
                field,
            )
        )
    if case_pack > 1 and quantity % case_pack:
        lower = quantity - quantity % case_pack
        errors.append(
            ErrorItem(
                "not_case_pack_multiple",
                f"line {line_no} ({sku}): {quantity} units is not a multiple of the case pack"
                f" of {case_pack} (try {lower or case_pack} or {lower + case_pack})",
                line_no,
                field,
            )
        )
    return errors


def classify_delivery(ordered: int, received: int) -> str:
    """A line's delivery so far against what was ordered: short, exact or over."""
    if received < ordered:
        return "short"
    return "exact" if received == ordered else "over"


def status_after_receipt(lines: Iterable[tuple[int, int]]) -> str:
    """(ordered, received) per line -> received when every line arrived in full."""
    return "received" if all(got >= ordered for ordered, got in lines) else "partly_received"


def line_total(quantity: int, unit_cost_minor: int) -> int:
    return quantity * unit_cost_minor


def po_total(lines: Iterable[tuple[int, int]]) -> int:
    """Sum of quantity x unit cost (minor units) over (quantity, unit_cost_minor)."""
    return sum(line_total(q, c) for q, c in lines)
