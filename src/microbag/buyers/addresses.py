"""Addresses of buyer companies (use cases): the ship-to an order gets, listing, adding and
retiring addresses. Services never commit; the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit import service as audit
from microbag.buyers.models import Company, CompanyAddress
from microbag.buyers.policies import ShipTo, address_errors
from microbag.errors import DomainError, ErrorItem, NotFound

# ---- ship-to for orders ------------------------------------------------------------------------


def _ship_to(address: CompanyAddress) -> ShipTo:
    return ShipTo(
        name=address.name,
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        region=address.region,
        postal_code=address.postal_code,
        country=address.country,
    )


def ship_to_for(session: Session, company_id: int, address_id: int | None) -> ShipTo | None:
    """The ship-to an order of the company goes to.

    ``address_id`` None means the company's default ship-to (None when it has no active
    shipping address at all: orders without a ship-to stay valid). An id that is not one of
    the company's active shipping addresses is a 422 ``unknown_address``.
    """
    if address_id is None:
        default = session.scalars(
            select(CompanyAddress)
            .where(
                CompanyAddress.company_id == company_id,
                CompanyAddress.kind == "shipping",
                CompanyAddress.is_active.is_(True),
            )
            # The default first; a company without a marked default ships to its oldest one.
            .order_by(CompanyAddress.is_default.desc(), CompanyAddress.id)
            .limit(1)
        ).first()
        return _ship_to(default) if default is not None else None
    address = session.get(CompanyAddress, address_id)
    if (
        address is None
        or address.company_id != company_id
        or address.kind != "shipping"
        or not address.is_active
    ):
        raise DomainError(
            ErrorItem(
                "unknown_address",
                f"address {address_id} is not an active ship-to address of the company",
                field="ship_to_address_id",
            ),
            422,
        )
    return _ship_to(address)


def list_addresses(
    session: Session,
    company_id: int,
    *,
    kind: str | None = None,
    include_inactive: bool = False,
) -> list[CompanyAddress]:
    """The company's addresses, defaults first then oldest first (for lists and selects)."""
    query = select(CompanyAddress).where(CompanyAddress.company_id == company_id)
    if kind is not None:
        query = query.where(CompanyAddress.kind == kind)
    if not include_inactive:
        query = query.where(CompanyAddress.is_active.is_(True))
    order = (CompanyAddress.kind, CompanyAddress.is_default.desc(), CompanyAddress.id)
    return list(session.scalars(query.order_by(*order)))


ADDRESS_FIELDS = ("label", "name", "line1", "line2", "city", "region", "postal_code", "phone")


def add_address(
    session: Session,
    company_id: int,
    fields: Mapping[str, Any],
    *,
    make_default: bool = False,
    actor: Principal | None = None,
    actor_label: str = "",
) -> CompanyAddress:
    """Add a bill-to or ship-to address (checked: country, postal code format, lines).

    The company's first address of a kind becomes its default; ``make_default`` moves the
    default to the new one. The company row is locked first, so two writers adding
    defaults at once take turns (the partial unique index is the last guard).
    """
    locked = session.execute(
        select(Company.id).where(Company.id == company_id).with_for_update()
    ).scalar_one_or_none()
    if locked is None:
        raise NotFound("company", "unknown_company")
    values = {k: str(fields.get(k) or "").strip() for k in (*ADDRESS_FIELDS, "kind", "country")}
    values["country"] = values["country"].upper()
    values["postal_code"] = values["postal_code"].upper()
    errors = address_errors(values)
    if errors:
        raise DomainError(errors)
    current_default = session.scalar(
        select(CompanyAddress).where(
            CompanyAddress.company_id == company_id,
            CompanyAddress.kind == values["kind"],
            CompanyAddress.is_default.is_(True),
        )
    )
    becomes_default = make_default or current_default is None
    if becomes_default and current_default is not None:
        current_default.is_default = False
        session.flush()
    address = CompanyAddress(
        company_id=company_id,
        kind=values["kind"],
        country=values["country"],
        is_default=becomes_default,
        **{k: values[k] for k in ADDRESS_FIELDS},
    )
    session.add(address)
    session.flush()
    audit.record(
        session,
        actor,
        entity="company_address",
        entity_id=str(address.id),
        action="created",
        before=None,
        after={"kind": address.kind, "default": becomes_default, **values},
        company_id=company_id,
        actor_label=actor_label,
    )
    return address


def deactivate_address(
    session: Session,
    company_id: int,
    address_id: int,
    *,
    actor: Principal | None = None,
    actor_label: str = "",
) -> CompanyAddress:
    """Retire an address (orders keep their copy); 404 when it is not the company's."""
    address = session.get(CompanyAddress, address_id)
    if address is None or address.company_id != company_id:
        raise NotFound("address", "unknown_address")
    if address.is_active:
        address.is_active = False
        address.is_default = False
        session.flush()
        audit.record(
            session,
            actor,
            entity="company_address",
            entity_id=str(address.id),
            action="deactivated",
            before={"active": True},
            after={"active": False},
            company_id=company_id,
            actor_label=actor_label,
        )
    return address
