"""HTTP API of drops (a thin adapter over drops.service and drops.allocation).

Staff: every role reads; admins and merchandisers create, edit, open, allocate and
close. Buyers: see the published drops their company is eligible for (others: 404);
owners and buyers request, change and withdraw; viewers read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.drops import allocation, policies, service
from microbag.drops.models import Drop, DropAllocation, DropRequest
from microbag.drops.schemas import (
    AllocateIn,
    AllocateOut,
    AllocationOut,
    DropIn,
    DropOut,
    DropPatch,
    DropSkuOut,
    DropStatus,
    DropSummary,
    RequestOut,
    RequestsIn,
    ShareOut,
)
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    CurrentPrincipal,
    IdPath,
    Page,
    Paging,
    ReadSession,
    WriteSession,
    require_buyer,
    require_staff,
)

router = APIRouter(tags=["drops"])

StaffReader = Annotated[Principal, Depends(require_staff())]
Manager = Annotated[Principal, Depends(require_staff(*sorted(policies.MANAGE_ROLES)))]
Requester = Annotated[Principal, Depends(require_buyer(*sorted(policies.REQUEST_ROLES)))]


def _request_out(r: DropRequest, codes: dict[int, str], names: dict[int, str]) -> RequestOut:
    return RequestOut(
        sku=codes.get(r.drop_sku_id, ""),
        quantity=r.quantity,
        allocated=r.allocated,
        company_id=r.company_id,
        company=names.get(r.company_id, ""),
        updated_at=r.updated_at,
    )


def _allocation_out(a: DropAllocation, names: dict[int, str]) -> AllocationOut:
    return AllocationOut(
        company_id=a.company_id,
        company=names.get(a.company_id, ""),
        status=a.status,
        order_id=a.order_id,
        units=a.units,
        reason=a.reason,
    )


def drop_out(session: Session, principal: Principal, drop: Drop) -> DropOut:
    out = DropOut(
        id=drop.id,
        name=drop.name,
        description=drop.description,
        status=drop.status,
        embargo_at=drop.embargo_at,
        segments=list(drop.segments or []),
        regions=list(drop.regions or []),
        company_ids=list(drop.company_ids or []),
        currency=drop.currency,
        created_at=drop.created_at,
        allocated_at=drop.allocated_at,
        skus=[
            DropSkuOut(
                sku=s.sku_code,
                edition_size=s.edition_size,
                buyer_cap=s.buyer_cap,
                case_pack=s.case_pack,
                unit_price_minor=s.unit_price_minor,
            )
            for s in drop.skus
        ],
    )
    if principal.company_id is not None:
        # A buyer sees neither other companies nor who may buy: only its own side.
        out.company_ids = []
        codes = service.sku_codes_of(session, drop)
        out.requests = [
            _request_out(r, codes, {})
            for r in service.company_requests(session, drop.id, principal.company_id)
        ]
        mine = service.company_allocation(session, drop.id, principal.company_id)
        out.allocation = _allocation_out(mine, {}) if mine is not None else None
    return out


@router.get("/drops", response_model=Page[DropSummary], responses=READ_RESPONSES)
def list_drops(
    principal: CurrentPrincipal,
    session: ReadSession,
    paging: Paging,
    status: Annotated[DropStatus | None, Query()] = None,
) -> Page[DropSummary]:
    drops, total = service.list_drops(
        session, principal, status=status, offset=paging.offset, limit=paging.page_size
    )
    items = [
        DropSummary(
            id=d.id,
            name=d.name,
            status=d.status,
            embargo_at=d.embargo_at,
            skus=[s.sku_code for s in d.skus],
        )
        for d in drops
    ]
    return Page(items=items, page=paging.page, page_size=paging.page_size, total=total)


@router.post("/drops", status_code=201, response_model=DropOut, responses=WRITE_RESPONSES)
def create_drop(principal: Manager, session: WriteSession, body: DropIn) -> DropOut:
    return drop_out(session, principal, service.create_drop(session, principal, body))


@router.get("/drops/{drop_id}", response_model=DropOut, responses=READ_RESPONSES)
def get_drop(principal: CurrentPrincipal, session: ReadSession, drop_id: IdPath) -> DropOut:
    return drop_out(session, principal, service.get_drop(session, principal, drop_id))


@router.patch("/drops/{drop_id}", response_model=DropOut, responses=WRITE_RESPONSES)
def update_drop(
    principal: Manager, session: WriteSession, drop_id: IdPath, body: DropPatch
) -> DropOut:
    return drop_out(session, principal, service.update_drop(session, principal, drop_id, body))


@router.post("/drops/{drop_id}/open", response_model=DropOut, responses=WRITE_RESPONSES)
def open_drop(principal: Manager, session: WriteSession, drop_id: IdPath) -> DropOut:
    return drop_out(session, principal, service.open_drop(session, principal, drop_id))


@router.post("/drops/{drop_id}/close", response_model=DropOut, responses=WRITE_RESPONSES)
def close_drop(principal: Manager, session: WriteSession, drop_id: IdPath) -> DropOut:
    return drop_out(session, principal, service.close_drop(session, principal, drop_id))


def _shares_out(session: Session, shares: list[policies.Share]) -> list[ShareOut]:
    names = service.company_names(session, sorted({s.company_id for s in shares}))
    return [
        ShareOut(
            company_id=s.company_id,
            company=names.get(s.company_id, ""),
            sku=s.sku_code,
            requested=s.requested,
            allocated=s.allocated,
            weight_minor=s.weight_minor,
        )
        for s in shares
    ]


@router.post("/drops/{drop_id}/allocate", response_model=AllocateOut, responses=WRITE_RESPONSES)
def allocate_drop(
    principal: Manager, session: WriteSession, drop_id: IdPath, body: AllocateIn
) -> AllocateOut:
    """Allocate the edition by the fair-share rule and place every requester's order
    (``dry_run``: only the shares). 409 before the embargo or when allocated already."""
    if body.dry_run:
        shares = allocation.preview(session, principal, drop_id)
        return AllocateOut(
            drop_id=drop_id, dry_run=True, shares=_shares_out(session, shares), allocations=[]
        )
    shares, _outcomes = allocation.allocate(session, principal, drop_id)
    allocations = service.all_allocations(session, drop_id)
    names = service.company_names(session, [a.company_id for a in allocations])
    return AllocateOut(
        drop_id=drop_id,
        dry_run=False,
        shares=_shares_out(session, shares),
        allocations=[_allocation_out(a, names) for a in allocations],
    )


@router.get(
    "/drops/{drop_id}/requests",
    response_model=list[RequestOut],
    responses=READ_RESPONSES,
)
def drop_requests(
    principal: StaffReader, session: ReadSession, drop_id: IdPath
) -> list[RequestOut]:
    """Every company's requests (staff)."""
    drop = service.get_drop(session, principal, drop_id)
    requests = service.all_requests(session, drop.id)
    names = service.company_names(session, sorted({r.company_id for r in requests}))
    codes = service.sku_codes_of(session, drop)
    return [_request_out(r, codes, names) for r in requests]


@router.put(
    "/drops/{drop_id}/requests",
    response_model=list[RequestOut],
    responses=WRITE_RESPONSES,
)
def set_requests(
    principal: Requester, session: WriteSession, drop_id: IdPath, body: RequestsIn
) -> list[RequestOut]:
    """Request, change (the new quantity) or withdraw (quantity 0) the company's units of
    the drop's SKUs, before the embargo; whole case packs, at most the per-buyer cap."""
    requests = service.set_requests(session, principal, drop_id, body.lines)
    drop = service.get_drop(session, principal, drop_id)
    codes = service.sku_codes_of(session, drop)
    return [_request_out(r, codes, {}) for r in requests]


@router.delete("/drops/{drop_id}/requests", status_code=204, responses=WRITE_RESPONSES)
def withdraw_requests(principal: Requester, session: WriteSession, drop_id: IdPath) -> Response:
    """Withdraw every request of the company (before the embargo)."""
    service.withdraw(session, principal, drop_id)
    return Response(status_code=204)
