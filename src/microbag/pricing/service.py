"""Pricing use cases: which price list applies to a company, the terms per SKU, and the
staff's administration of price lists and their items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from sqlalchemy import ColumnElement, ScalarSelect, bindparam, case, func, select
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit import service as audit
from microbag.buyers.models import Company
from microbag.buyers.policies import SEGMENTS
from microbag.catalog.models import Sku
from microbag.errors import Conflict, DomainError, ErrorItem, NotFound
from microbag.money import is_currency
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.pricing.policies import SkuTerms, Tier, validate_terms


def chosen_price_list_id() -> ScalarSelect[int]:
    """The id of the price list that applies to a company, as a subquery correlated to
    ``companies`` in the enclosing query: the company's own active list in its currency,
    else its segment's, else the default (NULL when none applies).

    The one definition of the rule: ``price_list_for_company`` uses it, and so does
    order placement's single read of the company with its list.
    """
    return (
        select(PriceList.id)
        .where(
            PriceList.is_active.is_(True),
            PriceList.currency == Company.currency,
            (PriceList.company_id == Company.id)
            | (PriceList.company_id.is_(None) & (PriceList.segment == Company.segment))
            | (PriceList.company_id.is_(None) & PriceList.segment.is_(None)),
        )
        .order_by(
            case(
                (PriceList.company_id.is_not(None), 0),
                (PriceList.segment.is_not(None), 1),
                else_=2,
            ),
            PriceList.id,
        )
        .limit(1)
        .correlate(Company)
        .scalar_subquery()
    )


_price_list_for_company = (
    select(PriceList)
    .join(Company, PriceList.id == chosen_price_list_id())
    .where(Company.id == bindparam("company_id"))
)


def price_list_for_company(session: Session, company: Company) -> PriceList | None:
    """The company's own list, else its segment's, else the default, in its currency."""
    return session.scalars(_price_list_for_company, {"company_id": company.id}).first()


def terms_for(
    session: Session, price_list: PriceList, sku_ids: Iterable[int]
) -> dict[int, SkuTerms]:
    """MOQ, case pack and tiers per SKU on one list; SKUs not on the list are absent."""
    ids = list(set(sku_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            PriceListItem.id,
            PriceListItem.sku_id,
            Sku.code,
            PriceListItem.moq,
            PriceListItem.case_pack,
            PriceTier.min_quantity,
            PriceTier.unit_price_minor,
        )
        .join(Sku, Sku.id == PriceListItem.sku_id)
        .join(PriceTier, PriceTier.item_id == PriceListItem.id)
        .where(PriceListItem.price_list_id == price_list.id, PriceListItem.sku_id.in_(ids))
        .order_by(PriceListItem.sku_id, PriceTier.min_quantity)
    )
    grouped: dict[int, tuple[str, int, int, list[Tier]]] = {}
    for _item_id, sku_id, code, moq, case_pack, min_q, price in rows:
        entry = grouped.setdefault(sku_id, (code, moq, case_pack, []))
        entry[3].append(Tier(min_q, price))
    return {
        sku_id: SkuTerms(sku_id, code, price_list.currency, moq, case_pack, tuple(tiers))
        for sku_id, (code, moq, case_pack, tiers) in grouped.items()
    }


# ---- price list administration (staff use cases) ------------------------------------------------

# Fields a price list update may change.
PRICE_LIST_FIELDS = frozenset(
    {"name", "currency", "company_id", "segment", "min_order_value_minor", "is_active"}
)


def sku_id_for_code(session: Session, code: str) -> int:
    sku_id = session.scalar(select(Sku.id).where(Sku.code == code))
    if sku_id is None:
        raise NotFound(f"SKU {code!r}", "unknown_sku")
    return int(sku_id)


def get_price_list(session: Session, price_list_id: int) -> PriceList:
    price_list = session.get(PriceList, price_list_id)
    if price_list is None:
        raise NotFound("price list", "unknown_price_list")
    return price_list


def assignment_of(price_list: PriceList) -> Literal["company", "segment", "default"]:
    if price_list.company_id is not None:
        return "company"
    return "segment" if price_list.segment is not None else "default"


def list_price_lists(
    session: Session,
    *,
    currency: str | None = None,
    company_id: int | None = None,
    segment: str | None = None,
    active: bool | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[PriceList], int]:
    conditions: list[ColumnElement[bool]] = []
    if currency:
        conditions.append(PriceList.currency == currency)
    if company_id is not None:
        conditions.append(PriceList.company_id == company_id)
    if segment:
        conditions.append(PriceList.segment == segment)
    if active is not None:
        conditions.append(PriceList.is_active.is_(active))
    total = session.scalar(select(func.count()).select_from(PriceList).where(*conditions)) or 0
    rows = session.scalars(
        select(PriceList)
        .where(*conditions)
        .order_by(PriceList.currency, PriceList.name)
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total)


def item_counts(session: Session, price_list_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(price_list_ids))
    counts = dict.fromkeys(ids, 0)
    if ids:
        rows = session.execute(
            select(PriceListItem.price_list_id, func.count())
            .where(PriceListItem.price_list_id.in_(ids))
            .group_by(PriceListItem.price_list_id)
        )
        for price_list_id, count in rows:
            counts[price_list_id] = int(count)
    return counts


def _list_errors(
    session: Session, currency: str, company_id: int | None, segment: str | None
) -> list[ErrorItem]:
    """Every broken rule of a list's currency and assignment."""
    errors: list[ErrorItem] = []
    if not is_currency(currency):
        errors.append(
            ErrorItem(
                "unknown_currency",
                f"{currency!r} is not an ISO 4217 currency code",
                field="currency",
            )
        )
    if company_id is not None and segment is not None:
        errors.append(
            ErrorItem(
                "ambiguous_assignment",
                "a price list is assigned to a company or to a segment, not both",
            )
        )
    if segment is not None and segment not in SEGMENTS:
        errors.append(
            ErrorItem("unknown_segment", f"segment {segment!r} does not exist", field="segment")
        )
    if company_id is not None:
        company = session.get(Company, company_id)
        if company is None:
            errors.append(
                ErrorItem(
                    "unknown_company", f"company {company_id} does not exist", field="company_id"
                )
            )
        elif company.currency != currency:
            # price_list_for_company only looks at lists in the company's currency.
            errors.append(
                ErrorItem(
                    "currency_mismatch",
                    f"the company buys in {company.currency}; its list cannot be in {currency}",
                    field="currency",
                )
            )
    return errors


