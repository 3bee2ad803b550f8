"""HTTP API for buyers: companies (staff) and a buyer's own company and colleagues."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from microbag.accounts.api import user_out
from microbag.accounts.models import User
from microbag.accounts.policies import STAFF_COMPANY_ROLES
from microbag.accounts.principal import Principal
from microbag.accounts.schemas import FREE_TEXT_PATTERN, MoneyOut, UserOut
from microbag.buyers import service
from microbag.buyers.models import Company, CompanyAddress
from microbag.buyers.policies import available_credit
from microbag.buyers.schemas import (
    AddressIn,
    AddressOut,
    CompanyCreate,
    CompanyOut,
    CompanyUpdate,
    CompanyUserCreate,
    CountryCode,
    CurrencyCode,
    MyCompanyOut,
    MyUserCreate,
    RegionName,
    SegmentName,
)
from microbag.errors import Forbidden
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    IdPath,
    Page,
    PageParams,
    Paging,
    ReadSession,
    WriteSession,
    require_buyer,
    require_staff,
)

router = APIRouter(tags=["buyers"])

StaffReader = Annotated[Principal, Depends(require_staff())]
StaffWriter = Annotated[Principal, Depends(require_staff(*STAFF_COMPANY_ROLES))]
BuyerUser = Annotated[Principal, Depends(require_buyer())]
BuyerOwner = Annotated[Principal, Depends(require_buyer("owner"))]


def _money(amount: int, currency: str) -> MoneyOut:
    return MoneyOut(amount_minor=amount, currency=currency)


def _tax_fields(company: Company) -> dict[str, object]:
    """The tax identity as both company outputs show it."""
    return {
        "vat_number": company.vat_number,
        "resale_certificate_number": company.resale_certificate_number,
        "resale_certificate_state": company.resale_certificate_state,
        "resale_certificate_expires": company.resale_certificate_expires,
        "resale_certificate_expired": service.resale_certificate_expired(company),
    }


def company_out(company: Company, open_unpaid: int) -> CompanyOut:
    cur = company.currency
    return CompanyOut(
        id=company.id,
        name=company.name,
        segment=company.segment,
        country=company.country,
        region=company.region,
        currency=cur,
        payment_terms_days=company.payment_terms_days,
        payment_terms=service.terms_label(company),
        credit_limit=_money(company.credit_limit_minor, cur),
        incoterm_default=company.incoterm_default,
        po_number_required=company.po_number_required,
        open_unpaid=_money(open_unpaid, cur),
        available_credit=_money(available_credit(company.credit_limit_minor, open_unpaid), cur),
        locale=company.locale,
        is_active=company.is_active,
        created_at=company.created_at,
        **_tax_fields(company),
    )


def _users_page(rows: list[User], total: int, paging: PageParams) -> Page[UserOut]:
    return Page(
        items=[user_out(u) for u in rows], page=paging.page, page_size=paging.page_size, total=total
    )


# ---- staff ------------------------------------------------------------------------------------


@router.get("/companies", response_model=Page[CompanyOut], responses=READ_RESPONSES)
def list_companies(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    segment: Annotated[SegmentName | None, Query()] = None,
    region: Annotated[RegionName | None, Query()] = None,
    country: Annotated[CountryCode | None, Query()] = None,
    currency: Annotated[CurrencyCode | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
    q: Annotated[
        str | None,
        Query(max_length=100, pattern=FREE_TEXT_PATTERN, description="Name contains"),
    ] = None,
) -> Page[CompanyOut]:
    """Buyer companies, by name, filterable."""
    rows, total = service.list_companies(
        session,
        segment=segment,
        region=region,
        country=country,
        currency=currency,
        active=active,
        text=q,
        offset=paging.offset,
        limit=paging.page_size,
    )
    unpaid = service.open_unpaid_totals(session, [c.id for c in rows])
    return Page(
        items=[company_out(c, unpaid[c.id]) for c in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.post("/companies", status_code=201, response_model=CompanyOut, responses=WRITE_RESPONSES)
def create_company(body: CompanyCreate, staff: StaffWriter, session: WriteSession) -> CompanyOut:
    """Add a buyer company (admin, sales). Prepaid unless payment terms are given."""
    company = service.create_company(session, **body.model_dump(), actor=staff)
    return company_out(company, 0)


@router.get("/companies/{company_id}", response_model=CompanyOut, responses=READ_RESPONSES)
def get_company(company_id: IdPath, _staff: StaffReader, session: ReadSession) -> CompanyOut:
    company = service.get_company(session, company_id)
    return company_out(company, service.open_unpaid_total(session, company.id))


@router.patch("/companies/{company_id}", response_model=CompanyOut, responses=WRITE_RESPONSES)
def update_company(
    company_id: IdPath, body: CompanyUpdate, staff: StaffWriter, session: WriteSession
) -> CompanyOut:
    """Change the given fields only (admin, sales). The tax identity (VAT number, US resale
    certificate) is checked: ``invalid_vat_number``, ``vat_country_mismatch``,
    ``unsupported_vat_country``, ``invalid_resale_certificate``, ``invalid_resale_state``,
    ``resale_certificate_incomplete``, ``resale_certificate_expired``."""
    company = service.update_company(
        session, company_id, body.model_dump(exclude_unset=True), actor=staff
    )
    return company_out(company, service.open_unpaid_total(session, company.id))


@router.get("/companies/{company_id}/users", response_model=Page[UserOut], responses=READ_RESPONSES)
def list_company_users(
    company_id: IdPath, _staff: StaffReader, session: ReadSession, paging: Paging
) -> Page[UserOut]:
    rows, total = service.list_company_users(
        session, company_id, offset=paging.offset, limit=paging.page_size
    )
    return _users_page(rows, total, paging)


@router.post(
    "/companies/{company_id}/users",
    status_code=201,
    response_model=UserOut,
    responses=WRITE_RESPONSES,
)
def add_company_user(
    company_id: IdPath, body: CompanyUserCreate, staff: StaffWriter, session: WriteSession
) -> UserOut:
    """Add a user (owner, buyer or viewer) to a company (admin, sales)."""
    user = service.add_company_user(session, company_id, **body.model_dump(), actor=staff)
    return user_out(user)


# ---- the buyer's own company -------------------------------------------------------------------


@router.get("/my/company", response_model=MyCompanyOut, responses=READ_RESPONSES)
def my_company(principal: BuyerUser, session: ReadSession) -> MyCompanyOut:
    """Your company: terms, credit limit, the credit still available, tax identity."""
    if principal.company_id is None:  # require_buyer guarantees it
        raise Forbidden("buyer accounts only")
    company = service.get_company(session, principal.company_id)
    cur = company.currency
    return MyCompanyOut(
        id=company.id,
        name=company.name,
        segment=company.segment,
        country=company.country,
        region=company.region,
        currency=cur,
        payment_terms_days=company.payment_terms_days,
        payment_terms=service.terms_label(company),
        credit_limit=_money(company.credit_limit_minor, cur),
        incoterm_default=company.incoterm_default,
        po_number_required=company.po_number_required,
        available_credit=_money(service.available_credit_for(session, company), cur),
        **_tax_fields(company),
    )


@router.get("/my/users", response_model=Page[UserOut], responses=READ_RESPONSES)
def my_users(principal: BuyerUser, session: ReadSession, paging: Paging) -> Page[UserOut]:
    """The users of your company."""
    if principal.company_id is None:  # require_buyer guarantees it
        raise Forbidden("buyer accounts only")
    rows, total = service.list_company_users(
        session, principal.company_id, offset=paging.offset, limit=paging.page_size
    )
    return _users_page(rows, total, paging)


@router.post("/my/users", status_code=201, response_model=UserOut, responses=WRITE_RESPONSES)
def add_my_user(body: MyUserCreate, principal: BuyerOwner, session: WriteSession) -> UserOut:
    """Owners add a buyer or a viewer to their own company."""
    if principal.company_id is None:  # require_buyer guarantees it
        raise Forbidden("buyer accounts only")
    user = service.add_company_user(
        session, principal.company_id, **body.model_dump(), actor=principal
    )
    return user_out(user)


# ---- addresses (issue 11): staff for any company, a buyer company's own ----------------------

AddressId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Address id")]


def _address_out(address: CompanyAddress) -> AddressOut:
    return AddressOut.model_validate(address, from_attributes=True)


def _own_company(principal: Principal) -> int:
    if principal.company_id is None:  # require_buyer guarantees it
        raise Forbidden("buyer accounts only")
    return principal.company_id


def _add(session: Session, company_id: int, body: AddressIn, actor: Principal) -> AddressOut:
    fields = body.model_dump(exclude={"make_default"})
    address = service.add_address(
        session, company_id, fields, make_default=body.make_default, actor=actor
    )
    return _address_out(address)


@router.get(
    "/companies/{company_id}/addresses", response_model=list[AddressOut], responses=READ_RESPONSES
)
def company_addresses(
    _staff: StaffReader, session: ReadSession, company_id: IdPath
) -> list[AddressOut]:
    """A company's active addresses, defaults first."""
    service.get_company(session, company_id)
    return [_address_out(a) for a in service.list_addresses(session, company_id)]


