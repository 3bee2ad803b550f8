"""HTTP API of bundles: often ordered together (for a SKU or a basket), bundle offers,
an order's bundle discounts, and queuing a mining of the baskets.

Suggestions come from the latest stored mining (``POST /bundles/mine`` or ``microbag plan
mine-bundles``); a buyer sees only SKUs it may order, staff every SKU on sale.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from microbag.accounts.policies import STAFF_PRICING_ROLES
from microbag.accounts.principal import Principal
from microbag.bundles import service
from microbag.bundles.models import BundleOffer
from microbag.bundles.policies import OfferItem
from microbag.bundles.schemas import (
    BasketIn,
    BundleDiscountOut,
    MiningQueuedOut,
    OfferActiveIn,
    OfferIn,
    OfferItemOut,
    OfferOut,
    TogetherOut,
)
from microbag.catalog.policies import CODE_PATTERN
from microbag.catalog.schemas import MoneyOut
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    CurrentPrincipal,
    IdPath,
    ReadSession,
    WriteSession,
    require_staff,
)
from microbag.jobs import service as jobs
from microbag.jobs.policies import BUNDLES_MINE, STAFF_RUN_ROLES
from microbag.orders import service as orders

router = APIRouter(tags=["bundles"])

StaffReader = Annotated[Principal, Depends(require_staff())]
PricingStaff = Annotated[Principal, Depends(require_staff(*STAFF_PRICING_ROLES))]
RunStaff = Annotated[Principal, Depends(require_staff(*STAFF_RUN_ROLES))]
SkuCodePath = Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN)]


def _together(views: list[service.TogetherView]) -> list[TogetherOut]:
    return [
        TogetherOut(
            sku=v.sku,
            rank=v.rank,
            name=v.name,
            color=v.color,
            material=v.material,
            because_of=list(v.because_of),
            baskets=v.baskets,
            confidence=v.confidence,
            lift=v.lift,
        )
        for v in views
    ]


@router.get("/skus/{code}/together", response_model=list[TogetherOut], responses=READ_RESPONSES)
def sku_together(
    code: SkuCodePath,
    principal: CurrentPrincipal,
    session: ReadSession,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[TogetherOut]:
    """SKUs often ordered together with this one (empty until the baskets are mined)."""
    views = service.together_for(session, [code], limit, company_id=principal.company_id)
    return _together(views)


@router.post("/bundles/together", response_model=list[TogetherOut], responses=READ_RESPONSES)
def basket_together(
    body: BasketIn, principal: CurrentPrincipal, session: ReadSession
) -> list[TogetherOut]:
    """Up to ``top`` SKUs often ordered with a basket's SKUs, none of them already in it;
    empty places filled by best sellers."""
    views = service.together_for(
        session, body.skus, body.top, company_id=principal.company_id, back_off=True
    )
    return _together(views)


def _offer_out(offer: BundleOffer) -> OfferOut:
    return OfferOut(
        id=offer.id,
        name=offer.name,
        price_list_id=offer.price_list_id,
        bundle_price=MoneyOut(amount_minor=offer.bundle_price_minor, currency=offer.currency),
        active=offer.active,
        items=[OfferItemOut(sku=i.sku_code, quantity=i.quantity) for i in offer.items],
        created_by=offer.created_by,
        created_at=offer.created_at,
    )


@router.get("/bundle-offers", response_model=list[OfferOut], responses=READ_RESPONSES)
def list_offers(
    _staff: StaffReader,
    session: ReadSession,
    active: Annotated[bool, Query(description="Only active offers")] = False,
) -> list[OfferOut]:
    """Every bundle offer, newest first (staff)."""
    return [_offer_out(o) for o in service.list_offers(session, active_only=active)]


@router.post("/bundle-offers", status_code=201, response_model=OfferOut, responses=WRITE_RESPONSES)
def create_offer(body: OfferIn, staff: PricingStaff, session: WriteSession) -> OfferOut:
    """A bundle offer (admin, sales): one set of ``items`` costs ``bundle_price_minor`` on
    one price list, or on every list in ``currency``. Active at once."""
    offer = service.create_offer(
        session,
        name=body.name,
        items=[OfferItem(i.sku, i.quantity) for i in body.items],
        bundle_price_minor=body.bundle_price_minor,
        currency=body.currency,
        price_list_id=body.price_list_id,
        actor=staff.email,
    )
    return _offer_out(offer)


@router.put("/bundle-offers/{offer_id}/active", response_model=OfferOut, responses=WRITE_RESPONSES)
def set_offer_active(
    offer_id: IdPath, body: OfferActiveIn, _staff: PricingStaff, session: WriteSession
) -> OfferOut:
    """Switch an offer on or off (admin, sales); offers are never deleted."""
    return _offer_out(service.set_offer_active(session, offer_id, body.active))


@router.get(
    "/orders/{order_id}/bundle-discounts",
    response_model=list[BundleDiscountOut],
    responses=READ_RESPONSES,
)
def order_bundle_discounts(
    order_id: IdPath, principal: CurrentPrincipal, session: ReadSession
) -> list[BundleDiscountOut]:
    """The bundle discounts an order was placed with (its total is after them); a buyer
    sees its own company's orders only."""
    orders.get_order(session, principal, order_id)
    return [
        BundleDiscountOut(
            offer_id=a.offer_id or None,
            name=a.name,
            times=a.times,
            discount=MoneyOut(amount_minor=a.discount_minor, currency=a.currency),
        )
        for a in service.order_discounts(session, order_id)
    ]


@router.post(
    "/bundles/mine", status_code=202, response_model=MiningQueuedOut, responses=WRITE_RESPONSES
)
def queue_mining(staff: RunStaff, session: WriteSession) -> MiningQueuedOut:
    """Queue a mining of the baskets (admin, merchandiser); follow it at /api/v1/jobs or
    /staff/bundles."""
    job = jobs.enqueue(session, BUNDLES_MINE, {}, created_by=staff.email)
    return MiningQueuedOut(job_id=job.id, kind=BUNDLES_MINE)
