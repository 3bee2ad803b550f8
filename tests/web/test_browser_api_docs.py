"""/docs and /redoc in Debian's Chromium with every off-machine request refused.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, so without internet they
stay blank; these tests fail on such pages (the scripts never arrive) and pass only
when every asset is served by the app itself.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def refuse_off_machine(page: Any) -> list[str]:
    """Abort every request to another host; returns the list of refused URLs."""
    refused: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    page.context.route("**/*", handle)
    return refused


@pytest.mark.browser
def test_swagger_ui_lists_the_operations_offline(browser_page):
    page = browser_page
    refused = refuse_off_machine(page)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto("/docs")
    operations = page.locator(".opblock")
    operations.first.wait_for()
    # Every tagged group is there, and a known operation with its path.
    assert operations.count() > 50
    assert page.locator(".opblock-tag", has_text="orders").count() >= 1
    assert page.locator(".opblock-summary-path", has_text="/api/v1/orders").count() >= 1
    assert page.title() == "microbag API"
    assert refused == [], f"requests left the machine: {refused}"
    assert failed == []


@pytest.mark.browser
def test_redoc_renders_offline(browser_page):
    page = browser_page
    refused = refuse_off_machine(page)
    page.goto("/redoc")
    page.get_by_role("heading", name="microbag", exact=False).first.wait_for()
    # ReDoc lists every operation in its menu and shows each one's path.
    assert page.get_by_text("/api/v1/orders", exact=False).count() >= 1
    assert refused == [], f"requests left the machine: {refused}"


def test_docs_pages_name_only_local_assets(client: TestClient):
    """Without a browser: the pages point at /docs/assets, and the files are served."""
    for url in ("/docs", "/redoc"):
        html = client.get(url).text
        assert "cdn." not in html and "https://" not in html, html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        r = client.get(f"/docs/assets/{asset}")
        assert r.status_code == 200 and len(r.content) > 100_000, asset
    assert client.get("/openapi.json").status_code == 200
