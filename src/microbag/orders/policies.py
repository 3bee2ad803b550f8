"""Pure order rules: the status machine, who may do what, idempotency hashes, credit.

Statuses: draft → placed → confirmed → (partly_shipped →) shipped → delivered, and
cancelled from draft, placed or confirmed (never once goods have left). Shipping is
done in shipments (orders.shipments): an order is partly_shipped while some of its
units have left and others wait, shipped when every unit has left, delivered when
every shipment has arrived.

Who may act:
- a buyer company's owner or buyer places orders and cancels its own company's
  draft or placed orders (a viewer only reads);
- the seller's admin or sales staff confirm, ship (a tracking reference is
  required), deliver, cancel (a reason is required) and mark orders paid.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol

from microbag.accounts.policies import BUYER_WRITE_ROLES, STAFF_ORDER_ROLES
from microbag.errors import DomainError, ErrorItem
from microbag.money import MAX_MINOR, format_money

DRAFT = "draft"
PLACED = "placed"
CONFIRMED = "confirmed"
PARTLY_SHIPPED = "partly_shipped"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"
STATUSES = (DRAFT, PLACED, CONFIRMED, PARTLY_SHIPPED, SHIPPED, DELIVERED, CANCELLED)

# Orders that count against the credit limit until they are paid.
OPEN_STATUSES = frozenset({PLACED, CONFIRMED, PARTLY_SHIPPED, SHIPPED, DELIVERED})
# Orders that may still hold reserved or waiting units (not all shipped, not cancelled).
RESERVED_STATUSES = frozenset({PLACED, CONFIRMED, PARTLY_SHIPPED})
# Orders whose waiting lines take arriving stock (orders.backorders).
WAITING_STATUSES = RESERVED_STATUSES

# action -> (statuses it starts from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "place": (frozenset({DRAFT}), PLACED),
    "confirm": (frozenset({PLACED}), CONFIRMED),
    # A shipment leads to partly_shipped or shipped (shipped_status decides).
    "ship": (frozenset({CONFIRMED, PARTLY_SHIPPED}), SHIPPED),
    "deliver": (frozenset({SHIPPED}), DELIVERED),
    "cancel": (frozenset({DRAFT, PLACED, CONFIRMED}), CANCELLED),
}
ACTIONS = (*TRANSITIONS, "mark_paid")

# What a buyer may cancel on its own: the seller has not committed to the order yet.
BUYER_CANCELLABLE = frozenset({DRAFT, PLACED})

MAX_REASON_LENGTH = 500
# Larger amounts are refused with a clear error instead of failing in the database or
# losing precision in a client (microbag.money.MAX_MINOR).
MAX_AMOUNT_MINOR = MAX_MINOR
MAX_TRACKING_REF_LENGTH = 100


class Actor(Protocol):
    """The caller as the rules see it; accounts.service.Principal fits.

    ``company_id`` is None for the seller's staff.
    """

    @property
    def role(self) -> str: ...

    @property
    def company_id(self) -> int | None: ...


def is_staff(actor: Actor) -> bool:
    return actor.company_id is None


def may(actor: Actor, action: str) -> bool:
    """Whether the actor's role allows ``action`` at all (ownership is checked apart)."""
    if is_staff(actor):
        return action != "place" and actor.role in STAFF_ORDER_ROLES
    return action in ("place", "cancel") and actor.role in BUYER_WRITE_ROLES


def next_status(action: str, current: str) -> str:
    """The status ``action`` leads to from ``current``, or 409 ``invalid_transition``."""
    if action not in TRANSITIONS:
        raise ValueError(f"unknown order action {action!r}")
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise invalid_transition(action, current)
    return target


def invalid_transition(action: str, current: str) -> DomainError:
    verb = action.replace("_", " ")
    return DomainError(
        ErrorItem("invalid_transition", f"cannot {verb} an order that is {current}"), 409
    )


def check_cancel(actor: Actor, current: str, reason: str) -> str:
    """The target status of a cancellation by ``actor``; buyers only before confirmation."""
    target = next_status("cancel", current)
    if not is_staff(actor) and current not in BUYER_CANCELLABLE:
        raise DomainError(
            ErrorItem(
                "invalid_transition",
                f"the order is {current}; ask the seller to cancel it",
            ),
            409,
        )
    if is_staff(actor) and not reason.strip():
        raise DomainError(
            ErrorItem("reason_required", "give a reason when cancelling a buyer's order", None),
            422,
        )
    return target


def shipped_status(lines: Iterable[tuple[int, int]]) -> str:
    """The order's status after a shipment, from its lines' (quantity, shipped units):
    shipped once every unit has left, else partly shipped."""
    return SHIPPED if all(shipped >= quantity for quantity, shipped in lines) else PARTLY_SHIPPED


