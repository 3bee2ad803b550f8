"""Preorder and backorder lines at placing: which batch a preorder takes, what a
backorder leaves waiting, and the promise each line carries.

- A **preorder** line reserves nothing on hand: it takes room on an incoming batch (the
  one named by ``incoming_id``, else the earliest with room), and the buyer is promised
  the batch's ship window. A batch's room is its quantity less the units other open
  preorders wait for on it; the batch rows are locked (PostgreSQL) before the stock
  rows, so two preorders on the last units of a batch queue instead of both taking them.
- A **backorder** line reserves what stock has now; the rest waits, with the next
  batch's ship window as its expected date (an estimate: backorders take no batch
  room). Arriving stock goes to waiting lines first come, first served
  (``orders.backorders``).

Plain stock lines never reach this module: the placement's hot path is unchanged for
them. Services never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from microbag.errors import ErrorItem
from microbag.orders.models import Order, OrderLine
from microbag.orders.policies import WAITING_STATUSES
from microbag.stock.incoming import PendingBatch, pending_batches
from microbag.stock.policies import ship_window
from microbag.timeutil import utcnow

if TYPE_CHECKING:  # placement imports this module: the names are for the types only
    from microbag.orders.placement import PlacedLine
    from microbag.orders.schemas import OrderLineIn


def promised_units(session: Session, batch_ids: Sequence[int]) -> dict[int, int]:
    """Units open preorders wait for, per incoming batch."""
    if not batch_ids:
        return {}
    rows = session.execute(
        select(OrderLine.incoming_id, func.sum(OrderLine.waiting_quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.incoming_id.in_(list(batch_ids)),
            OrderLine.fulfilment == "preorder",
            OrderLine.waiting_quantity > 0,
            Order.status.in_(sorted(WAITING_STATUSES)),
        )
        .group_by(OrderLine.incoming_id)
    )
    return {int(batch or 0): int(units or 0) for batch, units in rows}


def plan_special(
    session: Session,
    priced: list[PlacedLine],
    special: Mapping[int, OrderLineIn],
    *,
    lock: bool,
) -> tuple[list[PlacedLine], list[ErrorItem]]:
    """Mark the preorder and backorder lines (by line number in ``special``): a preorder
    gets its batch and window (or an error), a backorder its expected window."""
    today = utcnow().date()
    sku_ids = sorted({p.sku_id for p in priced if p.line_no in special})
    batches = pending_batches(session, sku_ids, today, lock=lock)
    room = {b.id: b.quantity for b in batches}
    for batch, units in promised_units(session, list(room)).items():
        room[batch] -= units
    by_sku: dict[int, list[PendingBatch]] = {}
    for b in batches:
        by_sku.setdefault(b.sku_id, []).append(b)
    errors: list[ErrorItem] = []
    out: list[PlacedLine] = []
    for p in priced:
        wanted = special.get(p.line_no)
        if wanted is None:
            out.append(p)
            continue
        candidates = by_sku.get(p.sku_id, [])
        if wanted.fulfilment == "backorder":
            start, end = ship_window(candidates[0].expected_date) if candidates else (None, None)
            out.append(replace(p, fulfilment="backorder", promised_from=start, promised_until=end))
            continue
        chosen, error = _choose_batch(p, wanted.incoming_id, candidates, room)
        if error is not None:
            errors.append(error)
            out.append(p)
            continue
        assert chosen is not None  # noqa: S101 - _choose_batch returns one or the other
        room[chosen.id] -= p.quantity
        start, end = ship_window(chosen.expected_date)
        out.append(
            replace(
                p,
                fulfilment="preorder",
                waiting_quantity=p.quantity,
                incoming_id=chosen.id,
                promised_from=start,
                promised_until=end,
            )
        )
    return out, errors


def _choose_batch(
    line: PlacedLine,
    incoming_id: int | None,
    candidates: Sequence[PendingBatch],
    room: Mapping[int, int],
) -> tuple[PendingBatch | None, ErrorItem | None]:
    if incoming_id is not None:
        named = next((b for b in candidates if b.id == incoming_id), None)
        if named is None:
            return None, ErrorItem(
                "unknown_incoming",
                f"{line.sku_code}: incoming batch {incoming_id} is not an expected batch "
                "of this SKU",
                line.line_no,
                field="incoming_id",
            )
        if room[named.id] < line.quantity:
            return None, _no_room(line, max(room[named.id], 0), f"batch {named.id}")
        return named, None
    if not candidates:
        return None, ErrorItem(
            "no_incoming_batch",
            f"{line.sku_code}: no batch is expected, so it cannot be preordered",
            line.line_no,
        )
    for batch in candidates:  # earliest first
        if room[batch.id] >= line.quantity:
            return batch, None
    return None, _no_room(line, max(max(room[b.id] for b in candidates), 0), "any batch")


def _no_room(line: PlacedLine, room: int, where: str) -> ErrorItem:
    return ErrorItem(
        "insufficient_incoming",
        f"{line.sku_code}: {line.quantity} requested, only {room} left to preorder on {where}",
        line.line_no,
    )


def backordered(line: PlacedLine, available: int) -> PlacedLine:
    """A backorder line once stock was read: what stock lacks waits. With enough stock it
    is a plain stock line (nothing waits, nothing is promised)."""
    waiting = max(line.quantity - available, 0)
    if waiting == 0:
        return replace(line, fulfilment="stock", promised_from=None, promised_until=None)
    return replace(line, waiting_quantity=waiting)


_write_promise = (
    update(OrderLine)
    .where(OrderLine.order_id == bindparam("oid"), OrderLine.line_no == bindparam("n"))
    .values(
        fulfilment=bindparam("fulfilment"),
        waiting_quantity=bindparam("waiting"),
        incoming_id=bindparam("incoming"),
        promised_from=bindparam("start"),
        promised_until=bindparam("end"),
    )
)


def write_promises(session: Session, order_id: int, priced: Sequence[PlacedLine]) -> None:
    """Record the preorder and backorder lines' fulfilment (after the order's insert,
    which writes plain lines: the hot path stays as it was)."""
    rows = [
        {
            "oid": order_id,
            "n": p.line_no,
            "fulfilment": p.fulfilment,
            "waiting": p.waiting_quantity,
            "incoming": p.incoming_id,
            "start": p.promised_from,
            "end": p.promised_until,
        }
        for p in priced
        if p.fulfilment != "stock"
    ]
    if rows:
        session.connection().execute(
            _write_promise.execution_options(synchronize_session=False), rows
        )
