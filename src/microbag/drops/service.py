"""Drop use cases: staff create, edit, open and close drops; eligible buyers request,
change and withdraw quantities before the embargo. (The allocation at the drop is
``drops.allocation``.) Services never commit; the caller's unit of work does.

A drop is not owned by a company, but a buyer's company that is not eligible for it
(or a draft) gets 404, as if it did not exist; requests are always the caller's
company's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.buyers import policies as buyer_rules
from microbag.buyers import service as buyers
from microbag.catalog import service as catalog
from microbag.drops import policies
from microbag.drops.models import Drop, DropAllocation, DropRequest, DropSku
from microbag.drops.schemas import DropIn, DropPatch, DropSkuIn, RequestLineIn
from microbag.errors import DomainError, ErrorItem, Forbidden, NotFound
from microbag.money import is_currency
from microbag.pricing import service as pricing
from microbag.timeutil import as_utc, utcnow


def _require_manager(principal: Principal) -> None:
    if not principal.is_staff or principal.role not in policies.MANAGE_ROLES:
        raise Forbidden("only admins and merchandisers manage drops")


# ---- reading -----------------------------------------------------------------------------------


def _eligible(company: Any, drop: Drop) -> bool:
    return policies.is_eligible(
        company_id=company.id,
        segment=company.segment,
        region=company.region,
        segments=drop.segments or [],
        regions=drop.regions or [],
        company_ids=[int(c) for c in drop.company_ids or []],
    )


def get_drop(session: Session, principal: Principal, drop_id: int, *, lock: bool = False) -> Drop:
    """One drop; a buyer sees it only when it is published (not a draft) and its company
    is eligible (else NotFound, as for a missing drop)."""
    query = select(Drop).where(Drop.id == drop_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    drop = session.scalars(query).first()
    if drop is None:
        raise NotFound("drop", "unknown_drop")
    if principal.company_id is not None:
        company = buyers.get_company(session, principal.company_id)
        if drop.status == policies.DRAFT or not _eligible(company, drop):
            raise NotFound("drop", "unknown_drop")
    return drop


def list_drops(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Drop], int]:
    """Drops, the next embargo first. Buyers: published drops their company may request
    (eligibility is checked in Python: drops are few, the rules are JSON lists)."""
    query = select(Drop).order_by(Drop.embargo_at.desc(), Drop.id.desc())
    if status is not None:
        query = query.where(Drop.status == status)
    if principal.company_id is None:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        return list(session.scalars(query.offset(offset).limit(limit))), int(total)
    company = buyers.get_company(session, principal.company_id)
    visible = [
        d
        for d in session.scalars(query.where(Drop.status != policies.DRAFT))
        if _eligible(company, d)
    ]
    return visible[offset : offset + limit], len(visible)


def company_requests(session: Session, drop_id: int, company_id: int) -> list[DropRequest]:
    return list(
        session.scalars(
            select(DropRequest)
            .where(DropRequest.drop_id == drop_id, DropRequest.company_id == company_id)
            .order_by(DropRequest.id)
        )
    )


def company_allocation(session: Session, drop_id: int, company_id: int) -> DropAllocation | None:
    return session.scalars(
        select(DropAllocation).where(
            DropAllocation.drop_id == drop_id, DropAllocation.company_id == company_id
        )
    ).first()


def all_requests(session: Session, drop_id: int) -> list[DropRequest]:
    return list(
        session.scalars(
            select(DropRequest)
            .where(DropRequest.drop_id == drop_id)
            .order_by(DropRequest.company_id, DropRequest.id)
        )
    )


def all_allocations(session: Session, drop_id: int) -> list[DropAllocation]:
    return list(
        session.scalars(
            select(DropAllocation)
            .where(DropAllocation.drop_id == drop_id)
            .order_by(DropAllocation.company_id)
        )
    )


def sku_codes_of(session: Session, drop: Drop) -> dict[int, str]:
    """drop_sku id -> SKU code."""
    return {line.id: line.sku_code for line in drop.skus}


def company_names(session: Session, company_ids: Sequence[int]) -> dict[int, str]:
    return buyers.company_names(session, company_ids)


# ---- staff: create and edit ----------------------------------------------------------------------


def _check_rules(
    segments: Sequence[str], regions: Sequence[str], currency: str | None
) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    for segment in segments:
        if segment not in buyer_rules.SEGMENTS:
            errors.append(
                ErrorItem("invalid_segment", f"unknown segment {segment!r}", field="segments")
            )
    for region in regions:
        if region not in buyer_rules.REGIONS:
            errors.append(
                ErrorItem("invalid_region", f"unknown region {region!r}", field="regions")
            )
    if currency is not None and not is_currency(currency.upper()):
        errors.append(
            ErrorItem("invalid_currency", f"unknown currency {currency!r}", field="currency")
        )
    return errors


def _default_case_pack(session: Session, sku_id: int) -> int:
    """The SKU's case pack on the first active default price list that carries it, else 1."""
    lists, _ = pricing.list_price_lists(session, active=True, limit=200)
    for price_list in lists:
        if price_list.company_id is None and price_list.segment is None:
            terms = pricing.terms_for(session, price_list, [sku_id]).get(sku_id)
            if terms is not None:
                return int(terms.case_pack)
    return 1