def line_promise(
    fulfilment: str,
    quantity: int,
    waiting: int,
    shipped: int,
    promised_from: date | None,
    promised_until: date | None,
) -> str:
    """What the buyer is promised for a line, in plain words."""
    if shipped >= quantity:
        return "shipped"
    window = (
        f"ships {promised_from.isoformat()} to {promised_until.isoformat()}"
        if promised_from is not None and promised_until is not None
        else "no ship date yet"
    )
    if waiting <= 0:
        done = f", {shipped} shipped" if shipped else ""
        return f"reserved from stock{done}"
    if fulfilment == "preorder":
        return f"preorder: {waiting} of {quantity} {window}"
    reserved = quantity - waiting - shipped
    have = f"{reserved} reserved, " if reserved > 0 else ""
    expected = window.replace("ships", "expected to ship")
    return f"backorder: {have}{waiting} waiting, {expected}"


def check_mark_paid(current: str, already_paid: bool) -> None:
    if current not in OPEN_STATUSES:
        raise invalid_transition("mark_paid", current)
    if already_paid:
        raise DomainError(ErrorItem("already_paid", "the order is already marked paid"), 409)


def check_tracking_ref(tracking_ref: str) -> str:
    ref = tracking_ref.strip()
    if not ref or len(ref) > MAX_TRACKING_REF_LENGTH:
        raise DomainError(
            ErrorItem(
                "tracking_ref_required",
                f"shipping needs a tracking reference of 1 to {MAX_TRACKING_REF_LENGTH} characters",
            )
        )
    return ref


# ---- idempotency -----------------------------------------------------------------------------


def request_hash(lines: Iterable[tuple[str, int]]) -> str:
    """SHA-256 of the canonical JSON of the body lines (keys sorted, no spaces).

    Line order is kept: it numbers the lines of the order, so another order is
    another request.
    """
    body = [{"quantity": int(q), "sku": s} for s, q in lines]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_reused() -> DomainError:
    return DomainError(
        ErrorItem(
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different order; "
            "use a new key for a new order",
        ),
        422,
    )


# ---- order-level checks ----------------------------------------------------------------------


def duplicate_sku_errors(skus: Sequence[str]) -> list[ErrorItem]:
    """A SKU may appear on one line only: put the whole quantity there.

    Rejecting (rather than merging) keeps line numbers, prices and tiers exactly as
    the buyer wrote them, and makes a typo on a second line visible.
    """
    first_line: dict[str, int] = {}
    errors: list[ErrorItem] = []
    for index, sku in enumerate(skus, start=1):
        if sku in first_line:
            errors.append(
                ErrorItem(
                    "duplicate_sku",
                    f"{sku} is already on line {first_line[sku]}; "
                    "put the whole quantity on one line",
                    index,
                )
            )
        else:
            first_line[sku] = index
    return errors


def minimum_order_errors(total_minor: int, minimum_minor: int, currency: str) -> list[ErrorItem]:
    if total_minor >= minimum_minor:
        return []
    return [
        ErrorItem(
            "below_minimum_order_value",
            f"the order totals {format_money(total_minor, currency)}, below the minimum "
            f"order value of {format_money(minimum_minor, currency)}",
        )
    ]


def amount_errors(line_totals: Sequence[tuple[int, int]], currency: str) -> list[ErrorItem]:
    """Lines (line number, total) or an order total too large to record."""
    too_large = [n for n, total in line_totals if total > MAX_AMOUNT_MINOR]
    if not too_large and sum(t for _, t in line_totals) <= MAX_AMOUNT_MINOR:
        return []
    limit = format_money(MAX_AMOUNT_MINOR, currency)
    if not too_large:
        return [ErrorItem("amount_too_large", f"the order totals more than {limit}; split it")]
    return [
        ErrorItem("amount_too_large", f"the line totals more than {limit}; split the order", n)
        for n in too_large
    ]


def available_credit(credit_limit_minor: int, open_unpaid_minor: int) -> int:
    """Credit limit minus the total of the company's open unpaid orders."""
    return credit_limit_minor - open_unpaid_minor


def credit_errors(
    *,
    payment_terms_days: int | None,
    credit_limit_minor: int,
    open_unpaid_minor: int,
    order_total_minor: int,
    currency: str,
) -> list[ErrorItem]:
    """Prepaid companies (no payment terms) pay up front, so they skip the check."""
    if payment_terms_days is None:
        return []
    available = available_credit(credit_limit_minor, open_unpaid_minor)
    if order_total_minor <= available:
        return []
    return [
        ErrorItem(
            "credit_limit_exceeded",
            f"the order totals {format_money(order_total_minor, currency)} but only "
            f"{format_money(max(available, 0), currency)} of credit is available "
            f"(limit {format_money(credit_limit_minor, currency)}, open unpaid orders "
            f"{format_money(open_unpaid_minor, currency)})",
        )
    ]


def error_status(errors: Sequence[ErrorItem]) -> int:
    """409 when the only problem is stock (it may come back), else 422."""
    return 409 if errors and all(e.code == "insufficient_stock" for e in errors) else 422
