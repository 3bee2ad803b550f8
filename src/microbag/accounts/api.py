"""HTTP API for accounts: who am I, my tokens, and the seller's staff users (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from microbag.accounts import service
from microbag.accounts.models import ApiToken, User
from microbag.accounts.policies import STAFF_ADMIN_ROLES
from microbag.accounts.principal import Principal
from microbag.accounts.schemas import (
    CompanyRef,
    MeOut,
    StaffRole,
    StaffUserCreate,
    StaffUserUpdate,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserOut,
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
    require_staff,
)

router = APIRouter(tags=["accounts"])

StaffAdmin = Annotated[Principal, Depends(require_staff(*STAFF_ADMIN_ROLES))]


def token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        prefix=token.prefix,
        name=token.name,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        is_active=user.is_active,
        created_at=user.created_at,
    )


@router.get("/me", response_model=MeOut, responses=READ_RESPONSES)
def me(principal: CurrentPrincipal, session: ReadSession) -> MeOut:
    """The calling user: e-mail, name, role, and company (null for the seller's staff)."""
    user = service.get_user(session, principal.user_id)
    company = CompanyRef(id=user.company.id, name=user.company.name) if user.company else None
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        is_staff=user.is_staff,
        company=company,
    )


@router.get("/me/tokens", response_model=Page[TokenOut], responses=READ_RESPONSES)
def my_tokens(principal: CurrentPrincipal, session: ReadSession, paging: Paging) -> Page[TokenOut]:
    """Your API tokens (never the tokens themselves: only their prefixes)."""
    rows, total = service.list_tokens(
        session, principal.user_id, offset=paging.offset, limit=paging.page_size
    )
    return Page(
        items=[token_out(t) for t in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.post("/me/tokens", status_code=201, response_model=TokenCreated, responses=WRITE_RESPONSES)
def create_my_token(
    body: TokenCreate, principal: CurrentPrincipal, session: WriteSession
) -> TokenCreated:
    """Create a token for yourself. The answer holds it in clear, this once only."""
    row, token = service.create_own_token(session, principal.user_id, body.name)
    return TokenCreated(**token_out(row).model_dump(), token=token)


@router.post("/me/tokens/{token_id}/revoke", response_model=TokenOut, responses=WRITE_RESPONSES)
def revoke_my_token(
    token_id: IdPath, principal: CurrentPrincipal, session: WriteSession
) -> TokenOut:
    """Revoke one of your tokens; it fails from the next request on."""
    return token_out(service.revoke_token(session, principal.user_id, token_id))


@router.get("/staff-users", response_model=Page[UserOut], responses=READ_RESPONSES)
def list_staff_users(
    _admin: StaffAdmin,
    session: ReadSession,
    paging: Paging,
    role: Annotated[StaffRole | None, Query(description="Only this role")] = None,
    active: Annotated[bool | None, Query(description="Only active (or inactive) users")] = None,
) -> Page[UserOut]:
    """The seller's staff users (admins only)."""
    rows, total = service.list_staff_users(
        session, role=role, active=active, offset=paging.offset, limit=paging.page_size
    )
    return Page(
        items=[user_out(u) for u in rows], page=paging.page, page_size=paging.page_size, total=total
    )


@router.post("/staff-users", status_code=201, response_model=UserOut, responses=WRITE_RESPONSES)
def create_staff_user(body: StaffUserCreate, admin: StaffAdmin, session: WriteSession) -> UserOut:
    """Add a staff user (admin, sales or merchandiser)."""
    user = service.create_user(
        session,
        email=body.email,
        role=body.role,
        company_id=None,
        name=body.name,
        password=body.password,
        actor=admin,
    )
    return user_out(user)


@router.patch("/staff-users/{user_id}", response_model=UserOut, responses=WRITE_RESPONSES)
def update_staff_user(
    user_id: IdPath, body: StaffUserUpdate, admin: StaffAdmin, session: WriteSession
) -> UserOut:
    """Change a staff user's role, name or active flag (deactivating stops their tokens)."""
    user = service.update_staff_user(
        session, user_id, role=body.role, is_active=body.is_active, name=body.name, actor=admin
    )
    return user_out(user)