def _build_skus(session: Session, lines: Sequence[DropSkuIn]) -> list[DropSku]:
    errors: list[ErrorItem] = []
    built: list[DropSku] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        if line.sku in seen:
            errors.append(ErrorItem("duplicate_sku", f"{line.sku}: listed twice", n))
            continue
        seen.add(line.sku)
        try:
            sku = catalog.get_sku(session, line.sku)
        except NotFound:
            errors.append(ErrorItem("unknown_sku", f"{line.sku}: no such SKU", n))
            continue
        case_pack = line.case_pack or _default_case_pack(session, sku.id)
        cap = line.buyer_cap or line.edition_size
        if line.edition_size % case_pack:
            errors.append(
                ErrorItem(
                    "case_pack",
                    f"{line.sku}: the edition ({line.edition_size}) is not whole case packs "
                    f"of {case_pack}",
                    n,
                )
            )
        if cap % case_pack or cap > line.edition_size:
            errors.append(
                ErrorItem(
                    "invalid_cap",
                    f"{line.sku}: the buyer cap must be whole case packs of {case_pack}, "
                    f"at most the edition",
                    n,
                )
            )
        built.append(
            DropSku(
                sku_id=sku.id,
                sku_code=sku.code,
                edition_size=line.edition_size,
                buyer_cap=cap,
                case_pack=case_pack,
                unit_price_minor=line.unit_price_minor,
            )
        )
    if errors:
        raise DomainError(errors)
    return built


def create_drop(session: Session, principal: Principal, data: DropIn) -> Drop:
    _require_manager(principal)
    errors = _check_rules(data.segments, data.regions, data.currency)
    if data.embargo_at.tzinfo is None:
        errors.append(
            ErrorItem("invalid_embargo", "give the embargo with its time zone", field="embargo_at")
        )
    if errors:
        raise DomainError(errors)
    drop = Drop(
        name=data.name.strip(),
        description=data.description.strip(),
        status=policies.DRAFT,
        embargo_at=as_utc(data.embargo_at),
        segments=sorted(set(data.segments)),
        regions=sorted(set(data.regions)),
        company_ids=sorted(set(data.company_ids)),
        currency=data.currency.upper() if data.currency else None,
        created_by=principal.email,
        skus=_build_skus(session, data.skus),
    )
    _check_companies(session, drop.company_ids)
    session.add(drop)
    session.flush()
    return drop


def _check_companies(session: Session, company_ids: Sequence[int]) -> None:
    known = buyers.company_names(session, company_ids)
    missing = [c for c in company_ids if c not in known]
    if missing:
        raise DomainError(
            ErrorItem("unknown_company", f"no such company: {missing}", field="company_ids")
        )


def update_drop(session: Session, principal: Principal, drop_id: int, patch: DropPatch) -> Drop:
    """Edit a draft, or an open drop before its embargo (its SKUs only as a draft)."""
    _require_manager(principal)
    drop = get_drop(session, principal, drop_id, lock=True)
    now = utcnow()
    editable = drop.status == policies.DRAFT or (
        drop.status == policies.OPEN and now < as_utc(drop.embargo_at)
    )
    if not editable:
        raise DomainError(
            ErrorItem("drop_not_editable", f"a {drop.status} drop cannot be edited"), 409
        )
    values = patch.model_dump(exclude_unset=True)
    errors = _check_rules(
        values.get("segments") or [], values.get("regions") or [], values.get("currency")
    )
    embargo = values.get("embargo_at")
    if embargo is not None and embargo.tzinfo is None:
        errors.append(
            ErrorItem("invalid_embargo", "give the embargo with its time zone", field="embargo_at")
        )
    if "skus" in values and drop.status != policies.DRAFT:
        errors.append(
            ErrorItem(
                "drop_not_editable", "a drop's SKUs change only while it is a draft", field="skus"
            )
        )
    if errors:
        raise DomainError(errors)
    for name in ("name", "description"):
        if values.get(name) is not None:
            setattr(drop, name, str(values[name]).strip())
    if embargo is not None:
        drop.embargo_at = as_utc(embargo)
    for name in ("segments", "regions", "company_ids"):
        if values.get(name) is not None:
            setattr(drop, name, sorted(set(values[name])))
    if "company_ids" in values and values["company_ids"] is not None:
        _check_companies(session, drop.company_ids)
    if "currency" in values:
        drop.currency = values["currency"].upper() if values["currency"] else None
    if patch.skus is not None:
        drop.skus.clear()
        session.flush()
        drop.skus.extend(_build_skus(session, patch.skus))
    session.flush()
    return drop


