"""Buyer companies and their users: create, change, list; open unpaid orders and credit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.accounts import service as accounts
from microbag.accounts.models import User
from microbag.accounts.principal import Principal
from microbag.accounts.service import create_user
from microbag.audit import service as audit
from microbag.buyers import tax

# Addresses live in buyers.addresses; the service keeps their names for its callers.
from microbag.buyers.addresses import add_address as add_address
from microbag.buyers.addresses import deactivate_address as deactivate_address
from microbag.buyers.addresses import list_addresses as list_addresses
from microbag.buyers.addresses import ship_to_for as ship_to_for
from microbag.buyers.models import Company
from microbag.buyers.policies import (
    OPEN_UNPAID_STATUSES,
    REGIONS,
    SEGMENTS,
    available_credit,
    is_country_code,
    is_incoterm,
    is_locale,
    payment_terms_label,
    region_for_country,
    valid_payment_terms,
)

# The tax identity lives in buyers.tax; the service keeps the names for its callers.
from microbag.buyers.tax import resale_certificate_expired as resale_certificate_expired
from microbag.buyers.tax import set_tax_identity as set_tax_identity
from microbag.buyers.tax import tax_status_of as tax_status_of
from microbag.buyers.tax_identity import TAX_FIELDS
from microbag.errors import DomainError, ErrorItem, NotFound
from microbag.money import is_currency
from microbag.orders.models import Order

COMPANY_FIELDS = frozenset(
    {
        "name",
        "segment",
        "country",
        "region",
        "currency",
        "payment_terms_days",
        "credit_limit_minor",
        "locale",
        "is_active",
        "incoterm_default",
        "po_number_required",
    }
)
# Fields where null is a value: prepaid terms, "derive the region from the country", and
# no VAT number or resale certificate (the tax identity, see buyers.tax).
NULL_MEANS_SOMETHING = frozenset({"payment_terms_days", "region", *TAX_FIELDS})


# ---- credit ---------------------------------------------------------------------------------


def _open_unpaid_query(company_ids: Iterable[int]) -> Any:
    return (
        select(Order.company_id, func.coalesce(func.sum(Order.total_minor), 0))
        .where(
            Order.company_id.in_(list(company_ids)),
            Order.status.in_(OPEN_UNPAID_STATUSES),
            Order.paid_at.is_(None),
        )
        .group_by(Order.company_id)
    )


def open_unpaid_total(session: Session, company_id: int) -> int:
    """Minor units of the company's orders that still use credit (see buyers.policies)."""
    return open_unpaid_totals(session, [company_id])[company_id]


def open_unpaid_totals(session: Session, company_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(company_ids))
    result = dict.fromkeys(ids, 0)
    if ids:
        for company_id, total in session.execute(_open_unpaid_query(ids)):
            result[company_id] = int(total)
    return result


def available_credit_for(session: Session, company: Company) -> int:
    return available_credit(company.credit_limit_minor, open_unpaid_total(session, company.id))


# ---- companies ------------------------------------------------------------------------------


def get_company(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("company", "unknown_company")
    return company


def list_companies(
    session: Session,
    *,
    segment: str | None = None,
    region: str | None = None,
    country: str | None = None,
    currency: str | None = None,
    active: bool | None = None,
    text: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Company], int]:
    conditions: list[Any] = []
    if segment:
        conditions.append(Company.segment == segment)
    if region:
        conditions.append(Company.region == region)
    if country:
        conditions.append(Company.country == country.upper())
    if currency:
        conditions.append(Company.currency == currency.upper())
    if active is not None:
        conditions.append(Company.is_active.is_(active))
    if text:
        conditions.append(func.lower(Company.name).contains(text.lower(), autoescape=True))
    total = session.scalar(select(func.count()).select_from(Company).where(*conditions)) or 0
    rows = session.scalars(
        select(Company).where(*conditions).order_by(Company.name).offset(offset).limit(limit)
    )
    return list(rows), int(total)


