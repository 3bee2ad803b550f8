"""Buyer pages for the catalog: the filtered grid and the SKU page.

Thin adapters: the listing, counts, "from" prices and SKU detail come from
catalog.service (and catalog.facets for the filter counts), the price breaks from
pricing's policy. They run no SQL themselves.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.responses import RedirectResponse, Response

from microbag.bundles import service as bundles_service
from microbag.catalog import service
from microbag.catalog.facets import FACETS, facet_counts, in_stock_count, ships_by_count
from microbag.catalog.listing import SORTS, SkuFilters
from microbag.catalog.policies import CODE_PATTERN
from microbag.compliance import service as compliance_service
from microbag.orders import policies as order_policies
from microbag.pricing.policies import Tier, current_tier
from microbag.quotes import policies as quote_policies
from microbag.timeutil import utcnow
from microbag.web.cart import cart_of
from microbag.web.csrf import verify_csrf
from microbag.web.deps import BuyerUser, PortalDb, safe_next
from microbag.web.render import render
from microbag.web.sessions import prefixed, secure_cookies

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 24
MAX_PAGE = 10_000
MAX_VALUES = 20
UNITS_COOKIE = "microbag_units"
_VALUE = re.compile(r"^[A-Za-z0-9_]{1,32}$")
FACET_LABELS = {
    "bag_type": "Bag type",
    "size_class": "Size class",
    "material": "Material",
    "color": "Color",
    "price_tier": "Price tier",
    "occasion": "Occasion",
    "season": "Season",
}
SORT_LABELS = {"code": "SKU code", "name": "Style name", "newest": "Newest first"}


def _values(request: Request, name: str) -> tuple[str, ...]:
    """A filter's values from the query string; malformed ones are ignored, not an error."""
    seen: list[str] = []
    for value in request.query_params.getlist(name):
        if _VALUE.match(value) and value not in seen:
            seen.append(value)
    return tuple(seen[:MAX_VALUES])


# How far ahead a "ships by" date may be (incoming batches are at most ~5 years out).
MAX_SHIPS_BY_DAYS = 6 * 366


def _ships_by(raw: str | None) -> date | None:
    """A YYYY-MM-DD date within reach; anything else is ignored, not an error."""
    try:
        day = date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None
    today = utcnow().date()
    if not today - timedelta(days=366) <= day <= today + timedelta(days=MAX_SHIPS_BY_DAYS):
        return None
    return day


def filters_from(request: Request) -> SkuFilters:
    params = request.query_params
    q = (params.get("q") or "").replace("\x00", "").strip()[:100] or None
    sort = params.get("sort", "code")
    return SkuFilters(
        bag_type=_values(request, "bag_type"),
        size_class=_values(request, "size_class"),
        material=_values(request, "material"),
        color=_values(request, "color"),
        price_tier=_values(request, "price_tier"),
        occasion=_values(request, "occasion"),
        season=_values(request, "season"),
        q=q,
        in_stock=True if params.get("in_stock") in ("1", "true", "on") else None,
        ships_by=_ships_by(params.get("ships_by")),
        sort=sort if sort in SORTS else "code",
    )


def _page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page", "1")), MAX_PAGE))
    except ValueError:
        return 1


def _query(filters: SkuFilters, **override: object) -> str:
    pairs: list[tuple[str, object]] = []
    for name in FACETS:
        pairs += [(name, v) for v in getattr(filters, name)]
    if filters.q:
        pairs.append(("q", filters.q))
    if filters.in_stock:
        pairs.append(("in_stock", "1"))
    if filters.ships_by:
        pairs.append(("ships_by", filters.ships_by.isoformat()))
    if filters.sort != "code":
        pairs.append(("sort", filters.sort))
    pairs += [(k, v) for k, v in override.items() if v is not None]
    return urlencode(pairs)


@router.get("/catalog")
def catalog_page(request: Request, user: BuyerUser, db: PortalDb) -> Response:
    filters = filters_from(request)
    page = _page_number(request)
    principal = user.principal
    with db.session() as session:
        result = service.list_skus(session, principal, filters, page=page, page_size=PAGE_SIZE)
        facets = facet_counts(session, filters, principal)
        stock_count = in_stock_count(session, filters, principal)
        ships_count = ships_by_count(session, filters, principal)
        prices = service.moq_prices(session, principal.company_id, [i.code for i in result.items])
    pages = max(1, math.ceil(result.total / PAGE_SIZE))
    return render(
        request,
        "catalog/index.html",
        {
            "title": "Catalog",
            "result": result,
            "filters": filters,
            "facets": facets,
            "facet_labels": FACET_LABELS,
            "sort_labels": SORT_LABELS,
            "in_stock_count": stock_count,
            "ships_by_count": ships_count,
            "today": utcnow().date(),
            "prices": prices,
            "page": page,
            "pages": pages,
            "prev_url": f"/catalog?{_query(filters, page=page - 1)}" if page > 1 else None,
            "next_url": f"/catalog?{_query(filters, page=page + 1)}" if page < pages else None,
            "active": any(getattr(filters, n) for n in FACETS)
            or filters.q
            or filters.in_stock
            or filters.ships_by,
        },
        # htmx pushes this tidy URL (no empty fields) into the address bar and history.
        headers={"HX-Push-Url": _canonical_url(filters, page)},
    )


def _canonical_url(filters: SkuFilters, page: int) -> str:
    query = _query(filters, page=page if page > 1 else None)
    return f"/catalog?{query}" if query else "/catalog"


SkuCodePath = Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN)]


@router.get("/catalog/{code}")
def sku_page(request: Request, code: SkuCodePath, user: BuyerUser, db: PortalDb) -> Response:
    units = request.cookies.get(prefixed(request, UNITS_COOKIE), "cm")
    units = units if units in ("cm", "in") else "cm"
    with db.session() as session:
        detail = service.get_sku_detail(session, user.principal, code)
        documents = compliance_service.documents_for_sku(session, user.principal, code)
        # Mined by bundles (never here): only SKUs this buyer may order.
        together = bundles_service.together_for(
            session, [detail.code], 4, company_id=user.principal.company_id
        )
    in_cart = next((x.quantity for x in cart_of(user) if x.sku == detail.code), None)
    reference_qty = in_cart or detail.moq or 1
    current = None
    if detail.tiers:
        tier = current_tier(
            [Tier(t.min_quantity, t.unit_price.amount_minor) for t in detail.tiers], reference_qty
        )
        current = tier.min_quantity
    return render(
        request,
        "catalog/sku.html",
        {
            "title": f"{detail.style.name} · {detail.code}",
            "sku": detail,
            "units": units,
            "current_break": current,
            "reference_qty": reference_qty,
            "in_cart": in_cart,
            "may_order": order_policies.may(user.principal, "place"),
            "may_quote": quote_policies.may_request(user.principal),
            "documents": documents,
            "quote_url": "/quotes/new?" + urlencode({"sku": detail.code}),
            "together": together,
        },
    )


@router.post("/preferences/units")
def set_units(
    request: Request,
    units: Annotated[str, Form(pattern="^(cm|in)$")],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    response = RedirectResponse(safe_next(next, "/catalog"), status_code=303)
    response.set_cookie(
        prefixed(request, UNITS_COOKIE),
        units,
        max_age=365 * 24 * 3600,
        path="/",
        secure=secure_cookies(request),
        httponly=True,
        samesite="lax",
    )
    return response