def _check_skus_free(session: Session, drop: Drop) -> None:
    """A SKU is in one live drop at a time (the order gate reads one rule per SKU)."""
    ids = [line.sku_id for line in drop.skus]
    taken = session.execute(
        select(DropSku.sku_code, Drop.id)
        .join(Drop, Drop.id == DropSku.drop_id)
        .where(
            DropSku.sku_id.in_(ids),
            Drop.id != drop.id,
            Drop.status.in_((policies.OPEN, policies.ALLOCATED)),
        )
    ).all()
    if taken:
        raise DomainError(
            [
                ErrorItem("sku_in_other_drop", f"{code} is in drop {other} already")
                for code, other in taken
            ],
            409,
        )


def open_drop(session: Session, principal: Principal, drop_id: int) -> Drop:
    """draft -> open: eligible buyers see it and request, until the embargo."""
    _require_manager(principal)
    drop = get_drop(session, principal, drop_id, lock=True)
    target = policies.next_status("open", drop.status)
    if isinstance(target, ErrorItem):
        raise DomainError(target, 409)
    if utcnow() >= as_utc(drop.embargo_at):
        raise DomainError(
            ErrorItem("invalid_embargo", "the embargo has passed: move it first"), 409
        )
    _check_skus_free(session, drop)
    drop.status = target
    drop.opened_at = utcnow()
    session.flush()
    return drop


def close_drop(session: Session, principal: Principal, drop_id: int) -> Drop:
    """open or allocated -> closed: the drop's SKUs are ordinary SKUs again."""
    _require_manager(principal)
    drop = get_drop(session, principal, drop_id, lock=True)
    target = policies.next_status("close", drop.status)
    if isinstance(target, ErrorItem):
        raise DomainError(target, 409)
    drop.status = target
    drop.closed_at = utcnow()
    session.flush()
    return drop


# ---- buyers: requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestChange:
    sku: str
    quantity: int


def set_requests(
    session: Session,
    principal: Principal,
    drop_id: int,
    lines: Sequence[RequestLineIn],
    *,
    now: datetime | None = None,
) -> list[DropRequest]:
    """Request, change (the new quantity) or withdraw (0) SKUs of a drop for the caller's
    company, before the embargo; every broken rule at once. The drop's row lock orders
    this against the allocation: a request is either in it or refused."""
    if principal.company_id is None or principal.role not in policies.REQUEST_ROLES:
        raise Forbidden("only a buyer company's owner or buyer may request")
    now = as_utc(now or utcnow())
    drop = get_drop(session, principal, drop_id, lock=True)
    if (err := policies.check_requestable(drop.status, as_utc(drop.embargo_at), now)) is not None:
        raise DomainError(err, 409)
    by_code = {line.sku_code: line for line in drop.skus}
    errors: list[ErrorItem] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        target = by_code.get(line.sku)
        if line.sku in seen:
            errors.append(ErrorItem("duplicate_sku", f"{line.sku}: listed twice", n))
        elif target is None:
            errors.append(ErrorItem("unknown_sku", f"{line.sku}: not in this drop", n))
        else:
            errors += policies.request_errors(
                line.sku, line.quantity, case_pack=target.case_pack, cap=target.buyer_cap, line=n
            )
        seen.add(line.sku)
    if errors:
        raise DomainError(errors)
    existing = {r.drop_sku_id: r for r in company_requests(session, drop.id, principal.company_id)}
    for line in lines:
        target = by_code[line.sku]
        current = existing.get(target.id)
        if line.quantity == 0:
            if current is not None:
                session.delete(current)
        elif current is None:
            session.add(
                DropRequest(
                    drop_id=drop.id,
                    drop_sku_id=target.id,
                    company_id=principal.company_id,
                    user_id=principal.user_id,
                    quantity=line.quantity,
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            current.quantity = line.quantity
            current.user_id = principal.user_id
            current.updated_at = now
    session.flush()
    return company_requests(session, drop.id, principal.company_id)


def withdraw(
    session: Session, principal: Principal, drop_id: int, *, now: datetime | None = None
) -> None:
    """Withdraw every request of the caller's company (before the embargo)."""
    drop = get_drop(session, principal, drop_id)
    lines = [RequestLineIn(sku=line.sku_code, quantity=0) for line in drop.skus]
    set_requests(session, principal, drop_id, lines, now=now)


def company_choices(session: Session) -> list[tuple[int, str]]:
    """Active companies (id, name) to name as eligible buyers."""
    companies, _ = buyers.list_companies(session, active=True, limit=2000)
    return [(c.id, c.name) for c in companies]
