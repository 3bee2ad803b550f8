"""Pure rules for quotes and OEM requests: statuses, who may act, answers, artwork files.

Statuses::

    requested ──answer──▶ answered ──accept──▶ accepted (an order exists)
        │                    │  └──decline──▶ declined
        └──cancel──▶ cancelled
                             └── valid_until passed ──▶ expired (derived when read)

``expired`` is never stored: an answered quote whose ``valid_until`` (a UTC date,
the last day it can be accepted) has passed reads as expired and cannot be
accepted. Staff may answer again (revise the prices or renew the validity) while
a quote is requested, answered or expired.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from microbag.accounts.policies import BUYER_WRITE_ROLES, STAFF_QUOTE_ROLES
from microbag.accounts.principal import Principal
from microbag.errors import ErrorItem

REQUESTED = "requested"
ANSWERED = "answered"
ACCEPTED = "accepted"
DECLINED = "declined"
CANCELLED = "cancelled"
EXPIRED = "expired"
STATUSES = (REQUESTED, ANSWERED, ACCEPTED, DECLINED, CANCELLED, EXPIRED)
CLOSED = frozenset({ACCEPTED, DECLINED, CANCELLED})

KINDS = ("quote", "oem")

# Bounds that keep every amount inside the database's 32-bit integer columns.
MAX_LINES = 100
MAX_QUANTITY = 100_000
MAX_UNIT_PRICE_MINOR = 100_000_000
MAX_TOTAL_MINOR = 2_000_000_000
MAX_LEAD_TIME_DAYS = 365
MAX_ARTWORKS_PER_QUOTE = 20


# ---- statuses ----------------------------------------------------------------------------------


def effective_status(status: str, valid_until: date | None, today: date) -> str:
    """The status a reader sees: an answered quote past its validity is expired."""
    if status == ANSWERED and valid_until is not None and today > valid_until:
        return EXPIRED
    return status


def _closed(status: str) -> ErrorItem:
    return ErrorItem("quote_closed", f"the quote is {status}; nothing more can be done with it")


def check_answer(status: str) -> ErrorItem | None:
    """Staff may answer a requested quote, and revise or renew an answered or expired one."""
    if status in (REQUESTED, ANSWERED, EXPIRED):
        return None
    return _closed(status)


def check_accept(status: str) -> ErrorItem | None:
    """Only an answered, unexpired quote can be accepted (an accepted one is a replay)."""
    if status in (ANSWERED, ACCEPTED):
        return None
    if status == REQUESTED:
        return ErrorItem("quote_not_answered", "the seller has not answered this quote yet")
    if status == EXPIRED:
        return ErrorItem("quote_expired", "the quote's validity has passed; ask for a new one")
    return _closed(status)


def check_decline(status: str) -> ErrorItem | None:
    """The buyer declines an answer; declining twice is harmless."""
    if status in (ANSWERED, DECLINED):
        return None
    if status == REQUESTED:
        return ErrorItem(
            "quote_not_answered", "the quote has no answer to decline; cancel it instead"
        )
    if status == EXPIRED:
        return ErrorItem("quote_expired", "the quote's validity has passed already")
    return _closed(status)


def check_cancel(status: str) -> ErrorItem | None:
    """The buyer withdraws a request before it is answered; cancelling twice is harmless."""
    if status in (REQUESTED, CANCELLED):
        return None
    if status in (ANSWERED, EXPIRED):
        return ErrorItem(
            "quote_already_answered", "the seller has answered; decline the quote instead"
        )
    return _closed(status)


def check_add_artwork(status: str) -> ErrorItem | None:
    """Artwork belongs to the request: it can be added until the seller answers."""
    if status == REQUESTED:
        return None
    return ErrorItem(
        "quote_not_open", f"artwork can be added only before the answer; the quote is {status}"
    )


# ---- who may do what ---------------------------------------------------------------------------


def may_request(p: Principal) -> bool:
    """Request, accept, decline, cancel and upload artwork: a buyer's owner or buyer."""
    return not p.is_staff and p.role in BUYER_WRITE_ROLES


def may_answer(p: Principal) -> bool:
    return p.is_staff and p.role in STAFF_QUOTE_ROLES


def may_see_all(p: Principal) -> bool:
    """Staff see every company's quotes (the inbox); buyers only their own company's."""
    return p.is_staff


# ---- the seller's answer -----------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    line_no: int
    unit_price_minor: int


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a non-leap year
        return day.replace(year=day.year + years, day=28)


