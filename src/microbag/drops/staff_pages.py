"""Staff pages of drops: the list, a new drop (SKUs, edition, cap, case pack, price,
eligibility, embargo), a drop's requests and allocations, opening and closing it, moving
its embargo, and "Allocate now" after a preview of the shares.

Every staff role reads; admins and merchandisers change (drops.policies.MANAGE_ROLES).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from microbag.buyers import policies as buyer_rules
from microbag.config import get_settings
from microbag.drops import allocation, policies, service
from microbag.drops.schemas import DropIn, DropPatch, DropSkuIn
from microbag.errors import DomainError, ErrorItem
from microbag.money import is_currency
from microbag.timeutil import as_utc, utcnow
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PageForbidden, PortalDb, StaffUser, staff_user
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, parse_amount, staff_page, text, texts

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

DropId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SKU_ROWS = 5
SECTION = "drops"


def _manager(user: Annotated[PortalUser, Depends(staff_user)]) -> PortalUser:
    if user.principal.role not in policies.MANAGE_ROLES:
        allowed = ", ".join(sorted(policies.MANAGE_ROLES))
        raise PageForbidden(
            f"Your role ({user.principal.role}) may not manage drops; that needs {allowed}."
        )
    return user


DropManager = Annotated[PortalUser, Depends(_manager)]


def _may_manage(user: PortalUser) -> bool:
    return user.principal.role in policies.MANAGE_ROLES


@router.get("/staff/drops")
def drops_page(request: Request, user: StaffUser, db: PortalDb) -> Response:
    with db.session() as session:
        drops, total = service.list_drops(session, user.principal, limit=200)
        counts = {d.id: len(service.all_requests(session, d.id)) for d in drops}
    return staff_page(
        request,
        user,
        "staff/drops.html",
        {
            "title": "Drops",
            "drops": drops,
            "total": total,
            "counts": counts,
            "may_manage": _may_manage(user),
        },
        section=SECTION,
    )


# ---- a new drop --------------------------------------------------------------------------------


def _new_form(
    request: Request,
    user: PortalUser,
    db: Any,
    values: dict[str, Any],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        companies = service.company_choices(session)
    return staff_page(
        request,
        user,
        "staff/drop_new.html",
        {
            "title": "New drop",
            "values": values,
            "errors": errors,
            "rows": SKU_ROWS,
            "segments": buyer_rules.SEGMENTS,
            "regions": buyer_rules.REGIONS,
            "companies": companies,
        },
        section=SECTION,
        status_code=status_code,
    )


@router.get("/staff/drops/new")
def new_drop(request: Request, user: DropManager, db: PortalDb) -> Response:
    return _new_form(request, user, db, {"segment": [], "region": [], "company": []})


def _when(raw: str) -> datetime | None:
    """A datetime-local value (no zone: UTC, as every time on these pages)."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else as_utc(value)


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _sku_rows(form: Any, currency: str, errors: FormErrors) -> list[DropSkuIn]:
    rows: list[DropSkuIn] = []
    for n in range(1, SKU_ROWS + 1):
        code = text(form, f"sku_{n}", 64)
        if not code:
            continue
        edition, cap, pack = (
            _number(text(form, f"{name}_{n}", 12)) for name in ("edition", "cap", "pack")
        )
        if edition is None or edition < 1:
            errors.add(f"edition_{n}", "Enter the edition size in units.")
            continue
        price: int | None = None
        raw_price = text(form, f"price_{n}", 20)
        if raw_price:
            try:
                price = parse_amount(raw_price, currency or "USD")
            except (DomainError, ValueError):
                errors.add(f"price_{n}", "Enter a price such as 120.00.")
                continue
        try:
            rows.append(
                DropSkuIn(
                    sku=code,
                    edition_size=edition,
                    buyer_cap=cap or None,
                    case_pack=pack or None,
                    unit_price_minor=price,
                )
            )
        except ValidationError:
            errors.add(f"sku_{n}", "Check this line's numbers.")
    return rows


@router.post("/staff/drops/new")
def create_drop(request: Request, user: DropManager, db: PortalDb, form: Form) -> Response:
    values: dict[str, Any] = {k: text(form, k, 2000) for k in form if not k.startswith("csrf")}
    values.update(segment=texts(form, "segment"), region=texts(form, "region"))
    values["company"] = [int(c) for c in texts(form, "company", 500) if c.isdigit()]
    errors = FormErrors()
    embargo = _when(values.get("embargo", ""))
    if embargo is None:
        errors.add("embargo", "Enter the embargo date and time (UTC).")
    currency = values.get("currency", "").upper()
    if currency and not is_currency(currency):
        errors.add("currency", "Choose a known currency.")
    skus = _sku_rows(form, currency, errors)
    if not skus and not errors:
        errors.add("sku_1", "Add at least one SKU.")
    if errors:
        return _new_form(request, user, db, values, errors, 422)
    try:
        data = DropIn(
            name=values.get("name", "") or "",
            description=values.get("description", ""),
            embargo_at=embargo,
            segments=values["segment"],
            regions=values["region"],
            company_ids=values["company"],
            currency=currency or None,
            skus=skus,
        )
    except ValidationError as exc:
        return _new_form(request, user, db, values, FormErrors.from_validation(exc), 422)
    try:
        with db.session(write=True) as session:
            drop = service.create_drop(session, user.principal, data)
            if values.get("open"):
                service.open_drop(session, user.principal, drop.id)
            drop_id = drop.id
    except DomainError as exc:
        return _new_form(request, user, db, values, _form_errors(exc.items), exc.status)
    return RedirectResponse(f"/staff/drops/{drop_id}?done=created", status_code=303)