def _company_errors(values: Mapping[str, Any]) -> list[ErrorItem]:
    """Every broken rule among the given company fields."""
    errors: list[ErrorItem] = []
    if "incoterm_default" in values and not is_incoterm(values["incoterm_default"]):
        errors.append(
            ErrorItem(
                "invalid_incoterm", "the incoterm is EXW, FOB, DAP or DDP", field="incoterm_default"
            )
        )
    if "name" in values and not str(values["name"]).strip():
        errors.append(ErrorItem("invalid_name", "the company needs a name", field="name"))
    if "segment" in values and values["segment"] not in SEGMENTS:
        errors.append(
            ErrorItem(
                "unknown_segment",
                f"segment {values['segment']!r} is not one of {', '.join(SEGMENTS)}",
                field="segment",
            )
        )
    if "country" in values and not is_country_code(values["country"]):
        errors.append(
            ErrorItem(
                "unknown_country",
                f"{values['country']!r} is not an ISO 3166-1 alpha-2 country code",
                field="country",
            )
        )
    if values.get("region") is not None and values["region"] not in REGIONS:
        errors.append(
            ErrorItem(
                "unknown_region",
                f"region {values['region']!r} is not one of {', '.join(REGIONS)}",
                field="region",
            )
        )
    if "currency" in values and not is_currency(values["currency"]):
        errors.append(
            ErrorItem(
                "unknown_currency",
                f"{values['currency']!r} is not an ISO 4217 currency code",
                field="currency",
            )
        )
    if "payment_terms_days" in values and not valid_payment_terms(values["payment_terms_days"]):
        errors.append(
            ErrorItem(
                "invalid_payment_terms",
                "payment terms are prepaid (null) or net 0 to 180 days",
                field="payment_terms_days",
            )
        )
    if "locale" in values and not is_locale(values["locale"]):
        errors.append(
            ErrorItem(
                "unknown_locale", f"{values['locale']!r} is not a known locale", field="locale"
            )
        )
    if "credit_limit_minor" in values and values["credit_limit_minor"] < 0:
        errors.append(
            ErrorItem(
                "negative_credit_limit",
                "the credit limit cannot be negative",
                field="credit_limit_minor",
            )
        )
    return errors


def _check_name_free(session: Session, name: str, company_id: int | None = None) -> None:
    query = select(Company.id).where(Company.name == name)
    if company_id is not None:
        query = query.where(Company.id != company_id)
    if session.scalar(query) is not None:
        raise DomainError.single("company_name_taken", f"a company named {name!r} exists", 409)


def create_company(
    session: Session,
    *,
    name: str,
    segment: str,
    country: str,
    currency: str,
    region: str | None = None,
    payment_terms_days: int | None = None,
    credit_limit_minor: int = 0,
    locale: str = "en_US",
    actor: Principal | None = None,
    actor_label: str = "",
) -> Company:
    """A new buyer company; the region follows the country unless given. Prepaid by default."""
    values = {
        "name": name,
        "segment": segment,
        "country": country,
        "region": region,
        "currency": currency,
        "payment_terms_days": payment_terms_days,
        "credit_limit_minor": credit_limit_minor,
        "locale": locale,
    }
    errors = _company_errors(values)
    if errors:
        raise DomainError(errors)
    _check_name_free(session, name)
    company = Company(
        name=name,
        segment=segment,
        country=country,
        region=region or region_for_country(country),
        currency=currency,
        payment_terms_days=payment_terms_days,
        credit_limit_minor=credit_limit_minor,
        locale=locale,
    )
    session.add(company)
    session.flush()
    audit.record(
        session,
        actor,
        entity="company",
        entity_id=str(company.id),
        action="created",
        before=None,
        after=_audited_fields(company),
        company_id=company.id,
        actor_label=actor_label,
    )
    return company


def _audited_fields(company: Company) -> dict[str, object]:
    """The company's editable fields (credit limit, terms, tax identity...) as the audit log
    compares them."""
    return {name: getattr(company, name) for name in sorted(COMPANY_FIELDS | set(TAX_FIELDS))}


