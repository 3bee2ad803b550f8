"""Issue 11's preorders, backorders and partial shipments in Debian's Chromium, with the
screenshots in docs/screenshots/fulfilment-*.png:

(a) a buyer puts a SKU with only incoming stock in the cart, chooses "preorder", places
    the order and sees the promised ship window; staff see it in the waiting queue
    (/staff/backorders) and move another company's backorder ahead of it;
(b) staff ship part of a confirmed order with a carrier and tracking number, then the
    rest; the buyer sees two shipments with tracking links and the order shipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update

from microbag.accounts.service import get_user_by_email, principal_of
from microbag.orders import service
from microbag.orders.schemas import OrderLineIn
from microbag.stock.models import StockLevel

from .conftest import browser_context, browser_sign_in, screenshot

pytestmark = pytest.mark.browser
GLD, RED = "MC-001-GLD", "MT-001-RED"
UPS = "1Z999AA10123456784"


@pytest.fixture
def staff_page(browser, live_server) -> Iterator[Any]:
    """A second browser (its own cookies) for the seller's staff."""
    with browser_context(browser, live_server) as context:
        yield context.new_page()


def _on_hand(db, world, sku: str, on_hand: int) -> None:
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel).where(StockLevel.sku_id == world.skus[sku]).values(on_hand=on_hand)
        )


def _place(db, email: str, lines: list[OrderLineIn]) -> int:
    with db.session(write=True) as s:
        order, _ = service.place_order(s, principal_of(get_user_by_email(s, email)), lines)
        return order.id


def _order_id(url: str) -> int:
    return int(url.split("/orders/")[1].split("?")[0])


def test_preorder_journey(db, world, browser_page, staff_page) -> None:
    _on_hand(db, world, GLD, 0)  # nothing on hand: only the batch expected in January 2030
    page = browser_page
    browser_sign_in(page, "buyer@a.test")
    page.goto(f"/catalog/{GLD}")
    page.get_by_label("Quantity").fill("12")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart")
    line = page.locator("#line-1")
    assert "insufficient_stock" in line.locator(".line-errors").inner_html()
    assert page.get_by_role("button", name="Place order").is_disabled()

    # Choose the preorder (htmx sends the choice and swaps the checked cart in).
    choice = page.get_by_label(f"How to fill {GLD}")
    preorder = choice.locator("option[value=preorder]").inner_text()
    assert re.fullmatch(r"Preorder \(ships .+2030 – .+2030\)", preorder)
    choice.select_option("preorder")
    page.locator("#fulfilment-1[data-chosen=preorder]").wait_for()
    assert page.locator(".line-errors").count() == 0
    place = page.get_by_role("button", name="Place order")
    assert place.is_enabled()
    screenshot(page, "fulfilment-cart-preorder")
    place.click()
    page.wait_for_url("**/orders/*?placed=1")
    preorder_id = _order_id(page.url)
    assert page.locator("#promise-1").inner_text() == (
        "Preorder: 12 of 12 ships 2030-01-15 to 2030-01-22"
    )

    # Another company backorders the same SKU; staff see both waiting and serve the
    # backorder first.
    backorder_id = _place(
        db, "buyer@b.test", [OrderLineIn(sku=GLD, quantity=24, fulfilment="backorder")]
    )
    staff = staff_page
    browser_sign_in(staff, "sales@seller.test")
    staff.get_by_role("link", name="Backorders", exact=True).click()
    staff.wait_for_url("**/staff/backorders")
    rows = staff.locator(f"section[data-sku='{GLD}'] tbody tr")
    assert [r.get_attribute("data-order") for r in rows.all()] == [
        str(preorder_id),
        str(backorder_id),
    ]
    staff.get_by_label(f"Priority of order {backorder_id} line 1", exact=True).fill("10")
    staff.get_by_role("button", name=f"Save the priority of order {backorder_id} line 1").click()
    staff.wait_for_url("**/staff/backorders?done=priority")
    assert [r.get_attribute("data-order") for r in rows.all()] == [
        str(backorder_id),
        str(preorder_id),
    ]
    screenshot(staff, "fulfilment-staff-backorders")


def test_partial_shipments_journey(db, world, browser_page, staff_page) -> None:
    order_id = _place(
        db, "buyer@a.test", [OrderLineIn(sku=GLD, quantity=24), OrderLineIn(sku=RED, quantity=12)]
    )
    staff = staff_page
    browser_sign_in(staff, "sales@seller.test")
    staff.goto(f"/staff/orders/{order_id}")
    staff.get_by_role("button", name="Confirm order").click()
    staff.get_by_text("Order confirmed.").wait_for()

    # First shipment: half the gold by UPS.
    staff.get_by_label(f"Units of {GLD} to ship").fill("12")
    staff.get_by_label(f"Units of {RED} to ship").fill("0")
    staff.locator("#shipment-carrier").select_option("ups")
    staff.locator("#shipment-tracking_number").fill("1Z 999 AA1 01 2345 6784")
    staff.get_by_role("button", name="Create shipment").click()
    staff.get_by_text("Shipment recorded").wait_for()
    assert staff.locator("#shipment-list tbody tr").count() == 1
    assert staff.get_by_label(f"Units of {GLD} to ship").input_value() == "12"
    screenshot(staff, "fulfilment-staff-order")

    buyer = browser_page
    browser_sign_in(buyer, "buyer@a.test")
    buyer.goto(f"/orders/{order_id}")
    assert "Partly shipped" in buyer.locator("h1").inner_text()
    assert buyer.locator("#promise-1").inner_text() == "Reserved from stock, 12 shipped"
    screenshot(buyer, "fulfilment-buyer-order")

    # The rest by DHL Express (the form's defaults: everything still reserved).
    staff.locator("#shipment-carrier").select_option("dhl_express")
    staff.locator("#shipment-tracking_number").fill("1234567890")
    staff.get_by_role("button", name="Create shipment").click()
    staff.get_by_text("Order shipped.").wait_for()
    assert staff.locator("#shipment-list tbody tr").count() == 2

    buyer.goto(f"/orders/{order_id}")
    assert "Shipped" in buyer.locator("h1").inner_text()
    links = buyer.locator("#shipment-list a.tracking-link")
    assert [a.get_attribute("href") for a in links.all()] == [
        f"https://www.ups.com/track?tracknum={UPS}",
        "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1"
        "&tracking-id=1234567890",
    ]
    assert buyer.locator("#promise-1").inner_text() == "Shipped"
    screenshot(buyer, "fulfilment-buyer-order-shipped")
