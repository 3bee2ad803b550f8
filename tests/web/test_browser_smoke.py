"""The browser harness itself: Debian's Chromium signs in through the real form."""

from __future__ import annotations

import pytest

from .conftest import browser_sign_in, screenshot

pytestmark = pytest.mark.browser


def test_sign_in_and_out_in_chromium(world, browser_page):
    page = browser_page
    page.goto("/catalog")
    assert "/login" in page.url
    screenshot(page, "login")
    browser_sign_in(page, "buyer@a.test")
    assert page.url.endswith("/catalog")
    assert page.get_by_role("heading", name="Catalog").is_visible()
    # htmx is loaded from /static and picked up the CSRF header for the page.
    assert page.evaluate("() => window.htmx && window.htmx.version") == "2.0.11"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