def _check_unique(
    session: Session,
    *,
    name: str,
    currency: str,
    company_id: int | None,
    segment: str | None,
    is_active: bool,
    exclude_id: int | None = None,
) -> None:
    """Names are unique; at most one active list per assignment and currency."""
    others = select(PriceList.id).where(PriceList.id != (exclude_id or 0))
    if session.scalar(others.where(PriceList.name == name)) is not None:
        raise Conflict("price_list_name_taken", f"a price list named {name!r} exists")
    if not is_active:
        return
    same = others.where(
        PriceList.is_active.is_(True),
        PriceList.currency == currency,
        PriceList.company_id.is_(None)
        if company_id is None
        else PriceList.company_id == company_id,
        PriceList.segment.is_(None) if segment is None else PriceList.segment == segment,
    )
    existing = session.scalar(same)
    if existing is not None:
        raise Conflict(
            "duplicate_assignment",
            f"price list {existing} is already active for this assignment in {currency}",
        )


def create_price_list(
    session: Session,
    *,
    name: str,
    currency: str,
    company_id: int | None = None,
    segment: str | None = None,
    min_order_value_minor: int = 0,
    is_active: bool = True,
    actor: Principal | None = None,
    actor_label: str = "",
) -> PriceList:
    """A list for a company, or a segment, or (neither) the default for its currency."""
    errors = _list_errors(session, currency, company_id, segment)
    if min_order_value_minor < 0:
        errors.append(ErrorItem("negative_minimum", "the minimum order value cannot be negative"))
    if errors:
        raise DomainError(errors)
    _check_unique(
        session,
        name=name,
        currency=currency,
        company_id=company_id,
        segment=segment,
        is_active=is_active,
    )
    price_list = PriceList(
        name=name,
        currency=currency,
        company_id=company_id,
        segment=segment,
        min_order_value_minor=min_order_value_minor,
        is_active=is_active,
    )
    session.add(price_list)
    session.flush()
    audit.record(
        session,
        actor,
        entity="price_list",
        entity_id=str(price_list.id),
        action="created",
        before=None,
        after=_list_fields(price_list),
        company_id=price_list.company_id,
        actor_label=actor_label,
    )
    return price_list


