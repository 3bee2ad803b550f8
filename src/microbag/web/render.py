"""Jinja2 templates, locale-aware filters (Babel) and the page/fragment renderer."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse

from microbag.config import get_settings
from microbag.display_names import display_name
from microbag.money import Money, format_money
from microbag.units import format_dimensions, format_length
from microbag.web.csrf import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
HTMX_VERSION = "2.0.11"


@lru_cache(maxsize=64)
def safe_locale(name: str | None) -> str:
    """A locale Babel knows, else the configured default (a bad value must not break pages)."""
    for candidate in (name, get_settings().default_locale, "en_US"):
        if not candidate:
            continue
        try:
            Locale.parse(candidate)
            return candidate
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return "en_US"


def _locale(ctx: Context) -> str:
    return safe_locale(ctx.get("locale"))


@pass_context
def money_filter(ctx: Context, value: Any, currency: str | None = None) -> str:
    """Integer minor units (with ``currency`` or the user's), a Money (or a money schema), or
    an API money dict."""
    if value is None:
        return ""
    if isinstance(value, Money) or hasattr(value, "amount_minor"):
        amount, code = int(value.amount_minor), str(value.currency)
    elif isinstance(value, dict):
        amount, code = int(value["amount_minor"]), str(value["currency"])
    else:
        amount, code = int(value), str(currency or ctx.get("currency") or "USD")
    return format_money(amount, code, _locale(ctx))


@pass_context
def date_filter(ctx: Context, value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return str(format_date(value, format=fmt, locale=_locale(ctx)))


@pass_context
def datetime_filter(ctx: Context, value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    # Times are kept in UTC; the company has no time zone of its own.
    return str(format_datetime(value, format=fmt, tzinfo=None, locale=_locale(ctx))) + " UTC"


@pass_context
def number_filter(ctx: Context, value: int | float | None) -> str:
    return "" if value is None else str(format_decimal(value, locale=_locale(ctx)))


def label_filter(value: Any) -> str:
    """A vocabulary code's display name: ``japan_korea`` -> "Japan and Korea",
    ``micro_clutch`` -> "Micro clutch" (microbag.display_names)."""
    return display_name(value)


def length_filter(mm: int | None, unit: str = "cm") -> str:
    return "" if mm is None else format_length(int(mm), unit)


def dims_filter(dims: tuple[int, int, int], unit: str = "cm") -> str:
    return format_dimensions(dims[0], dims[1], dims[2], unit)


# Fill colours for the drawn bag illustrations; unknown colour names are grey.
SWATCHES = {
    "black": "#222222",
    "white": "#f7f7f2",
    "ivory": "#f4efe1",
    "cream": "#f1e6c8",
    "beige": "#d8c3a0",
    "taupe": "#a39382",
    "tan": "#c19a6b",
    "camel": "#c19a6b",
    "brown": "#6b4226",
    "chocolate": "#4e2e1e",
    "grey": "#8e8e8e",
    "navy": "#1f2f5a",
    "blush": "#efc3c3",
    "lilac": "#c8a2c8",
    "mint": "#a8e0c4",
    "baby_blue": "#a9cbe8",
    "butter": "#f4e19c",
    "peach": "#f6b99a",
    "red": "#b3202a",
    "fuchsia": "#c4307a",
    "cobalt": "#1f4fb4",
    "orange": "#e2702a",
    "lime": "#a6c93a",
    "turquoise": "#2fb0b0",
    "sunflower": "#f2c12e",
    "gold": "#c9a227",
    "silver": "#c0c0c8",
    "champagne": "#e8d3a2",
    "rose_gold": "#d9a08f",
    "emerald": "#1d7a4e",
    "sapphire": "#22408f",
    "burgundy": "#6d1a2e",
    "amethyst": "#7b4aa0",
    "pearl": "#efeae0",
    "green": "#3a7a3a",
    "blue": "#2a56b0",
    "pink": "#e79ab5",
    "yellow": "#f0d24a",
    "purple": "#6b3fa0",
    "olive": "#6b6b2a",
}


def swatch(color: str | None) -> str:
    return SWATCHES.get((color or "").lower(), "#9a9a9a")


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    tpl = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = tpl.env
    env.autoescape = True
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(
        money=money_filter,
        date=date_filter,
        datetime=datetime_filter,
        number=number_filter,
        label=label_filter,
        mm=length_filter,
        dims=dims_filter,
    )
    env.globals["htmx_version"] = HTMX_VERSION
    env.globals["swatch"] = swatch
    return tpl


def is_htmx(request: Request) -> bool:
    # A boosted or history-restore request wants the whole page.
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
        and request.headers.get("hx-boosted") != "true"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    fragment: bool | None = None,
) -> HTMLResponse:
    """Render ``name``; for htmx requests the template gets ``layout = "fragment.html"``.

    Templates start with ``{% extends layout %}``, so one URL serves the page or,
    to htmx, only its main content (the middleware adds ``Vary: HX-Request``).
    """
    user = getattr(request.state, "portal_user", None)
    want_fragment = is_htmx(request) if fragment is None else fragment
    ctx: dict[str, Any] = {
        "request": request,
        "user": user,
        "csrf_token": csrf_token(request),
        "locale": safe_locale(user.locale if user else None),
        "currency": user.currency if user else None,
        "layout": "fragment.html" if want_fragment else "base.html",
        "is_htmx": want_fragment,
    }
    ctx.update(context or {})
    return templates().TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )
