"""HTTP API for pricing: price lists and per-SKU terms (staff), the buyer's own list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from microbag.accounts.policies import STAFF_PRICING_ROLES
from microbag.accounts.principal import Principal
from microbag.accounts.schemas import MoneyOut, ObjectId
from microbag.buyers.schemas import CurrencyCode, SegmentName
from microbag.catalog.policies import CODE_PATTERN as SKU_CODE_PATTERN
from microbag.errors import Forbidden
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    IdPath,
    Page,
    Paging,
    ReadSession,
    WriteSession,
    require_buyer,
    require_staff,
)
from microbag.pricing import service
from microbag.pricing.models import PriceList, PriceListItem
from microbag.pricing.policies import Tier
from microbag.pricing.schemas import (
    ItemOut,
    ItemTermsIn,
    MyPriceListOut,
    PriceListCreate,
    PriceListOut,
    PriceListUpdate,
    TierOut,
)

router = APIRouter(tags=["pricing"])

StaffReader = Annotated[Principal, Depends(require_staff())]
StaffWriter = Annotated[Principal, Depends(require_staff(*STAFF_PRICING_ROLES))]
BuyerUser = Annotated[Principal, Depends(require_buyer())]
SkuPath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=SKU_CODE_PATTERN, description="SKU code")
]


def price_list_out(price_list: PriceList, item_count: int) -> PriceListOut:
    return PriceListOut(
        id=price_list.id,
        name=price_list.name,
        currency=price_list.currency,
        assignment=service.assignment_of(price_list),
        company_id=price_list.company_id,
        segment=price_list.segment,
        min_order_value=MoneyOut(
            amount_minor=price_list.min_order_value_minor, currency=price_list.currency
        ),
        is_active=price_list.is_active,
        item_count=item_count,
        created_at=price_list.created_at,
    )


def item_out(sku: str, currency: str, item: PriceListItem) -> ItemOut:
    return ItemOut(
        sku=sku,
        currency=currency,
        moq=item.moq,
        case_pack=item.case_pack,
        tiers=[
            TierOut(min_quantity=t.min_quantity, unit_price_minor=t.unit_price_minor)
            for t in item.tiers
        ],
    )


def _out(session: ReadSession, price_list: PriceList) -> PriceListOut:
    return price_list_out(price_list, service.item_counts(session, [price_list.id])[price_list.id])


@router.get("/price-lists", response_model=Page[PriceListOut], responses=READ_RESPONSES)
def list_price_lists(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    currency: Annotated[CurrencyCode | None, Query()] = None,
    company_id: Annotated[ObjectId | None, Query()] = None,
    segment: Annotated[SegmentName | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> Page[PriceListOut]:
    """Price lists by currency and name (all staff)."""
    rows, total = service.list_price_lists(
        session,
        currency=currency,
        company_id=company_id,
        segment=segment,
        active=active,
        offset=paging.offset,
        limit=paging.page_size,
    )
    counts = service.item_counts(session, [p.id for p in rows])
    return Page(
        items=[price_list_out(p, counts[p.id]) for p in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.post(
    "/price-lists", status_code=201, response_model=PriceListOut, responses=WRITE_RESPONSES
)
def create_price_list(
    body: PriceListCreate, staff: StaffWriter, session: WriteSession
) -> PriceListOut:
    """A list for a company, a segment, or the default for its currency (admin, sales)."""
    return price_list_out(service.create_price_list(session, **body.model_dump(), actor=staff), 0)


@router.get("/price-lists/{price_list_id}", response_model=PriceListOut, responses=READ_RESPONSES)
def get_price_list(
    price_list_id: IdPath, _staff: StaffReader, session: ReadSession
) -> PriceListOut:
    return _out(session, service.get_price_list(session, price_list_id))


@router.patch(
    "/price-lists/{price_list_id}", response_model=PriceListOut, responses=WRITE_RESPONSES
)
def update_price_list(
    price_list_id: IdPath, body: PriceListUpdate, staff: StaffWriter, session: WriteSession
) -> PriceListOut:
    """Change the given fields (admin, sales); see the body's description for the assignment."""
    price_list = service.update_price_list(
        session, price_list_id, body.model_dump(exclude_unset=True), actor=staff
    )
    return _out(session, price_list)


@router.get(
    "/price-lists/{price_list_id}/items",
    response_model=Page[ItemOut],
    responses=READ_RESPONSES,
)
def list_items(
    price_list_id: IdPath,
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    sku: Annotated[
        str | None, Query(max_length=64, pattern=SKU_CODE_PATTERN, description="Only this SKU")
    ] = None,
) -> Page[ItemOut]:
    """The SKUs on a list with their MOQ, case pack and tiers, by SKU code."""
    price_list = service.get_price_list(session, price_list_id)
    rows, total = service.list_items(
        session, price_list_id, sku=sku, offset=paging.offset, limit=paging.page_size
    )
    return Page(
        items=[item_out(code, price_list.currency, item) for code, item in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.put(
    "/price-lists/{price_list_id}/items/{sku}",
    response_model=ItemOut,
    responses=WRITE_RESPONSES,
)
def set_item(
    price_list_id: IdPath,
    sku: SkuPath,
    body: ItemTermsIn,
    staff: StaffWriter,
    session: WriteSession,
) -> ItemOut:
    """Set a SKU's MOQ, case pack and tiers on a list (admin, sales).

    A 422 lists every broken rule: MOQ and breaks must be multiples of the case pack,
    the first break at most the MOQ, breaks distinct, and prices never rising.
    """
    item = service.set_item_terms(
        session,
        price_list_id,
        sku,
        moq=body.moq,
        case_pack=body.case_pack,
        tiers=[Tier(t.min_quantity, t.unit_price_minor) for t in body.tiers],
        actor=staff,
    )
    return item_out(sku, service.get_price_list(session, price_list_id).currency, item)


@router.delete(
    "/price-lists/{price_list_id}/items/{sku}",
    status_code=204,
    response_class=Response,
    responses=WRITE_RESPONSES,
)
def remove_item(
    price_list_id: IdPath, sku: SkuPath, staff: StaffWriter, session: WriteSession
) -> Response:
    """Take a SKU off a list (admin, sales)."""
    service.remove_item(session, price_list_id, sku, actor=staff)
    return Response(status_code=204)


@router.get("/my/price-list", response_model=MyPriceListOut, responses=READ_RESPONSES)
def my_price_list(principal: BuyerUser, session: ReadSession) -> MyPriceListOut:
    """The list that prices your company's orders (404 when none applies)."""
    if principal.company_id is None:  # require_buyer guarantees it
        raise Forbidden("buyer accounts only")
    price_list = service.effective_price_list(session, principal.company_id)
    return MyPriceListOut(
        name=price_list.name,
        currency=price_list.currency,
        min_order_value=MoneyOut(
            amount_minor=price_list.min_order_value_minor, currency=price_list.currency
        ),
    )
