"""The staff's waiting queue, /staff/backorders: preorder and backorder lines waiting for
stock, per SKU in the order arriving stock serves them (``orders.backorders``), with
their promised ship windows; a priority per line (the staff's override of first come,
first served) and "Fill from stock now" (gives available stock to the queue at once,
as every worker pass does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.buyers.service import company_names
from microbag.catalog.policies import CODE_PATTERN
from microbag.errors import DomainError
from microbag.orders import backorders
from microbag.orders.backorders import MAX_QUEUE_PRIORITY, WaitingLine
from microbag.stock.service import available_by_sku
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import FormErrors, OrderStaff, staff_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE = "/staff/backorders"
SkuFilter = Annotated[str, Query(max_length=64)]


@dataclass(frozen=True)
class SkuQueue:
    sku_code: str
    available: int  # on hand and not reserved now (what "Fill" would hand out)
    lines: list[WaitingLine]

    @property
    def waiting(self) -> int:
        return sum(w.waiting_quantity for w in self.lines)


def _queues(lines: list[WaitingLine], available: dict[int, int]) -> list[SkuQueue]:
    by_sku: dict[str, list[WaitingLine]] = {}
    for w in lines:  # already per SKU in serving order
        by_sku.setdefault(w.sku_code, []).append(w)
    return [SkuQueue(sku, available.get(ws[0].sku_id, 0), ws) for sku, ws in by_sku.items()]


def _queue_page(
    request: Request,
    user: PortalUser,
    db: Any,
    *,
    sku: str = "",
    errors: FormErrors | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        lines = backorders.waiting_queue(session, sku_code=sku or None)
        available = available_by_sku(session, sorted({w.sku_id for w in lines}))
        names = company_names(session, sorted({w.company_id for w in lines}))
    queues = _queues(lines, available)
    return staff_page(
        request,
        user,
        "staff/backorders.html",
        {
            "title": "Waiting for stock",
            "queues": queues,
            "names": names,
            "sku": sku,
            "errors": errors,
            "notice": notice,
            "max_priority": MAX_QUEUE_PRIORITY,
            "fillable": any(q.available > 0 for q in queues),
        },
        section="backorders",
        status_code=status_code,
    )


@router.get(PAGE)
def queue_page(request: Request, user: StaffUser, db: PortalDb, sku: SkuFilter = "") -> Response:
    done = request.query_params.get("done", "")
    notice = {
        "priority": "Priority saved; the queue is shown in its new order.",
        "filled": _filled_notice(
            request.query_params.get("units", ""), request.query_params.get("lines", "0")
        ),
    }.get(done)
    return _queue_page(request, user, db, sku=sku.strip(), notice=notice)


def _filled_notice(units: str, lines: str) -> str:
    if not units.isdigit() or units == "0":
        return "Nothing to fill: no waiting SKU has stock available now."
    lines = lines if lines.isdigit() else "?"
    return f"{units} units reserved from stock for {lines} waiting line(s)."


@router.post(f"{PAGE}/priority")
def set_priority(
    request: Request,
    user: OrderStaff,
    db: PortalDb,
    order_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
    line_no: Annotated[int, Form(ge=1, le=100_000)],
    priority: Annotated[str, Form(max_length=20)] = "",
    sku: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    back = sku if sku and _is_code(sku) else ""
    try:
        value = int(priority.strip())
    except ValueError:
        value = -1
    try:
        with db.session(write=True) as session:
            backorders.set_queue_priority(session, user.principal, order_id, line_no, value)
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = FormErrors()
        for item in exc.items:
            errors.add(None, f"Order {order_id}, line {line_no}: {item.message}.")
        return _queue_page(request, user, db, sku=back, errors=errors, status_code=exc.status)
    query = f"&sku={back}" if back else ""
    return RedirectResponse(f"{PAGE}?done=priority{query}", status_code=303)


def _is_code(value: str) -> bool:
    return re.fullmatch(CODE_PATTERN, value) is not None


@router.post(f"{PAGE}/fill")
def fill_now(user: OrderStaff, db: PortalDb) -> Response:
    """Give the stock available now to the waiting lines, first come, first served."""
    with db.session(write=True) as session:
        filled = backorders.fill_waiting(session)
    units = sum(f.units for f in filled)
    return RedirectResponse(
        f"{PAGE}?done=filled&units={units}&lines={len(filled)}", status_code=303
    )
