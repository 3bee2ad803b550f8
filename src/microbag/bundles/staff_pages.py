"""Staff page /staff/bundles: the latest mining of the baskets, the strongest pairs to make
bundle offers of, and the offers (create from a pair, switch on or off).

Mining runs as a ``bundles_mine`` job (staff who may start runs); offers are priced by
staff who may change prices. The order check applies active offers (bundles.policies).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from microbag.bundles import service
from microbag.bundles.policies import OfferItem
from microbag.errors import DomainError
from microbag.jobs import service as jobs
from microbag.jobs.policies import BUNDLES_MINE
from microbag.pricing.service import list_price_lists
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, parse_amount, staff_page, staff_role, text, texts

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

RunStaff = Annotated[PortalUser, Depends(staff_role("runs"))]
PricingStaff = Annotated[PortalUser, Depends(staff_role("pricing"))]
OfferId = Annotated[int, Path(ge=1, le=2**62)]
PAIRS_SHOWN = 15


def _page(
    request: Request,
    user: PortalUser,
    db: PortalDb,
    *,
    job: int | None = None,
    errors: list[str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        run = service.latest_run(session)
        pairs = service.suggested_pairs(session, PAIRS_SHOWN)
        offers = service.list_offers(session)
        price_lists, _total = list_price_lists(session, active=True, limit=200)
        mining_job = jobs.board_job(session, BUNDLES_MINE, job)
    return staff_page(
        request,
        user,
        "staff/bundles.html",
        {
            "title": "Bundles",
            "run": run,
            "pairs": pairs,
            "offers": offers,
            "price_lists": price_lists,
            "currencies": sorted({p.currency for p in price_lists}),
            "job": mining_job,
            "errors": errors or [],
            "notice": notice,
        },
        section="bundles",
        status_code=status_code,
    )


@router.get("/staff/bundles")
def bundles_page(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    job: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    return _page(request, user, db, job=job)


@router.post("/staff/bundles/mine")
def start_mining(user: RunStaff, db: PortalDb) -> Response:
    """Queue a mining of the baskets and show its progress."""
    with db.session(write=True) as session:
        queued = jobs.enqueue(session, BUNDLES_MINE, {}, created_by=user.principal.email)
    return RedirectResponse(f"/staff/bundles?job={queued.id}", status_code=303)


@router.post("/staff/bundles/offers")
def create_offer(request: Request, user: PricingStaff, db: PortalDb, form: Form) -> Response:
    """A new offer from a pair (or any SKUs): name, SKUs with quantities per set, the
    price of one set, and a price list or every list in a currency."""
    skus = [s.strip() for s in texts(form, "sku", 10) if s.strip()]
    raw_quantities = texts(form, "quantity", 10)
    scope = text(form, "scope", 40)
    name = text(form, "name", 200)
    errors: list[str] = []
    try:
        quantities = [int(q or "1") for q in raw_quantities] or [1] * len(skus)
    except ValueError:
        quantities, errors = [], ["Quantities are whole numbers."]
    if len(quantities) != len(skus):
        quantities = [1] * len(skus)
    price_list_id: int | None = None
    currency: str | None = None
    if scope.startswith("list:") and scope[5:].isdigit():
        price_list_id = int(scope[5:])
    elif scope.startswith("all:"):
        currency = scope[4:]
    else:
        errors.append("Choose a price list, or all lists in a currency.")
    with db.session() as session:
        lists = {p.id: p.currency for p in list_price_lists(session, limit=200)[0]}
    price_currency = lists.get(price_list_id or 0, currency or "")
    price = 0
    try:
        price = parse_amount(text(form, "price", 40), price_currency or "EUR")
    except ValueError as exc:
        errors.append(f"Bundle price: {exc}")
    if errors:
        return _page(request, user, db, errors=errors, status_code=422)
    try:
        with db.session(write=True) as session:
            offer = service.create_offer(
                session,
                name=name,
                items=[OfferItem(s, q) for s, q in zip(skus, quantities, strict=True)],
                bundle_price_minor=price,
                currency=currency,
                price_list_id=price_list_id,
                actor=user.principal.email,
            )
            offer_name = offer.name
    except DomainError as exc:
        return _page(
            request, user, db, errors=[item.message for item in exc.items], status_code=422
        )
    return _page(request, user, db, notice=f"Offer “{offer_name}” created and active.")


@router.post("/staff/bundles/offers/{offer_id}/active")
def set_active(
    request: Request, user: PricingStaff, db: PortalDb, offer_id: OfferId, form: Form
) -> Response:
    active = text(form, "active", 5) == "true"
    with db.session(write=True) as session:
        offer = service.set_offer_active(session, offer_id, active)
        said = f"Offer “{offer.name}” is {'active' if offer.active else 'switched off'}."
    return _page(request, user, db, notice=said)
