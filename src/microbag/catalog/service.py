"""Catalog use cases: styles and SKUs, their lifecycle, the listing and the SKU detail.

Functions take a Session and never commit; the caller's unit of work does.
Other packages write the catalog's tables only through this module: the history import
creates its SKUs with ``create_imported_skus`` (bulk; kept in ``imported_skus``). The
small reads other packages make ("from" prices, SKU labels, SKUs on sale) live in
``sku_reads`` and are re-exported here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.buyers.models import Company
from microbag.catalog import policies
from microbag.catalog.audit_trail import STYLE_COLUMNS, audit_change, sku_fields, style_fields
from microbag.catalog.imported_skus import ImportedSku as ImportedSku  # the history import's
from microbag.catalog.imported_skus import create_imported_skus as create_imported_skus
from microbag.catalog.imported_skus import sku_ids_by_code as sku_ids_by_code
from microbag.catalog.listing import COUNT_CAP, SkuFilters, list_page
from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.catalog.schemas import (
    DimensionsOut,
    IncomingOut,
    LimitedEditionOut,
    MoneyOut,
    OtherColorOut,
    SkuBrief,
    SkuCreate,
    SkuDetailOut,
    SkuPage,
    SkuPatch,
    SkuSummaryOut,
    StyleCreate,
    StyleDetailOut,
    StyleOut,
    StylePatch,
    StyleSummaryOut,
    TierOut,
)
from microbag.catalog.sku_reads import ActiveSku as ActiveSku  # reads of other packages
from microbag.catalog.sku_reads import SkuLabel as SkuLabel
from microbag.catalog.sku_reads import active_skus as active_skus
from microbag.catalog.sku_reads import moq_prices as moq_prices
from microbag.catalog.sku_reads import sku_labels as sku_labels
from microbag.errors import Conflict, DomainError, NotFound
from microbag.pricing.service import price_list_for_company, terms_for
from microbag.stock.service import available_by_sku, next_incoming
from microbag.timeutil import utcnow

# ---- styles -------------------------------------------------------------------------------------


def sku_search_text(style: Style, sku: Sku) -> str:
    return policies.search_text(
        sku.code, style.code, style.name, style.bag_type, sku.color, sku.material, sku.hardware
    )


def _check_style_rules(values: dict[str, Any]) -> None:
    errors = policies.dimension_errors(
        values["width_mm"], values["height_mm"], values["depth_mm"], values["weight_g"]
    )
    errors += policies.limited_edition_errors(
        values["is_limited_edition"], values["drop_date"], values["edition_size"]
    )
    if errors:
        raise DomainError(errors)


def _derive(values: dict[str, Any], holds_given: bool, phone_given: bool) -> None:
    """Fill size_class, and holds / phone_max_mm when they were not given."""
    dims = (values["width_mm"], values["height_mm"], values["depth_mm"])
    values["size_class"] = policies.size_class(*dims)
    suggested, phone_max = policies.suggest_holds(*dims)
    if not holds_given or values.get("holds") is None:
        values["holds"] = suggested
    else:
        values["holds"] = policies.canonical_holds(values["holds"])
    if not phone_given:
        values["phone_max_mm"] = phone_max if "phone" in values["holds"] else None


def _flush_unique(session: Session, code: str, what: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what}_code_taken", f"a {what} with code {code!r} exists") from exc


def create_style(
    session: Session,
    data: StyleCreate,
    *,
    actor: Principal | None = None,
    actor_label: str = "",
) -> Style:
    """A new style, as a draft; size class (and holds, unless given) come from its size."""
    if session.scalar(select(Style.id).where(Style.code == data.code)) is not None:
        raise Conflict("style_code_taken", f"a style with code {data.code!r} exists")
    values = data.model_dump(exclude={"occasions"})
    _check_style_rules(values)
    _derive(values, data.holds is not None, data.phone_max_mm is not None)
    style = Style(**values, lifecycle="draft")
    style.occasions = [StyleOccasion(occasion=o) for o in sorted(set(data.occasions))]
    session.add(style)
    _flush_unique(session, data.code, "style")
    audit_change(
        session, (actor, actor_label), "style", style.id, "created", None, style_fields(style)
    )
    return style


def get_style(session: Session, style_id: int) -> Style:
    style = session.get(Style, style_id)
    if style is None:
        raise NotFound("style")
    return style


def update_style(
    session: Session,
    style_id: int,
    patch: StylePatch,
    *,
    actor: Principal | None = None,
    actor_label: str = "",
) -> Style:
    style = get_style(session, style_id)
    before = style_fields(style)
    given = patch.model_dump(exclude_unset=True)
    occasions = given.pop("occasions", None)
    values = {c: getattr(style, c) for c in STYLE_COLUMNS} | given
    _check_style_rules(values)
    resized = any(k in given for k in ("width_mm", "height_mm", "depth_mm"))
    if resized or "holds" in given:
        _derive(values, "holds" in given, "phone_max_mm" in given)
    else:
        values["size_class"] = style.size_class
    for key, value in values.items():
        if getattr(style, key) != value:
            setattr(style, key, value)
    if occasions is not None:
        style.occasions = [StyleOccasion(occasion=o) for o in sorted(set(occasions))]
    style.updated_at = utcnow()
    if {"name", "bag_type"} & given.keys():
        session.flush()
        for sku in session.scalars(select(Sku).where(Sku.style_id == style.id)):
            sku.search_text = sku_search_text(style, sku)
    session.flush()
    audit_change(
        session, (actor, actor_label), "style", style.id, "updated", before, style_fields(style)
    )
    return style


def _set_style_lifecycle(
    session: Session, style_id: int, target: str, who: tuple[Principal | None, str]
) -> Style:
    style = get_style(session, style_id)
    before = {"lifecycle": style.lifecycle}
    error = policies.lifecycle_error(style.lifecycle, target)
    if error is not None:
        raise DomainError(error, 409)
    style.lifecycle = target
    style.updated_at = utcnow()
    session.flush()
    action = "activated" if target == "active" else target
    audit_change(session, who, "style", style.id, action, before, {"lifecycle": target})
    return style


def activate_style(
    session: Session, style_id: int, *, actor: Principal | None = None, actor_label: str = ""
) -> Style:
    """Launch (or bring back) a style; its draft SKUs go live with it."""
    style = get_style(session, style_id)
    if session.scalar(select(func.count(Sku.id)).where(Sku.style_id == style.id)) == 0:
        raise DomainError.single(
            "style_without_skus", "a style needs at least one SKU to be activated", 409
        )
    _set_style_lifecycle(session, style_id, "active", (actor, actor_label))
    session.execute(
        update(Sku)
        .where(Sku.style_id == style.id, Sku.lifecycle == "draft")
        .values(lifecycle="active")
        .execution_options(synchronize_session="fetch")
    )
    return style


def discontinue_style(
    session: Session, style_id: int, *, actor: Principal | None = None, actor_label: str = ""
) -> Style:
    """Retire a style: buyers no longer see its SKUs (their own lifecycles are kept)."""
    return _set_style_lifecycle(session, style_id, "discontinued", (actor, actor_label))


def style_out(style: Style) -> StyleOut:
    limited = (
        LimitedEditionOut(drop_date=style.drop_date, edition_size=style.edition_size)
        if style.is_limited_edition
        else None
    )
    return StyleOut(
        id=style.id,
        code=style.code,
        name=style.name,
        description=style.description,
        bag_type=style.bag_type,
        size_class=style.size_class,
        dimensions=DimensionsOut(
            width_mm=style.width_mm,
            height_mm=style.height_mm,
            depth_mm=style.depth_mm,
            weight_g=style.weight_g,
        ),
        holds=list(style.holds or []),
        phone_max_mm=style.phone_max_mm,
        lining=style.lining,
        price_tier=style.price_tier,
        season=style.season,
        occasions=style.occasion_names,
        limited_edition=limited,
        images=list(style.images or []),
        lifecycle=style.lifecycle,
        created_at=style.created_at,
        updated_at=style.updated_at,
    )


def style_detail(session: Session, style: Style) -> StyleDetailOut:
    skus = session.scalars(select(Sku).where(Sku.style_id == style.id).order_by(Sku.code))
    return StyleDetailOut(
        **style_out(style).model_dump(),
        skus=[_brief(s) for s in skus],
    )


def _brief(sku: Sku) -> SkuBrief:
    return SkuBrief(
        code=sku.code,
        color=sku.color,
        material=sku.material,
        hardware=sku.hardware,
        lifecycle=sku.lifecycle,
    )


def list_styles(
    session: Session,
    *,
    lifecycle: str | None = None,
    bag_type: str | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[StyleSummaryOut], int]:
    """Styles for the staff (all lifecycles), newest first, with their SKU counts."""
    conds = []
    if lifecycle:
        conds.append(Style.lifecycle == lifecycle)
    if bag_type:
        conds.append(Style.bag_type == bag_type)
    for word in (q or "").lower().split()[:6]:
        pattern = policies.like_contains(word)  # the user's % and _ are literal
        conds.append(
            or_(
                func.lower(Style.name).like(pattern, escape=policies.LIKE_ESCAPE),
                func.lower(Style.code).like(pattern, escape=policies.LIKE_ESCAPE),
            )
        )
    total = session.scalar(select(func.count(Style.id)).where(*conds)) or 0
    sku_count = (
        select(func.count(Sku.id))
        .where(Sku.style_id == Style.id)
        .correlate(Style)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Style, sku_count).where(*conds).order_by(Style.id.desc()).offset(offset).limit(limit)
    ).all()
    items = [
        StyleSummaryOut(
            id=s.id,
            code=s.code,
            name=s.name,
            bag_type=s.bag_type,
            size_class=s.size_class,
            price_tier=s.price_tier,
            season=s.season,
            lifecycle=s.lifecycle,
            sku_count=int(n or 0),
        )
        for s, n in rows
    ]
    return items, int(total)


# ---- SKUs --------------------------------------------------------------------------------------


def get_sku(session: Session, code: str) -> Sku:
    sku = session.scalar(select(Sku).where(Sku.code == code))
    if sku is None:
        raise NotFound("SKU", "unknown_sku")
    return sku


def add_sku(
    session: Session,
    style_id: int,
    data: SkuCreate,
    *,
    actor: Principal | None = None,
    actor_label: str = "",
) -> Sku:
    """A new variant of a style; it goes live with the style unless told otherwise."""
    style = get_style(session, style_id)
    if session.scalar(select(Sku.id).where(Sku.code == data.code)) is not None:
        raise Conflict("sku_code_taken", f"a SKU with code {data.code!r} exists")
    lifecycle = data.lifecycle or ("active" if style.lifecycle == "active" else "draft")
    sku = Sku(
        code=data.code,
        style_id=style.id,
        color=data.color,
        material=data.material,
        hardware=data.hardware,
        lifecycle=lifecycle,
        attributes={"retail_price": data.retail_price.model_dump()} if data.retail_price else {},
    )
    sku.search_text = sku_search_text(style, sku)
    session.add(sku)
    _flush_unique(session, data.code, "sku")
    audit_change(session, (actor, actor_label), "sku", sku.code, "created", None, sku_fields(sku))
    return sku


def update_sku(
    session: Session,
    code: str,
    patch: SkuPatch,
    *,
    actor: Principal | None = None,
    actor_label: str = "",
) -> Sku:
    sku = get_sku(session, code)
    before = sku_fields(sku)
    given = patch.model_dump(exclude_unset=True)
    if "lifecycle" in given:
        error = policies.lifecycle_error(sku.lifecycle, given["lifecycle"], "SKU")
        if error is not None:
            raise DomainError(error, 409)
    if "retail_price" in given:
        retail = given.pop("retail_price")
        attributes = dict(sku.attributes or {})
        if retail is None:
            attributes.pop("retail_price", None)
        else:
            attributes["retail_price"] = retail
        sku.attributes = attributes
    for key, value in given.items():
        setattr(sku, key, value)
    sku.search_text = sku_search_text(sku.style, sku)
    session.flush()
    audit_change(session, (actor, actor_label), "sku", sku.code, "updated", before, sku_fields(sku))
    return sku


# ---- listing and detail -------------------------------------------------------------------------


def list_skus(
    session: Session,
    principal: Principal | None,
    filters: SkuFilters,
    *,
    page: int = 1,
    page_size: int = 50,
) -> SkuPage:
    """One page of the catalog as the principal may see it (None: the operator, all)."""
    rows, total = list_page(
        session, filters, principal, offset=(page - 1) * page_size, limit=page_size
    )
    items = [
        SkuSummaryOut(
            code=r.code,
            style_id=r.style_id,
            style_code=r.style_code,
            name=r.name,
            bag_type=r.bag_type,
            size_class=r.size_class,
            color=r.color,
            material=r.material,
            hardware=r.hardware,
            price_tier=r.price_tier,
            season=r.season,
            occasions=r.occasions,
            dimensions=DimensionsOut(
                width_mm=r.width_mm,
                height_mm=r.height_mm,
                depth_mm=r.depth_mm,
                weight_g=r.weight_g,
            ),
            is_limited_edition=r.is_limited_edition,
            image=r.images[0] if r.images else None,
            lifecycle=r.lifecycle,
            available=r.available,
        )
        for r in rows
    ]
    return SkuPage(
        items=items,
        page=page,
        page_size=page_size,
        total=total,
        total_exact=total < COUNT_CAP,
    )


def _visible(sku: Sku, principal: Principal) -> bool:
    return principal.is_staff or (sku.lifecycle == "active" and sku.style.lifecycle == "active")


def get_sku_detail(
    session: Session,
    principal: Principal,
    code: str,
    *,
    company_id: int | None = None,
    today: date | None = None,
) -> SkuDetailOut:
    """A SKU with its style, and the terms of the buyer's company.

    Buyers always see their own company's tiers (``company_id`` is ignored for them);
    staff may name a company to see its terms. A SKU missing from the company's
    price list has no tiers and no MOQ or case pack. Buyers get 404 for SKUs that
    are not on sale (draft or discontinued, or of such a style).
    """
    sku = session.scalar(select(Sku).where(Sku.code == code))
    if sku is None or not _visible(sku, principal):
        raise NotFound("SKU", "unknown_sku")
    style = sku.style
    scope = principal.company_id if not principal.is_staff else company_id
    currency: str | None = None
    tiers: list[TierOut] = []
    moq: int | None = None
    case_pack: int | None = None
    if scope is not None:
        company = session.get(Company, scope)
        if company is None:
            raise NotFound("company")
        currency = company.currency
        price_list = price_list_for_company(session, company)
        terms = terms_for(session, price_list, [sku.id]).get(sku.id) if price_list else None
        if terms is not None:
            currency = terms.currency
            moq, case_pack = terms.moq, terms.case_pack
            tiers = [
                TierOut(
                    min_quantity=t.min_quantity,
                    unit_price=MoneyOut(amount_minor=t.unit_price_minor, currency=terms.currency),
                )
                for t in sorted(terms.tiers)
            ]
    incoming = next_incoming(session, [sku.id], today or utcnow().date()).get(sku.id)
    siblings = session.scalars(
        select(Sku).where(Sku.style_id == style.id, Sku.id != sku.id).order_by(Sku.code)
    )
    return SkuDetailOut(
        code=sku.code,
        color=sku.color,
        material=sku.material,
        hardware=sku.hardware,
        lifecycle=sku.lifecycle,
        style=style_out(style),
        currency=currency,
        tiers=tiers,
        moq=moq,
        case_pack=case_pack,
        retail_price=_retail_price(sku),
        available=available_by_sku(session, [sku.id]).get(sku.id, 0),
        next_incoming=IncomingOut(
            quantity=incoming.quantity,
            expected_date=incoming.expected_date,
            ship_from=incoming.ship_from,
            ship_to=incoming.ship_to,
        )
        if incoming
        else None,
        other_colors=[
            OtherColorOut(code=s.code, color=s.color, material=s.material)
            for s in siblings
            if principal.is_staff or s.lifecycle == "active"
        ],
    )


def _retail_price(sku: Sku) -> MoneyOut | None:
    retail = (sku.attributes or {}).get("retail_price")
    if not isinstance(retail, dict):
        return None
    try:
        return MoneyOut(amount_minor=int(retail["amount_minor"]), currency=str(retail["currency"]))
    except (KeyError, TypeError, ValueError):
        return None
