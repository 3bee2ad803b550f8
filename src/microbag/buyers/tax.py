"""A buyer company's tax identity (use cases): set or clear its VAT number and US resale
certificate, checked by buyers.tax_identity, audited; and its status for display.
buyers.service keeps the names for its callers. Services never commit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit import service as audit
from microbag.buyers.models import Company
from microbag.buyers.tax_identity import (
    EXPIRY_WARNING_DAYS,
    TAX_FIELDS,
    TaxIdentity,
    TaxStatus,
    check_tax_identity,
    resale_expired,
    tax_status,
)
from microbag.errors import DomainError, ErrorItem, NotFound
from microbag.timeutil import utcnow


def today_utc() -> date:
    """The day resale certificates' expiry is compared with (UTC, like every timestamp)."""
    return utcnow().date()


def tax_identity_of(company: Company) -> TaxIdentity:
    return TaxIdentity(
        vat_number=company.vat_number,
        resale_certificate_number=company.resale_certificate_number,
        resale_certificate_state=company.resale_certificate_state,
        resale_certificate_expires=company.resale_certificate_expires,
    )


def checked_changes(
    company: Company, changes: Mapping[str, Any], *, country: str, today: date | None = None
) -> tuple[TaxIdentity, list[ErrorItem]]:
    """The company's tax identity with ``changes`` (tax fields only; None or "" clears one)
    applied, checked against ``country`` (the company's, or its new one)."""
    on_file = tax_identity_of(company)
    merged = on_file.fields() | {k: v for k, v in changes.items() if k in TAX_FIELDS}
    expires = merged["resale_certificate_expires"]
    return check_tax_identity(
        country,
        vat_number=_text(merged["vat_number"]),
        resale_certificate_number=_text(merged["resale_certificate_number"]),
        resale_certificate_state=_text(merged["resale_certificate_state"]),
        resale_certificate_expires=expires if isinstance(expires, date) else None,
        today=today or today_utc(),
        on_file=on_file,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def set_tax_identity(
    session: Session,
    company_id: int,
    *,
    vat_number: str | None,
    resale_certificate_number: str | None,
    resale_certificate_state: str | None,
    resale_certificate_expires: date | None,
    actor: Principal | None,
    actor_label: str = "",
    today: date | None = None,
) -> Company:
    """Replace the company's tax identity (None or empty clears a part).

    Every problem at once as a 422 (``invalid_vat_number``, ``vat_country_mismatch``,
    ``unsupported_vat_country``, ``invalid_resale_certificate``, ``invalid_resale_state``,
    ``resale_certificate_incomplete``, ``resale_certificate_expired``). The change is
    audited as an update of the company (only the fields that changed)."""
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("company", "unknown_company")
    identity, errors = checked_changes(
        company,
        {
            "vat_number": vat_number,
            "resale_certificate_number": resale_certificate_number,
            "resale_certificate_state": resale_certificate_state,
            "resale_certificate_expires": resale_certificate_expires,
        },
        country=company.country,
        today=today,
    )
    if errors:
        raise DomainError(errors)
    before = tax_identity_of(company).fields()
    for name, value in identity.fields().items():
        setattr(company, name, value)
    session.flush()
    audit.record(
        session,
        actor,
        entity="company",
        entity_id=str(company.id),
        action="updated",
        before=before,
        after=identity.fields(),
        company_id=company.id,
        actor_label=actor_label,
    )
    return company


def tax_status_of(
    company: Company, *, today: date | None = None, warn_within_days: int = EXPIRY_WARNING_DAYS
) -> TaxStatus:
    """The company's tax identity as pages and the CLI show it (with the expiry warning)."""
    return tax_status(
        tax_identity_of(company),
        company.country,
        today=today or today_utc(),
        warn_within_days=warn_within_days,
    )


def resale_certificate_expired(company: Company, *, today: date | None = None) -> bool:
    return resale_expired(company.resale_certificate_expires, today or today_utc())
