"""Buyer portal pages of drops: the drops the company is eligible for, with a countdown
to the embargo, the request form (whole case packs, at most the cap; 0 withdraws),
and after the drop the allocation with a link to its order.

Thin adapters over drops.service; its errors come back next to the SKU they concern.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import RedirectResponse, Response

from microbag.drops import policies, service
from microbag.drops.schemas import RequestLineIn
from microbag.errors import DomainError, ErrorItem
from microbag.timeutil import as_utc, utcnow
from microbag.web.csrf import verify_csrf
from microbag.web.deps import BuyerUser, PortalDb
from microbag.web.render import render
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

DropId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def countdown(embargo: datetime, now: datetime) -> str:
    """ "2 d 04 h 05 min" to the embargo (the page's script keeps it ticking)."""
    seconds = int((as_utc(embargo) - now).total_seconds())
    if seconds <= 0:
        return "now"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours:02d} h {minutes:02d} min"
    return f"{hours:02d} h {minutes:02d} min {secs:02d} s"


@router.get("/drops")
def drop_list(request: Request, user: BuyerUser, db: PortalDb) -> Response:
    now = utcnow()
    with db.session() as session:
        drops, _total = service.list_drops(session, user.principal, limit=200)
        rows = [
            {
                "drop": d,
                "countdown": countdown(d.embargo_at, now),
                "upcoming": d.status == policies.OPEN and now < as_utc(d.embargo_at),
                "requested": sum(
                    r.quantity
                    for r in service.company_requests(session, d.id, user.principal.company_id or 0)
                ),
            }
            for d in drops
        ]
    return render(request, "drops/list.html", {"title": "Drops", "rows": rows})


DONE = {
    "requested": "Your request is saved. You can change it until the embargo.",
    "withdrawn": "Your request is withdrawn.",
}


def _drop_page(
    request: Request,
    user: PortalUser,
    db: Any,
    drop_id: int,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    now = utcnow()
    with db.session() as session:
        drop = service.get_drop(session, user.principal, drop_id)
        company = user.principal.company_id or 0
        codes = service.sku_codes_of(session, drop)
        mine = {
            codes[r.drop_sku_id]: r for r in service.company_requests(session, drop.id, company)
        }
        allocation = service.company_allocation(session, drop.id, company)
    may_request = (
        user.principal.role in policies.REQUEST_ROLES
        and policies.check_requestable(drop.status, as_utc(drop.embargo_at), now) is None
    )
    return render(
        request,
        "drops/drop.html",
        {
            "title": drop.name,
            "drop": drop,
            "mine": mine,
            "allocation": allocation,
            "values": values or {},
            "errors": errors,
            "notice": DONE.get(request.query_params.get("done", "")),
            "countdown": countdown(drop.embargo_at, now),
            "before_embargo": now < as_utc(drop.embargo_at),
            "may_request": may_request,
        },
        status_code=status_code,
    )


@router.get("/drops/{drop_id}")
def drop_page(request: Request, drop_id: DropId, user: BuyerUser, db: PortalDb) -> Response:
    return _drop_page(request, user, db, drop_id)


@router.post("/drops/{drop_id}/requests")
def send_requests(
    request: Request, drop_id: DropId, user: BuyerUser, db: PortalDb, form: Form
) -> Response:
    """One quantity field per SKU (``qty_<code>``); blank or 0 withdraws that SKU."""
    with db.session() as session:
        codes = [s.sku_code for s in service.get_drop(session, user.principal, drop_id).skus]
    values = {code: text(form, f"qty_{code}", 12) for code in codes}
    errors = FormErrors()
    lines: list[RequestLineIn] = []
    for code, raw in values.items():
        if raw and not raw.isdigit():
            errors.add(f"qty_{code}", "Enter a whole number of units.")
            continue
        lines.append(RequestLineIn(sku=code, quantity=min(int(raw or 0), policies.MAX_UNITS)))
    if not errors:
        try:
            with db.session(write=True) as session:
                service.set_requests(session, user.principal, drop_id, lines)
        except DomainError as exc:
            if exc.status == 404:
                raise
            errors = _line_errors(exc.items, codes)
    if errors:
        return _drop_page(request, user, db, drop_id, errors=errors, values=values, status_code=422)
    return RedirectResponse(f"/drops/{drop_id}?done=requested", status_code=303)


def _line_errors(items: list[ErrorItem], codes: list[str]) -> FormErrors:
    """Errors of the request form next to their SKU's field (lines follow ``codes``)."""
    errors = FormErrors()
    for item in items:
        code = codes[item.line - 1] if item.line and item.line <= len(codes) else None
        errors.add(f"qty_{code}" if code else None, item.message)
    return errors


@router.post("/drops/{drop_id}/withdraw")
def withdraw(request: Request, drop_id: DropId, user: BuyerUser, db: PortalDb) -> Response:
    try:
        with db.session(write=True) as session:
            service.withdraw(session, user.principal, drop_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _drop_page(
            request, user, db, drop_id, errors=FormErrors.of(exc.items, ()), status_code=exc.status
        )
    return RedirectResponse(f"/drops/{drop_id}?done=withdrawn", status_code=303)
