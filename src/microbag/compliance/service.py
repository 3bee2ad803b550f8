"""Compliance document use cases. Functions take a Session and never commit.

Buyers see the documents of the SKUs they may see (active SKUs of active styles)
whose market is their company's region or ``all``; any other document does not
exist for them (404). Staff see all; catalog staff upload and delete.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, undefer

from microbag.accounts.principal import Principal
from microbag.buyers.models import Company
from microbag.catalog.models import Sku, Style
from microbag.compliance import policies
from microbag.compliance.models import ComplianceDocument
from microbag.compliance.schemas import ComplianceDocumentOut
from microbag.errors import DomainError, ErrorItem, Forbidden, NotFound
from microbag.timeutil import utcnow

_MAX_ID = 2**31 - 1


def today_utc() -> date:
    return utcnow().date()


def _company_region(session: Session, principal: Principal) -> str | None:
    if principal.company_id is None:
        return None
    return session.scalar(select(Company.region).where(Company.id == principal.company_id))


def _sku_visible(sku: Sku, principal: Principal) -> bool:
    return principal.is_staff or (sku.lifecycle == "active" and sku.style.lifecycle == "active")


def out(
    doc: ComplianceDocument, sku_code: str | None, today: date | None = None
) -> ComplianceDocumentOut:
    return ComplianceDocumentOut(
        id=doc.id,
        style_id=doc.style_id,
        sku=sku_code,
        region=doc.region,
        kind=doc.kind,
        title=doc.title,
        filename=doc.filename,
        content_type=doc.content_type,
        size_bytes=doc.size_bytes,
        issued_on=doc.issued_on,
        valid_until=doc.valid_until,
        expired=policies.is_expired(doc.valid_until, today or today_utc()),
        created_at=doc.created_at,
        download_url=f"/api/v1/compliance-documents/{doc.id}",
    )


def add_document(
    session: Session,
    principal: Principal,
    *,
    style_id: int | None = None,
    sku_code: str | None = None,
    region: str,
    kind: str,
    title: str,
    filename: str | None,
    content_type: str | None,
    data: bytes,
    issued_on: date | None = None,
    valid_until: date | None = None,
) -> ComplianceDocument:
    """Attach a document to a style (all its SKUs) or to one SKU, for a market."""
    if not policies.may_manage(principal):
        raise Forbidden("only catalog staff may upload compliance documents")
    title = title.strip()
    errors = policies.validate_fields(region, kind, title, issued_on, valid_until)
    if (style_id is None) == (sku_code is None):
        errors.append(
            ErrorItem(
                "invalid_target", "attach the document to a style or to one SKU", field="target"
            )
        )
    ctype = policies.normalize_content_type(content_type)
    problem = policies.validate_file(ctype, data)
    if problem is not None and problem.code == "document_too_large":
        raise DomainError(problem, 413)
    if problem is not None:
        errors.append(problem)
    if errors:
        raise DomainError(errors)
    sku_id: int | None = None
    if sku_code is not None:
        sku_id = session.scalar(select(Sku.id).where(Sku.code == sku_code))
        if sku_id is None:
            raise NotFound(f"SKU {sku_code!r}", "unknown_sku")
    elif style_id is None or not 1 <= style_id <= _MAX_ID or session.get(Style, style_id) is None:
        raise NotFound("style", "unknown_style")
    doc = ComplianceDocument(
        style_id=style_id if sku_id is None else None,
        sku_id=sku_id,
        region=region,
        kind=kind,
        title=title,
        filename=policies.sanitize_filename(filename, ctype),
        content_type=ctype,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        issued_on=issued_on,
        valid_until=valid_until,
    )
    session.add(doc)
    session.flush()
    return doc


def _ordered(stmt: Select[Any]) -> Select[Any]:
    return stmt.order_by(
        ComplianceDocument.region, ComplianceDocument.kind, ComplianceDocument.title
    )


def documents_for_sku(
    session: Session, principal: Principal, code: str, *, today: date | None = None
) -> list[ComplianceDocumentOut]:
    """The SKU's own documents and its style's: a buyer's only for their market (and all)."""
    sku = session.scalar(select(Sku).where(Sku.code == code))
    if sku is None or not _sku_visible(sku, principal):
        raise NotFound("SKU", "unknown_sku")
    stmt = select(ComplianceDocument).where(
        or_(ComplianceDocument.sku_id == sku.id, ComplianceDocument.style_id == sku.style_id)
    )
    if not principal.is_staff:
        regions = policies.regions_for(_company_region(session, principal))
        stmt = stmt.where(ComplianceDocument.region.in_(regions))
    docs = session.scalars(_ordered(stmt))
    return [out(d, code if d.sku_id else None, today) for d in docs]


