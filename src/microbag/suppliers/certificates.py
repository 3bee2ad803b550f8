"""Supplier certifications and audit reports: add (file optional, checked like compliance
documents), list, file, delete, per-supplier summaries and expiry warnings. Never commits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from microbag.compliance import policies as files
from microbag.config import get_settings
from microbag.errors import DomainError, NotFound
from microbag.suppliers import policies
from microbag.suppliers.models import Supplier, SupplierCertificate


@dataclass(frozen=True)
class CertificateSummary:
    valid: int
    expiring: int
    expired: int
    kinds: tuple[str, ...]  # kinds with a certificate in force (valid or expiring), sorted


@dataclass(frozen=True)
class ExpiringCertificate:
    certificate_id: int
    supplier_id: int
    supplier_code: str
    supplier_name: str
    kind: str
    valid_until: date
    status: str  # expiring | expired
    days_left: int  # negative once expired


def status_of(certificate: SupplierCertificate, today: date) -> str:
    return policies.certificate_status(
        certificate.valid_until, today, get_settings().certificate_warning_days
    )


def add_certificate(
    session: Session,
    supplier_id: int,
    *,
    kind: str,
    issuer: str = "",
    reference: str = "",
    issued_on: date | None = None,
    valid_until: date | None = None,
    filename: str | None = None,
    content_type: str | None = None,
    data: bytes | None = None,
) -> SupplierCertificate:
    """Record a certificate; a file (PDF, PNG or JPEG, at most 10 MB) is checked by its
    content like a compliance document: too large is 413, a wrong type 422."""
    if session.get(Supplier, supplier_id) is None:
        raise NotFound("supplier", "unknown_supplier")
    issuer, reference = issuer.strip(), reference.strip()
    errors = policies.validate_certificate(kind, issuer, reference, issued_on, valid_until)
    ctype: str | None = None
    if data is not None:
        ctype = files.normalize_content_type(content_type)
        problem = files.validate_file(ctype, data, policies.MAX_CERTIFICATE_BYTES)
        if problem is not None and problem.code == "document_too_large":
            raise DomainError(problem, 413)
        if problem is not None:
            errors.append(problem)
    if errors:
        raise DomainError(errors)
    certificate = SupplierCertificate(
        supplier_id=supplier_id,
        kind=kind,
        issuer=issuer,
        reference=reference,
        issued_on=issued_on,
        valid_until=valid_until,
    )
    if data is not None and ctype is not None:
        certificate.filename = files.sanitize_filename(filename, ctype)
        certificate.content_type = ctype
        certificate.size_bytes = len(data)
        certificate.sha256 = hashlib.sha256(data).hexdigest()
        certificate.data = data
    session.add(certificate)
    session.flush()
    return certificate


def list_certificates(session: Session, supplier_id: int) -> list[SupplierCertificate]:
    """A supplier's certificates, the soonest to expire first (open-ended last)."""
    if session.get(Supplier, supplier_id) is None:
        raise NotFound("supplier", "unknown_supplier")
    rows = session.scalars(
        select(SupplierCertificate).where(SupplierCertificate.supplier_id == supplier_id)
    )
    return sorted(rows, key=lambda c: (c.valid_until is None, c.valid_until or date.max, c.id))


def get_certificate(
    session: Session, certificate_id: int, *, with_file: bool = False
) -> SupplierCertificate:
    query = select(SupplierCertificate).where(SupplierCertificate.id == certificate_id)
    if with_file:
        query = query.options(undefer(SupplierCertificate.data))
    certificate = session.scalars(query).first()
    if certificate is None:
        raise NotFound("certificate", "unknown_certificate")
    return certificate


def certificate_file(session: Session, certificate_id: int) -> tuple[bytes, str, str]:
    """(data, filename, content type); 404 certificate_file_missing when none was given."""
    certificate = get_certificate(session, certificate_id, with_file=True)
    if certificate.data is None or not certificate.filename or not certificate.content_type:
        raise NotFound("certificate file", "certificate_file_missing")
    return certificate.data, certificate.filename, certificate.content_type


def delete_certificate(session: Session, certificate_id: int) -> int:
    """Delete it; returns its supplier's id."""
    certificate = get_certificate(session, certificate_id)
    supplier_id = certificate.supplier_id
    session.delete(certificate)
    session.flush()
    return supplier_id


def certificate_summaries(
    session: Session, supplier_ids: Iterable[int], today: date
) -> dict[int, CertificateSummary]:
    """Per supplier (every id asked for): counts by status and the kinds in force."""
    ids = sorted(set(supplier_ids))
    counts: dict[int, dict[str, int]] = {
        i: dict.fromkeys(policies.CERTIFICATE_STATUSES, 0) for i in ids
    }
    kinds: dict[int, set[str]] = {i: set() for i in ids}
    warning = get_settings().certificate_warning_days
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(
                SupplierCertificate.supplier_id,
                SupplierCertificate.kind,
                SupplierCertificate.valid_until,
            ).where(SupplierCertificate.supplier_id.in_(chunk))
        )
        for supplier_id, kind, valid_until in rows:
            status = policies.certificate_status(valid_until, today, warning)
            counts[supplier_id][status] += 1
            if status != "expired":
                kinds[supplier_id].add(kind)
    return {
        i: CertificateSummary(
            valid=counts[i]["valid"],
            expiring=counts[i]["expiring"],
            expired=counts[i]["expired"],
            kinds=tuple(sorted(kinds[i])),
        )
        for i in ids
    }


def expiring_certificates(
    session: Session, today: date, *, include_expired: bool = True, active_only: bool = True
) -> list[ExpiringCertificate]:
    """Certificates expiring within settings.certificate_warning_days (and, unless told
    otherwise, those already expired), of active suppliers, soonest first."""
    warning = get_settings().certificate_warning_days
    query = (
        select(SupplierCertificate, Supplier)
        .join(Supplier, Supplier.id == SupplierCertificate.supplier_id)
        .where(SupplierCertificate.valid_until.is_not(None))
        .order_by(SupplierCertificate.valid_until, SupplierCertificate.id)
    )
    if active_only:
        query = query.where(Supplier.active.is_(True))
    out: list[ExpiringCertificate] = []
    for certificate, supplier in session.execute(query):
        assert certificate.valid_until is not None  # noqa: S101 - filtered in the query
        status = policies.certificate_status(certificate.valid_until, today, warning)
        if status == "valid" or (status == "expired" and not include_expired):
            continue
        out.append(
            ExpiringCertificate(
                certificate_id=certificate.id,
                supplier_id=supplier.id,
                supplier_code=supplier.code,
                supplier_name=supplier.name,
                kind=certificate.kind,
                valid_until=certificate.valid_until,
                status=status,
                days_left=(certificate.valid_until - today).days,
            )
        )
    return out
