"""The staff dashboard, and what every staff page shares: role checks, form errors, paging.

Staff pages are thin adapters over the services. Who may read: any staff user
(buyers get the 403 page from ``StaffUser``). Who may write: the role sets of
accounts/policies.py, checked by the ``staff_role`` dependency before the form is
even validated. Rule errors (DomainError items) are shown next to the field they
name (``ErrorItem.field``) or above the form.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response
from starlette.types import Message

from microbag.accounts.policies import (
    STAFF_ADMIN_ROLES,
    STAFF_CATALOG_ROLES,
    STAFF_COMPANY_ROLES,
    STAFF_ORDER_ROLES,
    STAFF_PRICING_ROLES,
    STAFF_QUOTE_ROLES,
    STAFF_STOCK_ROLES,
)
from microbag.analytics import policies as analytics_policies
from microbag.analytics.charts import dashboard_charts
from microbag.analytics.charts import label as analytics_label
from microbag.analytics.service import dashboard as dashboard_figures
from microbag.errors import ErrorItem
from microbag.jobs.policies import STAFF_RUN_ROLES
from microbag.money import minor_digits, to_major, to_minor
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PageForbidden, PortalDb, StaffUser, staff_user
from microbag.web.errors import error_page
from microbag.web.render import render
from microbag.web.sessions import PortalUser

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

# ---- roles -------------------------------------------------------------------------------------

# What each staff role set may change, in words for the 403 page.
ROLE_SETS: dict[str, tuple[frozenset[str], str]] = {
    "orders": (STAFF_ORDER_ROLES, "confirm, ship or cancel orders"),
    "quotes": (STAFF_QUOTE_ROLES, "answer quotes"),
    "catalog": (STAFF_CATALOG_ROLES, "change the catalog"),
    "stock": (STAFF_STOCK_ROLES, "change stock"),
    "pricing": (STAFF_PRICING_ROLES, "change prices"),
    "companies": (STAFF_COMPANY_ROLES, "change companies and their users"),
    "admin": (STAFF_ADMIN_ROLES, "manage staff users"),
    "runs": (STAFF_RUN_ROLES, "start forecast and trends runs or sales imports"),
}


def may(user: PortalUser, area: str) -> bool:
    """Whether the staff user's role may write in ``area`` (a key of ROLE_SETS)."""
    return user.is_staff and user.principal.role in ROLE_SETS[area][0]


def permissions(user: PortalUser) -> dict[str, bool]:
    """Every area's write permission, for templates (forms shown only when allowed)."""
    return {area: may(user, area) for area in ROLE_SETS}


def staff_role(area: str) -> Callable[[PortalUser], PortalUser]:
    """Dependency: a staff user whose role may write in ``area``, else the 403 page."""
    roles, what = ROLE_SETS[area]

    def check(user: Annotated[PortalUser, Depends(staff_user)]) -> PortalUser:
        if user.principal.role not in roles:
            allowed = ", ".join(sorted(roles))
            raise PageForbidden(
                f"Your role ({user.principal.role}) may not {what}; that needs {allowed}."
            )
        return user

    return check


OrderStaff = Annotated[PortalUser, Depends(staff_role("orders"))]
QuoteStaff = Annotated[PortalUser, Depends(staff_role("quotes"))]
CatalogStaff = Annotated[PortalUser, Depends(staff_role("catalog"))]
StockStaff = Annotated[PortalUser, Depends(staff_role("stock"))]
PricingStaff = Annotated[PortalUser, Depends(staff_role("pricing"))]
CompanyStaff = Annotated[PortalUser, Depends(staff_role("companies"))]
AdminStaff = Annotated[PortalUser, Depends(staff_role("admin"))]


# ---- forms -------------------------------------------------------------------------------------


async def form_data(request: Request) -> FormData:
    """The posted form (already parsed and cached by the CSRF check)."""
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


def text(form: FormData, name: str, max_length: int = 5000) -> str:
    """A text field, trimmed and cut to ``max_length`` (files and absent fields are '')."""
    value = form.get(name)
    return value.strip()[:max_length] if isinstance(value, str) else ""


def texts(form: FormData, name: str, max_items: int = 200) -> list[str]:
    return [v.strip()[:200] for v in form.getlist(name)[:max_items] if isinstance(v, str)]


def major(amount_minor: int | None, currency: str) -> str:
    """Minor units as a plain decimal for an input field (``1250`` EUR -> ``12.50``)."""
    if amount_minor is None:
        return ""
    return f"{to_major(amount_minor, currency):.{minor_digits(currency)}f}"