def update_company(
    session: Session,
    company_id: int,
    changes: Mapping[str, Any],
    *,
    actor: Principal | None = None,
    actor_label: str = "",
) -> Company:
    """Apply the given fields (absent or null ones stay, see NULL_MEANS_SOMETHING).

    A new country re-derives the region unless a region is given too. The currency
    is locked while orders still use credit (their totals are in the old currency).
    The tax identity's fields (TAX_FIELDS; null clears one) are checked with the company's
    country, also when only the country changes (a VAT number must stay the country's).
    """
    unknown = set(changes) - COMPANY_FIELDS - set(TAX_FIELDS)
    if unknown:
        raise DomainError.single("invalid_input", f"unknown fields: {', '.join(sorted(unknown))}")
    company = get_company(session, company_id)
    # null means "unchanged" except where it has a meaning of its own.
    values = {k: v for k, v in changes.items() if v is not None or k in NULL_MEANS_SOMETHING}
    errors = _company_errors(values)
    if "country" in values or any(k in values for k in TAX_FIELDS):
        country = values.get("country", company.country)
        identity, tax_errors = tax.checked_changes(
            company, values, country=country if is_country_code(country) else company.country
        )
        errors += tax_errors
        values.update(identity.fields())
    if errors:
        raise DomainError(errors)
    if "name" in values:
        _check_name_free(session, values["name"], company.id)
    changes_currency = "currency" in values and values["currency"] != company.currency
    if changes_currency and open_unpaid_total(session, company.id):
        raise DomainError.single(
            "currency_locked",
            "the currency cannot change while the company has open unpaid orders",
            409,
        )
    if "country" in values and values.get("region") is None:
        values["region"] = region_for_country(values["country"])
    elif "region" in values and values["region"] is None:
        values["region"] = region_for_country(values.get("country", company.country))
    before = _audited_fields(company)
    for key, value in values.items():
        setattr(company, key, value)
    session.flush()
    audit.record(
        session,
        actor,
        entity="company",
        entity_id=str(company.id),
        action="updated",
        before=before,
        after=_audited_fields(company),
        company_id=company.id,
        actor_label=actor_label,
    )
    return company


def terms_label(company: Company) -> str:
    return payment_terms_label(company.payment_terms_days)


# ---- users of a company ------------------------------------------------------------------------


def list_company_users(
    session: Session, company_id: int, *, offset: int = 0, limit: int = 50
) -> tuple[list[User], int]:
    get_company(session, company_id)
    where = User.company_id == company_id
    total = session.scalar(select(func.count()).select_from(User).where(where)) or 0
    rows = session.scalars(
        select(User).where(where).order_by(User.email).offset(offset).limit(limit)
    )
    return list(rows), int(total)


def add_company_user(
    session: Session,
    company_id: int,
    *,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
    actor: Principal | None = None,
    actor_label: str = "",
) -> User:
    """A user of the company with role owner, buyer or viewer."""
    get_company(session, company_id)
    return create_user(
        session,
        email=email,
        role=role,
        company_id=company_id,
        name=name,
        password=password,
        actor=actor,
        actor_label=actor_label,
    )


def company_names(session: Session, company_ids: Iterable[int]) -> dict[int, str]:
    """Names of the given companies by id (for lists that show whose an order is)."""
    ids = sorted(set(company_ids))
    if not ids:
        return {}
    rows = session.execute(select(Company.id, Company.name).where(Company.id.in_(ids)))
    return {int(i): str(n) for i, n in rows}


def set_company_user_active(
    session: Session,
    company_id: int,
    user_id: int,
    *,
    is_active: bool,
    actor: Principal | None = None,
    actor_label: str = "",
) -> User:
    """Deactivate (or reactivate) a user of the company; their portal sessions and API
    tokens stop working at once. The users table is the accounts package's: written there."""
    return accounts.set_company_user_active(
        session, company_id, user_id, is_active=is_active, actor=actor, actor_label=actor_label
    )