def _list_fields(price_list: PriceList) -> dict[str, object]:
    """A list's fields as the audit log compares them."""
    return {
        "name": price_list.name,
        "currency": price_list.currency,
        "company_id": price_list.company_id,
        "segment": price_list.segment,
        "min_order_value_minor": price_list.min_order_value_minor,
        "is_active": price_list.is_active,
    }


def _item_fields(item: PriceListItem) -> dict[str, object]:
    """An item's terms as the audit log compares them (tiers as [quantity, price] pairs)."""
    return {
        "moq": item.moq,
        "case_pack": item.case_pack,
        "tiers": [[t.min_quantity, t.unit_price_minor] for t in item.tiers],
    }


def update_price_list(
    session: Session,
    price_list_id: int,
    changes: Mapping[str, Any],
    *,
    actor: Principal | None = None,
    actor_label: str = "",
) -> PriceList:
    """Apply the given fields. Giving company_id or segment (even None) replaces the
    assignment as a whole; None for the other fields means unchanged."""
    unknown = set(changes) - PRICE_LIST_FIELDS
    if unknown:
        raise DomainError.single("invalid_input", f"unknown fields: {', '.join(sorted(unknown))}")
    price_list = get_price_list(session, price_list_id)
    name = changes.get("name") or price_list.name
    currency = changes.get("currency") or price_list.currency
    if "company_id" in changes or "segment" in changes:
        company_id, segment = changes.get("company_id"), changes.get("segment")
    else:
        company_id, segment = price_list.company_id, price_list.segment
    minimum = changes.get("min_order_value_minor")
    if minimum is None:
        minimum = price_list.min_order_value_minor
    is_active = changes.get("is_active")
    if is_active is None:
        is_active = price_list.is_active
    errors = _list_errors(session, currency, company_id, segment)
    if minimum < 0:
        errors.append(ErrorItem("negative_minimum", "the minimum order value cannot be negative"))
    if errors:
        raise DomainError(errors)
    if currency != price_list.currency and item_counts(session, [price_list.id])[price_list.id]:
        raise Conflict(
            "currency_locked",
            "the currency of a list with items cannot change (its prices are in that currency)",
        )
    _check_unique(
        session,
        name=name,
        currency=currency,
        company_id=company_id,
        segment=segment,
        is_active=is_active,
        exclude_id=price_list.id,
    )
    before, old_company_id = _list_fields(price_list), price_list.company_id
    price_list.name = name
    price_list.currency = currency
    price_list.company_id = company_id
    price_list.segment = segment
    price_list.min_order_value_minor = minimum
    price_list.is_active = is_active
    session.flush()
    audit.record(
        session,
        actor,
        entity="price_list",
        entity_id=str(price_list.id),
        action="updated",
        before=before,
        after=_list_fields(price_list),
        # A list moved to another company concerns the new one (the entry names the old).
        company_id=price_list.company_id or old_company_id,
        actor_label=actor_label,
    )
    return price_list


# ---- per-SKU terms on a list ---------------------------------------------------------------


