"""Issue 3's journeys in Debian's Chromium: 1 (a buyer orders; staff confirm and ship) and
4 (another company's order is not found; a form post without a CSRF token is refused).

Staff act through the bearer-token API here; the staff pages come with their own journeys.
"""

from __future__ import annotations

import httpx
import pytest

from .conftest import browser_context, browser_sign_in, screenshot

pytestmark = pytest.mark.browser


def test_journey_1_buyer_orders_and_follows_the_timeline(world, browser_page, live_server):
    page = browser_page
    browser_sign_in(page, "buyer@a.test")
    assert page.url.endswith("/catalog")
    # Filter to micro clutches in gold (htmx swaps the results in place).
    page.get_by_role("checkbox", name="Micro clutch").check()
    page.wait_for_url("**/catalog?bag_type=micro_clutch*")
    page.get_by_role("checkbox", name="Gold").check()
    page.wait_for_url("**color=gold*")
    # Ships by a date: in stock now counts. (The date input also submits on change, but a
    # change right after the last swap may land before htmx has wired the new form.)
    page.locator("#f-color-gold[checked]").wait_for()
    page.get_by_label("Ships by").fill("2030-01-22")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**ships_by=2030-01-22*")
    results = page.locator("#results > li")
    assert results.count() == 1
    screenshot(page, "journey1-catalog-filtered")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: one column
    screenshot(page, "journey1-catalog-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    results.first.get_by_role("link").click()
    page.wait_for_url("**/catalog/MC-001-GLD")
    assert page.get_by_role("link", name="Request a quote").get_attribute("href") == (
        "/quotes/new?sku=MC-001-GLD"
    )
    screenshot(page, "journey1-sku")

    # Below the MOQ: the error shows on the line, and placing is not offered.
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart")
    line = page.locator("#line-1")
    assert "below the minimum order quantity of 6" in line.inner_text()
    assert page.get_by_role("button", name="Place order").is_disabled()
    screenshot(page, "journey1-cart-below-moq")

    # Fix it: set 12 and update (htmx swaps the cart), then place.
    page.get_by_label("Quantity of MC-001-GLD").fill("12")
    page.get_by_role("button", name="Update", exact=True).click()
    page.locator("#qty-1[value='12']").wait_for()
    assert page.locator(".line-errors").count() == 0
    place = page.get_by_role("button", name="Place order")
    assert place.is_enabled()
    screenshot(page, "journey1-cart-ready")
    place.dblclick()  # a double click must still give one order
    page.wait_for_url("**/orders/*?placed=1")
    order_id = int(page.url.split("/orders/")[1].split("?")[0])
    assert page.locator("#timeline li.done").count() == 1
    screenshot(page, "journey1-order-placed")

    staff = world.auth("sales@seller.test")
    with httpx.Client(base_url=live_server, headers=staff, timeout=10) as api:
        listed = api.get("/api/v1/orders", params={"page_size": 50}).json()
        assert [o["id"] for o in listed["items"]] == [order_id]
        assert api.post(f"/api/v1/orders/{order_id}/confirm").status_code == 200
        shipped = api.post(f"/api/v1/orders/{order_id}/ship", json={"tracking_ref": "DHL-42"})
        assert shipped.status_code == 200

    page.goto(f"/orders/{order_id}")
    done = page.locator("#timeline li.done")
    assert [done.nth(i).get_attribute("data-status") for i in range(done.count())] == [
        "placed",
        "confirmed",
        "shipped",
    ]
    assert "DHL-42" in page.content()
    screenshot(page, "journey1-order-shipped")


def test_journey_4_other_company_order_and_csrf(world, browser, live_server):
    with (
        browser_context(browser, live_server) as a_context,
        browser_context(browser, live_server) as b_context,
    ):
        a, b = a_context.new_page(), b_context.new_page()
        browser_sign_in(a, "buyer@a.test")
        a.goto("/catalog/MC-001-GLD")
        a.get_by_label("Quantity").fill("12")
        a.get_by_role("button", name="Add to cart").click()
        a.get_by_role("button", name="Place order").click()
        a.wait_for_url("**/orders/*?placed=1")
        order_path = a.url.split("?")[0].removeprefix(live_server)

        browser_sign_in(b, "buyer@b.test")
        response = b.goto(order_path)
        assert response is not None and response.status == 404
        assert b.get_by_role("heading", name="Page not found").is_visible()
        screenshot(b, "journey4-not-found")

        # A form post without the CSRF token (the session cookie alone) is refused.
        refused = b.request.post("/logout", form={"next": "/"})
        assert refused.status == 403
        b.set_content(refused.text())
        assert "did not come from this site" in b.content()
        screenshot(b, "journey4-csrf-refused")
        # ...and B is still signed in: nothing changed.
        b.goto("/orders")
        assert b.get_by_role("heading", name="Orders").is_visible()
