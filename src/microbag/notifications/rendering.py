"""Rendering a message from its kind's templates (plain text and HTML, Jinja2).

The HTML body is autoescaped (a buyer's PO number or a note can hold anything); the text
body is not (it is never interpreted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"

# kind -> subject template (the reference number always in the subject: buyers file mail
# by order and quote).
SUBJECTS: dict[str, str] = {
    "order_confirmed": "Order {{ order_number }} confirmed",
    "order_shipped": "Order {{ order_number }} shipped",
    "quote_answered": "Quote {{ quote_number }} answered",
    "drop_allocated": "Drop {{ drop_name }}: your allocation",
    "test": "microbag test message",
}


# Keys a caller may leave out.
OPTIONAL: dict[str, object] = {
    "po_number": "",
    "message": "",
    "carrier": "",
    "tracking_url": "",
    "user_name": "",
    "lines": [],
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,  # a caller that forgets a key fails in its own test
        keep_trailing_newline=True,
    )


def render(kind: str, context: Mapping[str, object]) -> Rendered:
    env = _environment()
    values = {**OPTIONAL, **context}
    subject = env.from_string(SUBJECTS[kind]).render(values).replace("\n", " ").strip()
    text = env.get_template(f"{kind}.txt").render(values)
    html = env.get_template(f"{kind}.html").render(values)
    return Rendered(subject[:300], text, html)