def documents_for_style(
    session: Session, style_id: int, *, today: date | None = None
) -> list[ComplianceDocumentOut]:
    """Staff: every document of the style and of each of its SKUs."""
    codes = dict(session.execute(select(Sku.id, Sku.code).where(Sku.style_id == style_id)).all())
    stmt = select(ComplianceDocument).where(
        or_(ComplianceDocument.style_id == style_id, ComplianceDocument.sku_id.in_(list(codes)))
    )
    docs = session.scalars(_ordered(stmt))
    return [out(d, codes.get(d.sku_id) if d.sku_id else None, today) for d in docs]


def get_document(session: Session, principal: Principal, document_id: int) -> ComplianceDocument:
    """A document with its bytes, if the caller may see it (else 404)."""
    if not 1 <= document_id <= _MAX_ID:
        raise NotFound("document")
    doc = session.scalar(
        select(ComplianceDocument)
        .options(undefer(ComplianceDocument.data))
        .where(ComplianceDocument.id == document_id)
    )
    if doc is None:
        raise NotFound("document")
    if principal.is_staff:
        return doc
    if not policies.applies_to(doc.region, _company_region(session, principal)):
        raise NotFound("document")
    if doc.sku_id is not None:
        sku = session.get(Sku, doc.sku_id)
        visible = sku is not None and _sku_visible(sku, principal)
    else:
        # A style's document: the style must be on sale with at least one SKU on sale.
        visible = (
            session.scalar(
                select(Sku.id)
                .join(Style, Style.id == Sku.style_id)
                .where(
                    Style.id == doc.style_id, Style.lifecycle == "active", Sku.lifecycle == "active"
                )
                .limit(1)
            )
            is not None
        )
    if not visible:
        raise NotFound("document")
    return doc


def sku_code_of(session: Session, doc: ComplianceDocument) -> str | None:
    if doc.sku_id is None:
        return None
    return session.scalar(select(Sku.code).where(Sku.id == doc.sku_id))


def delete_document(
    session: Session, principal: Principal, document_id: int
) -> tuple[int | None, str | None]:
    """Remove a document; returns where it was attached (style id, SKU code)."""
    if not policies.may_manage(principal):
        raise Forbidden("only catalog staff may delete compliance documents")
    if not 1 <= document_id <= _MAX_ID:
        raise NotFound("document")
    doc = session.get(ComplianceDocument, document_id)
    if doc is None:
        raise NotFound("document")
    where = (doc.style_id, sku_code_of(session, doc))
    session.delete(doc)
    session.flush()
    return where


def market_documents(
    session: Session, sku_ids: Iterable[int], company_region: str | None
) -> dict[int, list[tuple[str, str, date | None]]]:
    """Per SKU, (kind, title, valid_until) of its own and its style's documents for a
    market (the company's region and ``all``): what deciding "may it be sold there" reads."""
    ids = sorted(set(sku_ids))
    if not ids:
        return {}
    regions = policies.regions_for(company_region)
    own = select(
        Sku.id, ComplianceDocument.kind, ComplianceDocument.title, ComplianceDocument.valid_until
    ).join(ComplianceDocument, ComplianceDocument.sku_id == Sku.id)
    styles = select(
        Sku.id, ComplianceDocument.kind, ComplianceDocument.title, ComplianceDocument.valid_until
    ).join(ComplianceDocument, ComplianceDocument.style_id == Sku.style_id)
    out: dict[int, list[tuple[str, str, date | None]]] = {}
    for stmt in (own, styles):
        rows = session.execute(stmt.where(Sku.id.in_(ids), ComplianceDocument.region.in_(regions)))
        for sku_id, kind, title, valid_until in rows:
            out.setdefault(int(sku_id), []).append((kind, title, valid_until))
    return out
