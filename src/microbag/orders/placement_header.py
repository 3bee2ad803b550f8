"""Placing an order, its header: the PO number, requested delivery date, ship-to, notes
and incoterm checked and completed with the company's defaults (``orders.header`` holds
the pure rules; this module adds what the database knows).

Statements: none for a request that names no ship-to or names the company's default
one (``placement.buyer_context`` read the defaults and the default ship-to with the
company); one (``buyers.service.ship_to_for``) for another address of the company.
A PO number's uniqueness is left to the unique index when placing (the only judge of two
placements at once); the cart's dry run asks first (``po_number_taken``).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.buyers import service as buyers
from microbag.buyers.policies import ShipTo, region_for_country
from microbag.errors import DomainError, ErrorItem
from microbag.orders.header import Header, HeaderIn, checked_header, clean_text, header_errors
from microbag.orders.models import Order
from microbag.orders.placement import Buyer, Request
from microbag.orders.placement_writes import duplicate_po_number


def resolve_header(
    session: Session, buyer: Buyer, request: Request, today: date
) -> tuple[Header, Request, list[ErrorItem]]:
    """(the header to write, the request with the ship-to's region to reserve stock for,
    the header's errors). Errors are returned, not raised: placing reports them with the
    lines' errors, all at once."""
    given = request.header
    errors = header_errors(given, today=today, po_number_required=buyer.po_number_required)
    address_id = given.ship_to_address_id
    ship_to: ShipTo | None = None
    if address_id is None or address_id == buyer.default_ship_to_id:
        address_id, ship_to = buyer.default_ship_to_id, buyer.default_ship_to
    else:
        try:
            ship_to = buyers.ship_to_for(session, buyer.company_id, address_id)
        except DomainError as exc:
            errors.extend(replace(item, field="ship_to_address_id") for item in exc.items)
            address_id = None
    header = checked_header(
        given,
        incoterm_default=buyer.incoterm_default,
        ship_to=asdict(ship_to) if ship_to is not None else None,
        ship_to_address_id=address_id if ship_to is not None else None,
    )
    # Stock is reserved for the region the goods go to (the ship-to's country), else the
    # company's region (stock.policies.allocation_order).
    region = region_for_country(ship_to.country) if ship_to is not None else buyer.region
    return header, replace(request, region=region), errors


def po_number_taken(session: Session, company_id: int, header: HeaderIn) -> list[ErrorItem]:
    """``duplicate_po_number`` when the company used the PO number already (the cart's
    dry run; placing lets the unique index decide)."""
    po = clean_text(header.po_number)
    if po is None:
        return []
    taken = session.scalar(
        select(Order.id).where(Order.company_id == company_id, Order.po_number == po).limit(1)
    )
    return duplicate_po_number(po).items if taken is not None else []
