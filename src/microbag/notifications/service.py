"""Notification use cases (skeleton: the binding interface; h6 implements it).

``notify_company`` is what other packages call, in the same unit of work as the change
it reports: the message is queued (an outbox row), never sent inline, so a rolled-back
change sends nothing and a mail server that is down loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

# The kinds of message and the context keys their callers pass (all values plain: str,
# int, or lists of dicts of those). Every kind names the order, quote or drop it is about.
#   order_confirmed: order_id, order_number, total (formatted money), lines [{sku, quantity}]
#   order_shipped:   order_id, order_number, shipment_id, carrier, tracking_number,
#                    tracking_url (may be ""), lines [{sku, quantity}]
#   quote_answered:  quote_id, quote_number, status, message (may be "")
#   drop_allocated:  drop_id, drop_name, order_id (0 if nothing allocated), order_number
#                    ("" if none), lines [{sku, requested, allocated}]
KINDS = ("order_confirmed", "order_shipped", "quote_answered", "drop_allocated")


def notify_company(
    session: Session,
    *,
    company_id: int,
    kind: str,
    context: Mapping[str, object],
) -> None:
    """Queue ``kind`` for the company's active users who have not turned it off.

    Runs in the caller's transaction and never commits; nothing is sent here.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
