"""The order header's rules (pure): the buyer's PO number, the requested delivery date,
the ship-to, notes and the incoterm, as a request gives them and as an order stores them.

Everything here is optional on a request: a body with only lines is placed exactly as
before (no PO number, no date, the company's default ship-to and incoterm), and its
idempotency hash is the one it always had (``request_digest``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta

from microbag.buyers.policies import ShipTo
from microbag.errors import ErrorItem
from microbag.orders.policies import request_hash

# Incoterms 2020 the seller trades under: ex works, free on board, delivered at place,
# delivered duty paid (issue 11; the company's default is buyers' ``incoterm_default``).
INCOTERMS = ("EXW", "FOB", "DAP", "DDP")
DEFAULT_INCOTERM = "DAP"
MAX_PO_NUMBER_LENGTH = 64
MAX_NOTES_LENGTH = 2000
# A delivery date further out than this is a typo (a year of 2062), not a plan.
MAX_REQUESTED_DAYS_AHEAD = 730


@dataclass(frozen=True)
class HeaderIn:
    """The header fields of a request, as given (None: not given)."""

    po_number: str | None = None
    requested_delivery_date: date | None = None
    ship_to_address_id: int | None = None
    notes: str | None = None
    incoterm: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == EMPTY_HEADER


EMPTY_HEADER = HeaderIn()


@dataclass(frozen=True)
class Header:
    """The header an order is written with: checked, defaults applied, the ship-to copied
    (``ship_to``: the address's fields as they were when the order was placed, so a later
    edit of the address does not change the order)."""

    po_number: str | None = None
    requested_delivery_date: date | None = None
    ship_to_address_id: int | None = None
    ship_to: Mapping[str, str] | None = None
    notes: str | None = None
    incoterm: str | None = None


def clean_text(value: str | None) -> str | None:
    """Trimmed; blank is None (an empty form field means "not given")."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _has_control_characters(value: str, allowed: str = "") -> bool:
    return any(ord(c) < 32 and c not in allowed for c in value)


def header_errors(header: HeaderIn, *, today: date, po_number_required: bool) -> list[ErrorItem]:
    """Every problem of the header fields at once (order-level errors, with their field)."""
    errors: list[ErrorItem] = []
    po = clean_text(header.po_number)
    if po is None:
        if po_number_required:
            errors.append(
                ErrorItem(
                    "po_number_required",
                    "your company requires a purchase order number on every order",
                    field="po_number",
                )
            )
    elif len(po) > MAX_PO_NUMBER_LENGTH or _has_control_characters(po):
        errors.append(
            ErrorItem(
                "invalid_po_number",
                f"a PO number is up to {MAX_PO_NUMBER_LENGTH} characters on one line",
                field="po_number",
            )
        )
    wanted = header.requested_delivery_date
    if wanted is not None:
        if wanted < today:
            errors.append(
                ErrorItem(
                    "requested_date_in_past",
                    f"the requested delivery date {wanted.isoformat()} is in the past",
                    field="requested_delivery_date",
                )
            )
        elif wanted > today + timedelta(days=MAX_REQUESTED_DAYS_AHEAD):
            errors.append(
                ErrorItem(
                    "requested_date_too_far",
                    f"a requested delivery date is at most {MAX_REQUESTED_DAYS_AHEAD} days ahead",
                    field="requested_delivery_date",
                )
            )
    notes = clean_text(header.notes)
    if notes is not None and (
        len(notes) > MAX_NOTES_LENGTH or _has_control_characters(notes, "\n\r\t")
    ):
        errors.append(
            ErrorItem(
                "invalid_notes",
                f"notes are up to {MAX_NOTES_LENGTH} characters of text",
                field="notes",
            )
        )
    incoterm = clean_text(header.incoterm)
    if incoterm is not None and incoterm.upper() not in INCOTERMS:
        errors.append(
            ErrorItem(
                "invalid_incoterm",
                f"{incoterm[:16]!r} is not one of {', '.join(INCOTERMS)}",
                field="incoterm",
            )
        )
    return errors


def checked_header(
    header: HeaderIn,
    *,
    incoterm_default: str | None,
    ship_to: Mapping[str, str] | None,
    ship_to_address_id: int | None,
) -> Header:
    """The header to write (call after ``header_errors`` found nothing): texts trimmed,
    the incoterm upper-case or the company's default."""
    incoterm = clean_text(header.incoterm)
    return Header(
        po_number=clean_text(header.po_number),
        requested_delivery_date=header.requested_delivery_date,
        ship_to_address_id=ship_to_address_id,
        ship_to=dict(ship_to) if ship_to is not None else None,
        notes=clean_text(header.notes),
        incoterm=incoterm.upper() if incoterm else (incoterm_default or DEFAULT_INCOTERM),
    )


def request_digest(lines: Iterable[tuple[str, int]], header: HeaderIn) -> str:
    """The idempotency hash of a request: its lines' hash when no header field is given
    (so keys stored before headers existed still match), else the canonical JSON of the
    lines and the header fields as given (the same key with another PO number is another
    request: ``idempotency_key_reused``)."""
    if header.is_empty:
        return request_hash(lines)
    body = {
        "lines": [{"quantity": int(q), "sku": s} for s, q in lines],
        "header": {
            "po_number": header.po_number,
            "requested_delivery_date": (
                header.requested_delivery_date.isoformat()
                if header.requested_delivery_date
                else None
            ),
            "ship_to_address_id": header.ship_to_address_id,
            "notes": header.notes,
            "incoterm": header.incoterm,
        },
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def ship_to_of(ship_to: Mapping[str, str]) -> ShipTo:
    """A stored ship-to copy as ``buyers.policies.ShipTo`` (its ``lines()`` print it the
    way the country writes addresses); a field missing from an old copy reads as ''."""
    return ShipTo(**{name: str(ship_to.get(name) or "") for name in SHIP_TO_FIELDS})


SHIP_TO_FIELDS = tuple(f.name for f in fields(ShipTo))
