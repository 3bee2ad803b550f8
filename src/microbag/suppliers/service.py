"""Supplier use cases: suppliers and their price lists. Never commits (callers own the
unit of work). Offers and landed costs are in ``offers.py``, certificates in
``certificates.py``; both are re-exported here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style
from microbag.config import get_settings
from microbag.errors import Conflict, DomainError, ErrorItem, NotFound
from microbag.suppliers import policies
from microbag.suppliers.certificates import CertificateSummary, certificate_summaries
from microbag.suppliers.models import Supplier, SupplierPrice
from microbag.suppliers.offers import (
    COST_AUTHOR,
    PriceOffer,
    covered_sku_ids,
    landed_unit_cost,
    offer_for,
    offers_for_sku_code,
    offers_for_skus,
    pairs,
    priced_sku_ids,
    refresh_landed_costs,
    valid_on,
)
from microbag.timeutil import utcnow

# The names other packages call (common.md), whatever module holds them.
__all__ = [
    "COST_AUTHOR",
    "CertificateSummary",
    "PriceOffer",
    "certificate_summaries",
    "covered_sku_ids",
    "offer_for",
    "offers_for_sku_code",
    "offers_for_skus",
    "refresh_landed_costs",
]

EDITABLE = (
    "name",
    "kind",
    "country",
    "region",
    "currency",
    "contacts",
    "capabilities",
    "monthly_capacity_units",
    "default_lead_time_days",
    "payment_terms",
    "notes",
    "active",
)


# ---- suppliers ---------------------------------------------------------------------------


def get_supplier(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("supplier", "unknown_supplier")
    return supplier


def supplier_by_code(session: Session, code: str) -> Supplier:
    supplier = session.scalars(select(Supplier).where(Supplier.code == code)).first()
    if supplier is None:
        raise NotFound("supplier", "unknown_supplier")
    return supplier


def _normalized(fields: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key in ("country", "currency"):
        if isinstance(out.get(key), str):
            out[key] = out[key].strip().upper()
    for key in ("code", "name", "region", "payment_terms"):
        if isinstance(out.get(key), str):
            out[key] = out[key].strip()
    return out


def create_supplier(session: Session, fields: Mapping[str, Any]) -> Supplier:
    """A new supplier: ``code``, ``name``, ``country``, ``currency`` required; the other
    EDITABLE fields optional. 409 duplicate_supplier for a code already taken."""
    data = _normalized(fields)
    missing = [k for k in ("code", "name", "country", "currency") if not data.get(k)]
    errors = [ErrorItem("required", f"{k} is required", field=k) for k in missing]
    errors += policies.validate_supplier({k: v for k, v in data.items() if k not in missing})
    if errors:
        raise DomainError(errors)
    if session.scalar(select(Supplier.id).where(Supplier.code == data["code"])) is not None:
        raise Conflict("duplicate_supplier", f"supplier {data['code']} already exists")
    supplier = Supplier(
        code=data["code"],
        name=data["name"],
        country=data["country"],
        currency=data["currency"],
        kind=data.get("kind", "factory"),
        region=data.get("region", ""),
        contacts=list(data.get("contacts", [])),
        capabilities=policies.normalized_capabilities(data.get("capabilities", {})),
        monthly_capacity_units=data.get("monthly_capacity_units", 0),
        default_lead_time_days=data.get("default_lead_time_days", 45),
        payment_terms=data.get("payment_terms", ""),
        notes=data.get("notes", ""),
        active=bool(data.get("active", True)),
    )
    session.add(supplier)
    session.flush()
    return supplier


def update_supplier(session: Session, supplier_id: int, changes: Mapping[str, Any]) -> Supplier:
    """Change some EDITABLE fields (the code stays). A change of activity or country
    changes offers, so the landed costs of the supplier's SKUs are refreshed."""
    supplier = get_supplier(session, supplier_id)
    data = _normalized(changes)
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise DomainError(
            ErrorItem("unknown_field", f"cannot change {', '.join(unknown)}", field=unknown[0])
        )
    if "active" in data and not isinstance(data["active"], bool):
        raise DomainError(ErrorItem("invalid_active", "active is true or false", field="active"))
    errors = policies.validate_supplier(data)
    if errors:
        raise DomainError(errors)
    if "capabilities" in data:
        data["capabilities"] = policies.normalized_capabilities(data["capabilities"])
    refresh = any(
        k in data and data[k] != getattr(supplier, k) for k in ("active", "country", "currency")
    )
    for key, value in data.items():
        setattr(supplier, key, value)
    session.flush()
    if refresh:
        refresh_landed_costs(session, priced_sku_ids(session, [supplier.id]), utcnow().date())
    return supplier