def list_items(
    session: Session,
    price_list_id: int,
    *,
    sku: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[tuple[str, PriceListItem]], int]:
    """(SKU code, item with its tiers) on one list, by SKU code."""
    get_price_list(session, price_list_id)
    conditions: list[ColumnElement[bool]] = [PriceListItem.price_list_id == price_list_id]
    if sku:
        conditions.append(Sku.code == sku)
    base = select(PriceListItem).join(Sku, Sku.id == PriceListItem.sku_id).where(*conditions)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(
        select(Sku.code, PriceListItem)
        .join(Sku, Sku.id == PriceListItem.sku_id)
        .where(*conditions)
        .order_by(Sku.code)
        .offset(offset)
        .limit(limit)
    )
    return [(code, item) for code, item in rows], int(total)


def set_item_terms(
    session: Session,
    price_list_id: int,
    sku_code: str,
    *,
    moq: int,
    case_pack: int,
    tiers: Sequence[Tier],
    actor: Principal | None = None,
    actor_label: str = "",
) -> PriceListItem:
    """Create or replace a SKU's terms on a list; every broken invariant is reported (422)."""
    price_list = get_price_list(session, price_list_id)
    sku_id = sku_id_for_code(session, sku_code)
    errors = validate_terms(moq, case_pack, tiers)
    if errors:
        raise DomainError(errors)
    item = session.scalars(
        select(PriceListItem).where(
            PriceListItem.price_list_id == price_list.id, PriceListItem.sku_id == sku_id
        )
    ).first()
    before = None if item is None else _item_fields(item)
    if item is None:
        item = PriceListItem(price_list_id=price_list.id, sku_id=sku_id)
        session.add(item)
    else:
        # Delete the old tiers before inserting new ones with possibly the same breaks.
        item.tiers.clear()
        session.flush()
    item.moq = moq
    item.case_pack = case_pack
    item.tiers.extend(
        PriceTier(min_quantity=t.min_quantity, unit_price_minor=t.unit_price_minor)
        for t in sorted(tiers)
    )
    session.flush()
    audit.record(
        session,
        actor,
        entity="price_list_item",
        entity_id=f"{price_list.id}:{sku_code}",
        action="created" if before is None else "updated",
        before=before,
        after=_item_fields(item),
        company_id=price_list.company_id,
        actor_label=actor_label,
    )
    return item


def remove_item(
    session: Session,
    price_list_id: int,
    sku_code: str,
    *,
    actor: Principal | None = None,
    actor_label: str = "",
) -> None:
    """Take a SKU off a list (buyers of that list can no longer order it)."""
    price_list = get_price_list(session, price_list_id)
    sku_id = sku_id_for_code(session, sku_code)
    item = session.scalars(
        select(PriceListItem).where(
            PriceListItem.price_list_id == price_list_id, PriceListItem.sku_id == sku_id
        )
    ).first()
    if item is None:
        raise NotFound(f"SKU {sku_code!r} on this price list", "unknown_item")
    audit.record(
        session,
        actor,
        entity="price_list_item",
        entity_id=f"{price_list_id}:{sku_code}",
        action="deleted",
        before=_item_fields(item),
        after=None,
        company_id=price_list.company_id,
        actor_label=actor_label,
    )
    session.delete(item)
    session.flush()


def effective_price_list(session: Session, company_id: int) -> PriceList:
    """The list that prices the company's orders, or 404 ``no_price_list``."""
    company = session.get(Company, company_id)
    price_list = price_list_for_company(session, company) if company is not None else None
    if price_list is None:
        raise NotFound("price list", "no_price_list")
    return price_list


def listed_sku_ids(session: Session, price_list_id: int) -> list[int]:
    """Every SKU on a list (ids), for callers that then ask ``terms_for`` about them."""
    return list(
        session.scalars(
            select(PriceListItem.sku_id).where(PriceListItem.price_list_id == price_list_id)
        )
    )
