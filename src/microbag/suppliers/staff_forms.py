"""What the supplier staff pages share: form fields and their parsing, and the supplier
page's view (details, prices, certificates, the three forms). Routes are in
``staff_pages.py``."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from microbag.config import get_settings
from microbag.errors import DomainError
from microbag.scorecards.service import standing_for
from microbag.suppliers import certificates, policies, service
from microbag.timeutil import utcnow
from microbag.web.sessions import PortalUser
from microbag.web.staff import FormErrors, staff_page, text

SUPPLIER_FIELDS = (
    "code",
    "name",
    "kind",
    "country",
    "region",
    "currency",
    "monthly_capacity_units",
    "default_lead_time_days",
    "payment_terms",
    "notes",
    "contacts",
    "bag_types",
    "materials",
    "hardware",
)
PRICE_FIELDS = (
    "target",
    "unit_cost",
    "currency",
    "moq",
    "case_pack",
    "lead_time_days",
    "valid_from",
    "valid_until",
)
CERT_FIELDS = ("kind", "issuer", "reference", "issued_on", "valid_until", "file")


def options(values: tuple[str, ...], names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    return [(v, (names or {}).get(v, v.replace("_", " ").capitalize())) for v in values]


def contacts_text(contacts: list[dict[str, Any]]) -> str:
    return "\n".join(
        " | ".join(str(c.get(k, "")) for k in policies.CONTACT_KEYS).rstrip(" |") for c in contacts
    )


def parse_contacts(raw: str) -> list[dict[str, str]]:
    """One contact a line: name | role | e-mail | phone (the last ones optional)."""
    out = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        out.append({k: v for k, v in zip(policies.CONTACT_KEYS, parts, strict=False) if v})
    return out


def slugs(raw: str) -> list[str]:
    return [s.strip().lower().replace(" ", "_") for s in raw.split(",") if s.strip()]


def supplier_values(supplier: Any | None) -> dict[str, str]:
    if supplier is None:
        return {name: "" for name in SUPPLIER_FIELDS} | {
            "kind": "factory",
            "default_lead_time_days": "45",
            "monthly_capacity_units": "0",
        }
    caps = supplier.capabilities or {}
    values = {
        name: str(getattr(supplier, name, "") or "")
        for name in SUPPLIER_FIELDS
        if name not in ("contacts", "bag_types", "materials", "hardware")
    }
    values["monthly_capacity_units"] = str(supplier.monthly_capacity_units)
    values["default_lead_time_days"] = str(supplier.default_lead_time_days)
    values["contacts"] = contacts_text(supplier.contacts or [])
    for key in policies.CAPABILITY_LISTS:
        values[key] = ", ".join(caps.get(key, []))
    for key in policies.CAPABILITY_FLAGS:
        values[key] = "1" if caps.get(key) else ""
    values["active"] = "1" if supplier.active else ""
    return values


def supplier_fields(
    form: FormData, errors: FormErrors, *, new: bool
) -> tuple[dict[str, str], dict[str, Any]]:
    values = {name: text(form, name, 5000) for name in SUPPLIER_FIELDS}
    for key in (*policies.CAPABILITY_FLAGS, "active"):
        values[key] = "1" if text(form, key, 2) else ""
    fields: dict[str, Any] = {
        name: values[name]
        for name in ("name", "kind", "country", "region", "currency", "payment_terms", "notes")
    }
    if new:
        fields["code"] = values["code"]
    for name in ("monthly_capacity_units", "default_lead_time_days"):
        try:
            fields[name] = int(values[name] or "0")
        except ValueError:
            errors.add(name, "Enter a whole number.")
    fields["contacts"] = parse_contacts(values["contacts"])
    capabilities: dict[str, Any] = {k: slugs(values[k]) for k in policies.CAPABILITY_LISTS}
    capabilities.update({k: bool(values[k]) for k in policies.CAPABILITY_FLAGS})
    fields["capabilities"] = capabilities
    if not new:
        fields["active"] = bool(values["active"])
    return values, fields


def form_errors(exc: DomainError) -> FormErrors:
    errors = FormErrors()
    for item in exc.items:
        name = (item.field or "").split(".")[-1].split("[")[0]
        if name == "capabilities":
            name = "bag_types"
        errors.add(name if name in SUPPLIER_FIELDS else None, item.message)
    return errors


def optional_date(raw: str, name: str, errors: FormErrors) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add(name, "Enter a date as YYYY-MM-DD.")
        return None


def optional_int(raw: str, name: str, errors: FormErrors) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors.add(name, "Enter a whole number.")
        return None


def supplier_view(
    request: Request,
    user: PortalUser,
    db: Any,
    supplier_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    price_values: dict[str, str] | None = None,
    price_errors: FormErrors | None = None,
    cert_values: dict[str, str] | None = None,
    cert_errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    today = utcnow().date()
    with db.session() as session:
        supplier = service.get_supplier(session, supplier_id)
        prices = service.price_views(session, service.list_prices(session, supplier_id=supplier_id))
        certs = [
            (c, certificates.status_of(c, today))
            for c in certificates.list_certificates(session, supplier_id)
        ]
        summary = service.certificate_summaries(session, [supplier_id], today)[supplier_id]
        # The record's verdict (scorecards): very poor blocks new purchase orders.
        standing = standing_for(session, supplier_id, today)
        defaults = supplier_values(supplier)
    current = [
        p
        for p in prices
        if p.valid_from <= today and (p.valid_until is None or p.valid_until >= today)
    ]
    return staff_page(
        request,
        user,
        "staff/supplier.html",
        {
            "title": f"Supplier {supplier.code}",
            "supplier": supplier,
            "summary": summary,
            "standing": standing,
            "values": values or defaults,
            "errors": errors,
            "kinds": options(policies.KINDS, policies.KIND_NAMES),
            "capability_flags": policies.CAPABILITY_FLAGS,
            "prices": prices,
            "current_ids": {p.id for p in current},
            "today": today,
            "base_currency": get_settings().base_currency,
            "price_values": price_values
            or {
                "currency": supplier.currency,
                "moq": "1",
                "case_pack": "1",
                "valid_from": str(today),
            },
            "price_errors": price_errors,
            "certificates": certs,
            "cert_values": cert_values or {},
            "cert_errors": cert_errors,
            "cert_kinds": options(policies.CERTIFICATE_KINDS),
            "cert_max_mb": policies.MAX_CERTIFICATE_BYTES // 2**20,
            "done": request.query_params.get("done", "")[:20],
        },
        section="suppliers",
        status_code=status_code,
    )