def _matches_capability(capabilities: Mapping[str, Any], wanted: str) -> bool:
    """A flag that is true (oem, logo...) or a value of any list (micro_clutch, canvas)."""
    if wanted in policies.CAPABILITY_FLAGS:
        return bool(capabilities.get(wanted))
    return any(wanted in capabilities.get(k, []) for k in policies.CAPABILITY_LISTS)


def list_suppliers(
    session: Session,
    *,
    country: str | None = None,
    kind: str | None = None,
    capability: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Supplier], int]:
    """Suppliers by code, filtered; ``capability`` is read from the JSON in Python (a
    seller has tens of suppliers, not millions)."""
    query = select(Supplier).order_by(Supplier.code)
    if country:
        query = query.where(Supplier.country == country.upper())
    if kind:
        query = query.where(Supplier.kind == kind)
    if active is not None:
        query = query.where(Supplier.active.is_(active))
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(
            or_(func.lower(Supplier.code).like(like), func.lower(Supplier.name).like(like))
        )
    rows = list(session.scalars(query))
    if capability:
        rows = [r for r in rows if _matches_capability(r.capabilities or {}, capability)]
    return rows[offset : offset + limit], len(rows)


# ---- prices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceView:
    id: int
    supplier_id: int
    supplier_code: str
    sku: str | None
    style: str | None
    unit_cost_minor: int
    currency: str
    moq: int
    case_pack: int
    lead_time_days: int | None
    valid_from: date
    valid_until: date | None
    landed_unit_cost_minor: int | None  # None: no exchange rate for the currency
    base_currency: str
    created_by: str


def price_views(session: Session, prices: Iterable[SupplierPrice]) -> list[PriceView]:
    rows = list(prices)
    sku_codes: dict[int, str] = pairs(
        session, select(Sku.id, Sku.code).where(Sku.id.in_({p.sku_id for p in rows if p.sku_id}))
    )
    style_codes: dict[int, str] = pairs(
        session,
        select(Style.id, Style.code).where(Style.id.in_({p.style_id for p in rows if p.style_id})),
    )
    suppliers = {
        s.id: s
        for s in session.scalars(
            select(Supplier).where(Supplier.id.in_({p.supplier_id for p in rows}))
        )
    }
    base = get_settings().base_currency
    return [
        PriceView(
            id=p.id,
            supplier_id=p.supplier_id,
            supplier_code=suppliers[p.supplier_id].code,
            sku=sku_codes.get(p.sku_id) if p.sku_id else None,
            style=style_codes.get(p.style_id) if p.style_id else None,
            unit_cost_minor=p.unit_cost_minor,
            currency=p.currency,
            moq=p.moq,
            case_pack=p.case_pack,
            lead_time_days=p.lead_time_days,
            valid_from=p.valid_from,
            valid_until=p.valid_until,
            landed_unit_cost_minor=landed_unit_cost(
                p.unit_cost_minor, p.currency, suppliers[p.supplier_id].country
            ),
            base_currency=base,
            created_by=p.created_by,
        )
        for p in rows
    ]


def get_price(session: Session, price_id: int) -> SupplierPrice:
    price = session.get(SupplierPrice, price_id)
    if price is None:
        raise NotFound("supplier price", "unknown_supplier_price")
    return price


def _target(session: Session, sku: str | None, style: str | None) -> tuple[int | None, int | None]:
    if bool(sku) == bool(style):
        raise DomainError(
            ErrorItem(
                "one_target", "give either a SKU or a style (OEM work), not both", field="sku"
            )
        )
    if sku:
        sku_id = session.scalar(select(Sku.id).where(Sku.code == sku))
        if sku_id is None:
            raise DomainError(ErrorItem("unknown_sku", f"SKU {sku} does not exist", field="sku"))
        return int(sku_id), None
    style_id = session.scalar(select(Style.id).where(Style.code == style))
    if style_id is None:
        raise DomainError(
            ErrorItem("unknown_style", f"style {style} does not exist", field="style")
        )
    return None, int(style_id)


