"""Helpers for the staff and quote page tests (the signed-in clients come from tests/web)."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from ..conftest import csrf_from

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def token(client: TestClient, page: str = "/quotes") -> str:
    """The session's CSRF token, read from a page's form (one per session)."""
    r = client.get(page)
    assert r.status_code == 200, r.text[:500]
    return csrf_from(r.text)


def post(
    client: TestClient,
    url: str,
    data: dict[str, Any] | None = None,
    *,
    page: str = "/staff/orders",
    files: Any = None,
) -> Any:
    """A form post with the session's CSRF token, not following the redirect."""
    form = {"csrf_token": token(client, page), **(data or {})}
    return client.post(url, data=form, files=files, follow_redirects=False)


def field_errors(page: str, field_id: str) -> str:
    """The error text shown next to a field (empty when there is none)."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else ""


def general_errors(page: str, box: str = "form-errors") -> str:
    """The text of the error box above a form (empty when there is none)."""
    match = re.search(rf'id="{box}">(.*?)</div>', page, re.S)
    if not match:
        return ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())