def parse_amount(raw: str, currency: str) -> int:
    """A typed amount in major units as minor units; ValueError in plain words if it is not one."""
    try:
        return to_minor(raw.strip().replace(",", "").replace(" ", ""), currency)
    except (ValueError, ArithmeticError):
        example = "1250" if minor_digits(currency) == 0 else "12.50"
        raise ValueError(f"Enter an amount in {currency}, e.g. {example}.") from None


def _plain(error: Mapping[str, Any]) -> str:
    """A Pydantic error in plain words."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "This field is required."
    if kind in ("int_parsing", "int_from_float"):
        return "Enter a whole number."
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return "Enter a date as YYYY-MM-DD."
    if kind == "greater_than_equal":
        return f"Must be at least {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"Must be at most {ctx.get('le')}."
    if kind == "string_too_long":
        return f"At most {ctx.get('max_length')} characters."
    if kind == "string_pattern_mismatch":
        return "Use letters, digits, '.', '-' or '_' (no spaces)."
    if kind == "literal_error":
        return f"Choose one of: {ctx.get('expected', '')}."
    message = str(error.get("msg", "Not valid."))
    return message.removeprefix("Value error, ")


@dataclass
class FormErrors:
    """Errors of one form: per field (shown next to it) and general (above the form)."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, name: str | None, message: str) -> None:
        if name:
            self.fields.setdefault(name, []).append(message)
        else:
            self.general.append(message)

    @classmethod
    def of(cls, items: Iterable[ErrorItem], known: Iterable[str] | None = None) -> FormErrors:
        """From the core's error items: by ``field`` when the form has that field."""
        names = set(known) if known is not None else None
        errors = cls()
        for item in items:
            name = item.field if item.field and (names is None or item.field in names) else None
            errors.add(name, _sentence(item.message))
        return errors

    @classmethod
    def from_validation(cls, exc: ValidationError, prefix: str = "") -> FormErrors:
        errors = cls()
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ())]
            errors.add(prefix + loc[0] if loc else None, _sentence(_plain(e)))
        return errors


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


# ---- uploads -----------------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


def body_limited_route(limit: Callable[[], int], what: Callable[[], str]) -> type[APIRoute]:
    """A route class answering 413 (a page) when a body exceeds ``limit()`` bytes.

    The declared Content-Length is checked first, then the bytes actually received
    (chunked bodies declare nothing), so an oversized upload is never read whole.
    """

    class BodyLimitedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                most = limit()
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > most:
                    return _too_large(request, what())
                received = 0
                receive = request.receive

                async def counting() -> Message:
                    nonlocal received
                    message = await receive()
                    received += len(message.get("body", b""))
                    if received > most:
                        raise _TooLarge()
                    return message

                try:
                    return await handler(Request(request.scope, counting))
                except _TooLarge:
                    return _too_large(request, what())

            return limited

    return BodyLimitedRoute


def _too_large(request: Request, what: str) -> Response:
    response = error_page(request, 413, f"The upload is too large: {what}.")
    response.headers["Connection"] = "close"
    return response


# ---- paging -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    total: int
    prev_url: str | None
    next_url: str | None


def pager(path: str, params: Mapping[str, Any], page: int, total: int, size: int) -> Pager:
    """Links to the previous and next pages, keeping the other (non-empty) parameters."""
    pages = max(1, math.ceil(total / size))
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}

    def url(n: int) -> str:
        query = urlencode({**kept, "page": n} if n > 1 else kept)
        return f"{path}?{query}" if query else path

    return Pager(
        page,
        pages,
        total,
        url(page - 1) if page > 1 else None,
        url(page + 1) if page < pages else None,
    )


PageNo = Annotated[int, Query(ge=1, le=100_000)]


def staff_page(
    request: Request,
    user: PortalUser,
    name: str,
    context: dict[str, Any],
    *,
    section: str,
    status_code: int = 200,
) -> Response:
    """Render a staff template with the section (for the sub-navigation) and permissions."""
    return render(
        request,
        name,
        {"section": section, "can": permissions(user), "area_label": analytics_label, **context},
        status_code=status_code,
    )


# ---- the dashboard -----------------------------------------------------------------------------


@router.get("/staff")
def staff_home(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    months: Annotated[int, Query(ge=1, le=120)] = analytics_policies.DEFAULT_PERIOD,
) -> Response:
    """Revenue and units over time, by region, segment and bag type, top SKUs, what waits."""
    with db.session() as session:
        figures = dashboard_figures(session, currency=currency, months=months)
    charts = dashboard_charts(figures, user.locale)
    return staff_page(
        request,
        user,
        "staff/dashboard.html",
        {
            "title": "Staff dashboard",
            "d": figures,
            "charts": charts,
            "periods": analytics_policies.PERIODS,
            "cover_days": analytics_policies.LOW_COVER_DAYS,
            "sales_window": analytics_policies.SALES_WINDOW_DAYS,
        },
        section="dashboard",
    )