def check_price_fields(
    *,
    unit_cost_minor: Any,
    currency: Any,
    moq: Any,
    case_pack: Any,
    lead_time_days: Any,
    valid_from: date | None,
    valid_until: date | None,
) -> list[ErrorItem]:
    """The policy's checks plus: the currency must have an exchange rate (a landed cost)."""
    errors = policies.validate_price(
        unit_cost_minor=unit_cost_minor,
        currency=currency,
        moq=moq,
        case_pack=case_pack,
        lead_time_days=lead_time_days,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    rates = get_settings().fx_rates
    if isinstance(currency, str) and not errors and currency not in rates:
        errors.append(
            ErrorItem(
                "no_exchange_rate",
                f"no exchange rate for {currency} (setting MICROBAG_FX_RATES)",
                field="currency",
            )
        )
    return errors


def add_price(
    session: Session,
    supplier_id: int,
    *,
    sku: str | None = None,
    style: str | None = None,
    unit_cost_minor: int,
    currency: str | None = None,
    moq: int = 1,
    case_pack: int = 1,
    lead_time_days: int | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    actor: str = "",
    refresh: bool = True,
) -> SupplierPrice:
    """A price for a SKU or a style, in the supplier's currency unless ``currency`` says
    otherwise, valid from today unless ``valid_from``; the landed costs are refreshed."""
    supplier = get_supplier(session, supplier_id)
    today = utcnow().date()
    currency = currency or supplier.currency
    valid_from = valid_from or today
    errors = check_price_fields(
        unit_cost_minor=unit_cost_minor,
        currency=currency,
        moq=moq,
        case_pack=case_pack,
        lead_time_days=lead_time_days,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if errors:
        raise DomainError(errors)
    sku_id, style_id = _target(session, sku, style)
    price = SupplierPrice(
        supplier_id=supplier.id,
        sku_id=sku_id,
        style_id=style_id,
        unit_cost_minor=unit_cost_minor,
        currency=currency,
        moq=moq,
        case_pack=case_pack,
        lead_time_days=lead_time_days,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )
    session.add(price)
    session.flush()
    if refresh:
        refresh_landed_costs(session, covered_sku_ids(session, [price]), today)
    return price


PRICE_CHANGES = ("unit_cost_minor", "moq", "case_pack", "lead_time_days", "valid_until")


def update_price(
    session: Session, price_id: int, changes: Mapping[str, Any], *, actor: str = ""
) -> SupplierPrice:
    """End a price (``valid_until``) or change its cost, MOQ, case pack or lead time."""
    price = get_price(session, price_id)
    unknown = sorted(set(changes) - set(PRICE_CHANGES))
    if unknown:
        raise DomainError(
            ErrorItem("unknown_field", f"cannot change {', '.join(unknown)}", field=unknown[0])
        )
    merged = {k: changes.get(k, getattr(price, k)) for k in PRICE_CHANGES}
    errors = check_price_fields(currency=price.currency, valid_from=price.valid_from, **merged)
    if errors:
        raise DomainError(errors)
    for key, value in merged.items():
        setattr(price, key, value)
    if actor:
        price.created_by = actor
    session.flush()
    refresh_landed_costs(session, covered_sku_ids(session, [price]), utcnow().date())
    return price


def end_price(
    session: Session, price_id: int, valid_until: date, *, actor: str = ""
) -> SupplierPrice:
    return update_price(session, price_id, {"valid_until": valid_until}, actor=actor)


def list_prices(
    session: Session,
    *,
    supplier_id: int | None = None,
    sku: str | None = None,
    current_on: date | None = None,
) -> list[SupplierPrice]:
    """Prices of a supplier, or of a SKU (its own and its style's), newest first;
    ``current_on``: only those valid that day."""
    query = select(SupplierPrice).order_by(SupplierPrice.valid_from.desc(), SupplierPrice.id.desc())
    if supplier_id is not None:
        get_supplier(session, supplier_id)
        query = query.where(SupplierPrice.supplier_id == supplier_id)
    if sku is not None:
        row = session.execute(select(Sku.id, Sku.style_id).where(Sku.code == sku)).first()
        if row is None:
            raise NotFound(f"SKU {sku}", "unknown_sku")
        query = query.where(or_(SupplierPrice.sku_id == row[0], SupplierPrice.style_id == row[1]))
    if current_on is not None:
        query = query.where(valid_on(current_on))
    return list(session.scalars(query))