@router.post(
    "/companies/{company_id}/addresses",
    status_code=201,
    response_model=AddressOut,
    responses=WRITE_RESPONSES,
)
def add_company_address(
    body: AddressIn, staff: StaffWriter, session: WriteSession, company_id: IdPath
) -> AddressOut:
    """Add a bill-to or ship-to address (``invalid_postal_code`` names the format)."""
    return _add(session, company_id, body, staff)


@router.delete(
    "/companies/{company_id}/addresses/{address_id}",
    response_model=AddressOut,
    responses=WRITE_RESPONSES,
)
def retire_company_address(
    staff: StaffWriter, session: WriteSession, company_id: IdPath, address_id: AddressId
) -> AddressOut:
    """Retire an address (orders placed with it keep their copy)."""
    return _address_out(service.deactivate_address(session, company_id, address_id, actor=staff))


@router.get("/my/addresses", response_model=list[AddressOut], responses=READ_RESPONSES)
def my_addresses(buyer: BuyerUser, session: ReadSession) -> list[AddressOut]:
    """Your company's active addresses (ship-tos to choose on an order), defaults first."""
    return [_address_out(a) for a in service.list_addresses(session, _own_company(buyer))]


@router.post("/my/addresses", status_code=201, response_model=AddressOut, responses=WRITE_RESPONSES)
def add_my_address(body: AddressIn, owner: BuyerOwner, session: WriteSession) -> AddressOut:
    """Add an address to your company (owner)."""
    return _add(session, _own_company(owner), body, owner)


@router.delete("/my/addresses/{address_id}", response_model=AddressOut, responses=WRITE_RESPONSES)
def retire_my_address(
    owner: BuyerOwner, session: WriteSession, address_id: AddressId
) -> AddressOut:
    """Retire one of your company's addresses (owner; 404 for another company's)."""
    company_id = _own_company(owner)
    return _address_out(service.deactivate_address(session, company_id, address_id, actor=owner))
