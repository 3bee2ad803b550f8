"""Pure rules for compliance documents: markets, kinds, files, dates, who sees what."""

from __future__ import annotations

from datetime import date

from microbag.accounts.policies import STAFF_CATALOG_ROLES
from microbag.accounts.principal import Principal
from microbag.buyers.policies import REGIONS as BUYER_REGIONS
from microbag.errors import ErrorItem
from microbag.quotes.policies import magic_matches, normalize_content_type, sanitize_filename

ALL = "all"
# Markets a document is for: a buyer region, or every market.
REGIONS: tuple[str, ...] = (ALL, *(r for r in BUYER_REGIONS if r != "other"))
KINDS: tuple[str, ...] = (
    "test_report",
    "declaration_of_conformity",
    "prop65_warning",
    "reach_svhc",
    "cpsia",
    "care_label",
    "material_certificate",
)
KIND_NAMES: dict[str, str] = {
    "test_report": "Test report",
    "declaration_of_conformity": "Declaration of conformity",
    "prop65_warning": "Prop 65 warning",
    "reach_svhc": "REACH SVHC",
    "cpsia": "CPSIA",
    "care_label": "Care label",
    "material_certificate": "Material certificate",
}
# PDF and images only (checked by content, not by the name or declared type).
DOCUMENT_TYPES: dict[str, str] = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}
MAX_BYTES = 10 * 1024 * 1024
MAX_TITLE_CHARS = 200

__all__ = ["normalize_content_type", "sanitize_filename"]


def may_manage(principal: Principal) -> bool:
    """Upload and delete: staff who may change the catalog."""
    return principal.is_staff and principal.role in STAFF_CATALOG_ROLES


def applies_to(document_region: str, company_region: str | None) -> bool:
    """A document for ``all`` applies everywhere; else only to its own market."""
    return document_region == ALL or (
        company_region is not None and document_region == company_region
    )


def regions_for(company_region: str | None) -> tuple[str, ...]:
    """The document regions a company of ``company_region`` sees."""
    if company_region is None or company_region not in REGIONS:
        return (ALL,)
    return (ALL, company_region)


def is_expired(valid_until: date | None, today: date) -> bool:
    return valid_until is not None and valid_until < today


def validate_fields(
    region: str, kind: str, title: str, issued_on: date | None, valid_until: date | None
) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    if region not in REGIONS:
        errors.append(
            ErrorItem(
                "unknown_region",
                f"market {region!r} does not exist; use one of {', '.join(REGIONS)}",
                field="region",
            )
        )
    if kind not in KINDS:
        errors.append(
            ErrorItem(
                "unknown_kind",
                f"kind {kind!r} does not exist; use one of {', '.join(KINDS)}",
                field="kind",
            )
        )
    if not title.strip():
        errors.append(ErrorItem("invalid_title", "the document needs a title", field="title"))
    elif len(title) > MAX_TITLE_CHARS:
        errors.append(
            ErrorItem(
                "invalid_title",
                f"the title may be at most {MAX_TITLE_CHARS} characters",
                field="title",
            )
        )
    if issued_on is not None and valid_until is not None and valid_until < issued_on:
        errors.append(
            ErrorItem(
                "invalid_validity",
                "the valid-until date cannot be before the issue date",
                field="valid_until",
            )
        )
    return errors


def validate_file(content_type: str, data: bytes, max_bytes: int = MAX_BYTES) -> ErrorItem | None:
    """The problem with an uploaded file (status 413 when too large, else 422), or None."""
    if len(data) > max_bytes:
        return ErrorItem(
            "document_too_large",
            f"documents may be at most {max_bytes // (1024 * 1024)} MB",
            field="file",
        )
    if not data:
        return ErrorItem("document_empty", "the uploaded file is empty", field="file")
    if content_type not in DOCUMENT_TYPES:
        return ErrorItem(
            "document_type_not_allowed",
            f"type {content_type or 'unknown'!r} is not accepted; upload a PDF, PNG or JPEG",
            field="file",
        )
    if not magic_matches(content_type, data):
        return ErrorItem(
            "document_type_mismatch", f"the file's content is not {content_type}", field="file"
        )
    return None