def _form_errors(items: list[ErrorItem]) -> FormErrors:
    """Service errors next to their SKU row (``line``) or field."""
    errors = FormErrors()
    for item in items:
        if item.line is not None:
            errors.add(f"sku_{item.line}", item.message)
        else:
            errors.add(item.field, item.message)
    return errors


# ---- one drop ----------------------------------------------------------------------------------

DONE = {
    "created": "Drop created.",
    "open": "The drop is open: eligible buyers see it and request until the embargo.",
    "close": "The drop is closed: its SKUs are ordinary SKUs again.",
    "allocated": "Allocated: the orders are placed and the buyers told.",
    "embargo": "Embargo moved.",
}


def _drop_page(
    request: Request,
    user: PortalUser,
    db: Any,
    drop_id: int,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    now = utcnow()
    with db.session() as session:
        drop = service.get_drop(session, user.principal, drop_id)
        requests = service.all_requests(session, drop.id)
        allocations = service.all_allocations(session, drop.id)
        ids = sorted({r.company_id for r in requests} | set(drop.company_ids or []))
        names = service.company_names(session, ids)
        codes = service.sku_codes_of(session, drop)
    embargo_passed = now >= as_utc(drop.embargo_at)
    return staff_page(
        request,
        user,
        "staff/drop.html",
        {
            "title": drop.name,
            "drop": drop,
            "requests": requests,
            "allocations": allocations,
            "names": names,
            "codes": codes,
            "errors": errors,
            "notice": DONE.get(request.query_params.get("done", "")),
            "may_manage": _may_manage(user),
            "embargo_passed": embargo_passed,
            "may_allocate": drop.status == policies.OPEN and embargo_passed,
            "may_move": drop.status == policies.DRAFT
            or (drop.status == policies.OPEN and not embargo_passed),
            "embargo_value": as_utc(drop.embargo_at).strftime("%Y-%m-%dT%H:%M:%S"),
        },
        section=SECTION,
        status_code=status_code,
    )


@router.get("/staff/drops/{drop_id}")
def drop_page(request: Request, drop_id: DropId, user: StaffUser, db: PortalDb) -> Response:
    return _drop_page(request, user, db, drop_id)


def _action(request: Request, user: PortalUser, db: Any, drop_id: int, action: str) -> Response:
    try:
        with db.session(write=True) as session:
            if action == "open":
                service.open_drop(session, user.principal, drop_id)
            else:
                service.close_drop(session, user.principal, drop_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _drop_page(
            request, user, db, drop_id, errors=FormErrors.of(exc.items, ()), status_code=exc.status
        )
    return RedirectResponse(f"/staff/drops/{drop_id}?done={action}", status_code=303)


@router.post("/staff/drops/{drop_id}/open")
def open_drop(request: Request, drop_id: DropId, user: DropManager, db: PortalDb) -> Response:
    return _action(request, user, db, drop_id, "open")


@router.post("/staff/drops/{drop_id}/close")
def close_drop(request: Request, drop_id: DropId, user: DropManager, db: PortalDb) -> Response:
    return _action(request, user, db, drop_id, "close")


@router.post("/staff/drops/{drop_id}/embargo")
def move_embargo(
    request: Request, drop_id: DropId, user: DropManager, db: PortalDb, form: Form
) -> Response:
    """Move the embargo (a draft, or an open drop before it); to now ends the requests."""
    when = _when(text(form, "embargo", 40))
    if when is None:
        errors = FormErrors()
        errors.add("embargo", "Enter the embargo date and time (UTC).")
        return _drop_page(request, user, db, drop_id, errors=errors, status_code=422)
    try:
        with db.session(write=True) as session:
            service.update_drop(session, user.principal, drop_id, DropPatch(embargo_at=when))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _drop_page(
            request, user, db, drop_id, errors=FormErrors.of(exc.items, ()), status_code=exc.status
        )
    return RedirectResponse(f"/staff/drops/{drop_id}?done=embargo", status_code=303)


@router.get("/staff/drops/{drop_id}/allocate")
def allocation_preview(
    request: Request, drop_id: DropId, user: DropManager, db: PortalDb
) -> Response:
    """The shares the fair-share rule gives now, before "Allocate now" commits them."""
    now = utcnow()
    with db.session() as session:
        drop = service.get_drop(session, user.principal, drop_id)
        shares = allocation.preview(session, user.principal, drop_id)
        names = service.company_names(session, sorted({s.company_id for s in shares}))
    blocked = policies.check_allocatable(drop.status, as_utc(drop.embargo_at), now)
    return staff_page(
        request,
        user,
        "staff/drop_allocate.html",
        {
            "title": f"Allocate {drop.name}",
            "drop": drop,
            "shares": shares,
            "names": names,
            "blocked": blocked,
            "base_currency": get_settings().base_currency,
        },
        section=SECTION,
    )


@router.post("/staff/drops/{drop_id}/allocate")
def allocate(request: Request, drop_id: DropId, user: DropManager, db: PortalDb) -> Response:
    try:
        with db.session(write=True) as session:
            allocation.allocate(session, user.principal, drop_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _drop_page(
            request, user, db, drop_id, errors=FormErrors.of(exc.items, ()), status_code=exc.status
        )
    return RedirectResponse(f"/staff/drops/{drop_id}?done=allocated", status_code=303)
