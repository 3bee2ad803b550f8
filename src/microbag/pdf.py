"""Documents as PDF (WeasyPrint) from the HTML templates under web/templates: purchase
orders, pick lists, packing slips.

Rendered with a plain Jinja2 environment (this module sits below the web layer).
Nothing is fetched over the network: the CSS is inline, fonts are the system's, and
the URL fetcher refuses every URL."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES_DIR = Path(__file__).resolve().parent / "web" / "templates"


class NoNetwork(Exception):
    """A document asked for a URL: documents are self-contained."""


def _refuse_urls(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise NoNetwork(f"a PDF document fetches nothing ({url[:80]})")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )


def render_html(template: str, **context: Any) -> str:
    """A document template rendered to HTML."""
    return _environment().get_template(template).render(**context)


def html_to_pdf(html: str) -> bytes:
    """The HTML as PDF bytes (starting with %PDF)."""
    from weasyprint import HTML  # a heavy import, paid only when a PDF is asked for

    pdf = HTML(string=html, base_url=None, url_fetcher=_refuse_urls).write_pdf()
    return bytes(pdf or b"")