def validate_answer(
    quantities: Mapping[int, int],
    prices: Iterable[AnswerLine],
    lead_time_days: int,
    valid_until: date,
    today: date,
) -> tuple[dict[int, int], list[ErrorItem]]:
    """Check an answer against the quote's lines (``line_no -> quantity``).

    Returns the unit price per line number and every problem found.
    """
    errors: list[ErrorItem] = []
    priced: dict[int, int] = {}
    for p in prices:
        if p.line_no not in quantities:
            errors.append(
                ErrorItem("unknown_line", f"the quote has no line {p.line_no}", p.line_no)
            )
        elif p.line_no in priced:
            errors.append(
                ErrorItem("duplicate_line", f"line {p.line_no} is priced twice", p.line_no)
            )
        elif not 0 <= p.unit_price_minor <= MAX_UNIT_PRICE_MINOR:
            errors.append(
                ErrorItem(
                    "invalid_unit_price",
                    f"unit price must be between 0 and {MAX_UNIT_PRICE_MINOR} minor units",
                    p.line_no,
                )
            )
        else:
            priced[p.line_no] = p.unit_price_minor
    for line_no in sorted(set(quantities) - set(priced)):
        if not any(e.line == line_no for e in errors):
            errors.append(
                ErrorItem("missing_unit_price", f"line {line_no} needs a unit price", line_no)
            )
    if not 1 <= lead_time_days <= MAX_LEAD_TIME_DAYS:
        errors.append(
            ErrorItem(
                "invalid_lead_time",
                f"lead time must be between 1 and {MAX_LEAD_TIME_DAYS} days",
            )
        )
    if valid_until <= today:
        errors.append(ErrorItem("invalid_valid_until", "valid_until must be in the future"))
    elif valid_until > add_years(today, 1):
        errors.append(
            ErrorItem("invalid_valid_until", "valid_until must be at most one year ahead")
        )
    if not errors:
        total = sum(quantities[n] * price for n, price in priced.items())
        if total > MAX_TOTAL_MINOR:
            errors.append(
                ErrorItem(
                    "quote_total_too_large",
                    f"the quote's total exceeds {MAX_TOTAL_MINOR} minor units",
                )
            )
    return priced, errors


# ---- artwork files -----------------------------------------------------------------------------

# Canonical content types and the extension used when a filename has none.
ARTWORK_TYPES: dict[str, str] = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/pdf": ".pdf",
    "image/svg+xml": ".svg",
    "application/postscript": ".eps",
    "application/illustrator": ".ai",
}
_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}

# (content type, accepted leading bytes). SVG is text and checked separately.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/pdf": (b"%PDF-",),
    # EPS is PostScript (or DOS EPS binary); Illustrator files are PDF or PostScript.
    "application/postscript": (b"%!PS", b"\xc5\xd0\xd3\xc6", b"%PDF-"),
    "application/illustrator": (b"%!PS", b"\xc5\xd0\xd3\xc6", b"%PDF-"),
}


def normalize_content_type(value: str | None) -> str:
    """``Image/JPG; charset=x`` -> ``image/jpeg``; parameters dropped."""
    base = (value or "").split(";", 1)[0].strip().lower()
    return _TYPE_ALIASES.get(base, base)


def svg_problem(data: bytes) -> ErrorItem | None:
    """Why ``data`` is no acceptable SVG, or None.

    Parsed with defusedxml (entities and external references are refused, so no
    "billion laughs" can expand), and the root element must be ``<svg>``.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return ErrorItem(
            "artwork_unsafe_svg",
            "the SVG declares XML entities or external references, which are not accepted",
        )
    except (ParseError, ValueError):
        return ErrorItem("artwork_type_mismatch", "the file's content is not well-formed SVG XML")
    tag = str(root.tag).rpartition("}")[2]
    if tag != "svg":
        return ErrorItem(
            "artwork_type_mismatch", f"the file's root element is <{tag[:40]}>, not <svg>"
        )
    return None


def magic_matches(content_type: str, data: bytes) -> bool:
    if content_type == "image/svg+xml":
        return svg_problem(data) is None
    return any(data.startswith(sig) for sig in _MAGIC.get(content_type, ()))


_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/pdf": (".pdf",),
    "image/svg+xml": (".svg",),
    "application/postscript": (".eps", ".ps", ".ai"),
    "application/illustrator": (".ai", ".eps"),
}
_UNSAFE = re.compile(r"[^\w.\- ()]+")
MAX_FILENAME_CHARS = 120


def sanitize_filename(raw: str | None, content_type: str) -> str:
    """A harmless display name: no directories, control or shell characters, no dotfiles."""
    name = unicodedata.normalize("NFKC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" ._")
    stem, ext = os.path.splitext(name)
    if ext.lower() in _EXTENSIONS.get(content_type, ()):
        ext = ext.lower()
    else:  # keep the whole name and add the extension the content really has
        stem, ext = name, ARTWORK_TYPES.get(content_type, "")
    stem = stem[: MAX_FILENAME_CHARS - len(ext)].strip(" ._") or "artwork"
    return stem + ext


def validate_artwork(
    content_type: str, size: int, data: bytes, max_bytes: int
) -> tuple[ErrorItem, int] | None:
    """The first problem with an upload and its HTTP status, or None when acceptable."""
    if size > max_bytes:
        return (
            ErrorItem(
                "artwork_too_large",
                f"artwork files may be at most {max_bytes // (1024 * 1024)} MB",
            ),
            413,
        )
    if size == 0:
        return ErrorItem("artwork_empty", "the uploaded file is empty"), 422
    if content_type not in ARTWORK_TYPES:
        allowed = ", ".join(sorted(ARTWORK_TYPES))
        return (
            ErrorItem(
                "artwork_type_not_allowed",
                f"type {content_type or 'unknown'!r} is not accepted; use one of {allowed}",
            ),
            422,
        )
    if content_type == "image/svg+xml":
        problem = svg_problem(data)
        return None if problem is None else (problem, 422)
    if not magic_matches(content_type, data):
        return (
            ErrorItem(
                "artwork_type_mismatch",
                f"the file's content is not {content_type}",
            ),
            422,
        )
    return None
