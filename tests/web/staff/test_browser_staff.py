"""Issue 3's journeys in Debian's Chromium, on the staff side.

1 (staff half): staff confirm and ship a buyer's order; the buyer sees the timeline change.
2: a buyer requests a customized quote with an artwork upload; staff answer; the buyer
   accepts; exactly one order exists.
3: staff import a catalog file with two bad rows, see them in the preview, fix the file,
   import; the new SKUs show in the buyer's catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from microbag.orders.models import Order

from ..conftest import browser_context, browser_sign_in, screenshot
from .conftest import PNG
from .test_import_pages import GOOD, bad_file, csv_file

pytestmark = pytest.mark.browser


@pytest.fixture
def two_browsers(browser, live_server) -> Iterator[tuple[Any, Any]]:
    """A buyer's and a staff member's browser, each with its own cookies."""
    with (
        browser_context(browser, live_server) as buyer,
        browser_context(browser, live_server) as staff,
    ):
        yield buyer.new_page(), staff.new_page()


def _orders(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Order)))


def test_journey_1_staff_confirm_and_ship(world, two_browsers):
    buyer, staff = two_browsers
    browser_sign_in(buyer, "buyer@a.test")
    buyer.goto("/catalog/MC-001-GLD")
    buyer.get_by_label("Quantity").fill("12")
    buyer.get_by_role("button", name="Add to cart").click()
    buyer.get_by_role("button", name="Place order").click()
    buyer.wait_for_url("**/orders/*?placed=1")
    order_id = int(buyer.url.split("/orders/")[1].split("?")[0])

    browser_sign_in(staff, "sales@seller.test")
    assert staff.url.endswith("/staff")
    assert staff.locator("#chart-units svg[role=img]").is_visible()
    screenshot(staff, "staff-dashboard")
    staff.get_by_role("link", name="Orders", exact=True).first.click()
    staff.get_by_label("Status").select_option("placed")
    staff.get_by_role("button", name="Show").click()
    staff.get_by_role("link", name=f"Order {order_id}").click()
    screenshot(staff, "journey1-staff-order-placed")
    staff.get_by_role("button", name="Confirm order").click()
    staff.get_by_text("Order confirmed.").wait_for()
    # Shipping needs a tracking reference (blanks are not one): the core's error shows
    # next to the field.
    staff.get_by_label("Tracking reference").fill("   ")
    staff.get_by_role("button", name="Ship order").click()
    staff.locator("#ship-tracking_ref-error").wait_for()
    screenshot(staff, "journey1-staff-ship-needs-tracking")
    staff.get_by_label("Tracking reference").fill("DHL-4242")
    staff.get_by_role("button", name="Ship order").click()
    staff.get_by_text("Order shipped.").wait_for()
    screenshot(staff, "journey1-staff-order-shipped")

    buyer.goto(f"/orders/{order_id}")
    done = buyer.locator("#timeline li.done")
    assert [done.nth(i).get_attribute("data-status") for i in range(done.count())] == [
        "placed",
        "confirmed",
        "shipped",
    ]
    assert "DHL-4242" in buyer.content()
    screenshot(buyer, "journey1-buyer-sees-shipped")


def test_journey_2_customized_quote_to_one_order(world, db, two_browsers):
    buyer, staff = two_browsers
    browser_sign_in(buyer, "buyer@a.test")
    buyer.get_by_role("link", name="Quotes").click()
    buyer.get_by_role("link", name="Request a quote").click()
    buyer.get_by_label("Customized (OEM) run").check()
    buyer.get_by_label("SKU code, line 1").fill("MC-001-GLD")
    buyer.get_by_label("Quantity, line 1").fill("3")  # below the MOQ: fine for a quote
    buyer.get_by_label("SKU code, line 2").fill("MT-001-RED")
    buyer.get_by_label("Quantity, line 2").fill("30")
    buyer.get_by_label("Logo").fill("Blind deboss of our monogram on the flap")
    buyer.get_by_label("Packaging").fill("Ivory dust bag, gift box")
    buyer.get_by_label("Notes").fill("For a bridal capsule in May")
    buyer.get_by_label("Artwork file (optional)").set_input_files(
        {"name": "monogram.png", "mimeType": "image/png", "buffer": PNG}
    )
    screenshot(buyer, "journey2-request-form")
    buyer.get_by_role("button", name="Send request").click()
    buyer.get_by_text("Your request is sent").wait_for()
    quote_path = buyer.url.split("?")[0].split(buyer.url.split("/quotes/")[0])[1]
    assert buyer.get_by_role("link", name="monogram.png").is_visible()
    screenshot(buyer, "journey2-requested")

    browser_sign_in(staff, "sales@seller.test")
    staff.get_by_role("link", name="Quotes").click()
    quote_id = quote_path.rsplit("/", 1)[1]
    staff.get_by_role("link", name=f"Quote {quote_id}").click()
    assert staff.get_by_role("link", name="monogram.png").is_visible()
    staff.get_by_label("Unit price of line 1 (MC-001-GLD) in EUR").fill("52.00")
    staff.get_by_label("Unit price of line 2 (MT-001-RED) in EUR").fill("38.50")
    staff.get_by_label("Lead time (days)").fill("45")
    staff.get_by_label("Note to the buyer").fill("Deboss plate included; samples in 2 weeks")
    screenshot(staff, "journey2-staff-answer")
    staff.get_by_role("button", name="Send the answer").click()
    staff.get_by_text("Answer sent").wait_for()

    buyer.goto(quote_path)
    assert "Deboss plate included" in buyer.content()
    assert buyer.locator("#quote-total").inner_text().replace("\u202f", " ").startswith("1")
    screenshot(buyer, "journey2-answered")
    assert _orders(db) == 0
    buyer.get_by_role("button", name="Accept and place the order").dblclick()
    buyer.wait_for_url("**/orders/*")
    buyer.get_by_role("heading", name="Order").first.wait_for()
    assert _orders(db) == 1  # a double click still makes exactly one order
    with db.session() as s:
        order = s.scalars(select(Order)).one()
        assert order.quote_id == int(quote_id)
        assert [(ln.sku_code, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
            ("MC-001-GLD", 3, 5200),
            ("MT-001-RED", 30, 3850),
        ]
    screenshot(buyer, "journey2-order")
    buyer.goto(quote_path)
    assert buyer.locator("#quote-status").inner_text() == "Accepted"


def test_journey_3_catalog_import_with_a_preview(world, two_browsers):
    buyer, staff = two_browsers
    browser_sign_in(staff, "merch@seller.test")
    staff.get_by_role("link", name="Catalog", exact=True).click()
    staff.get_by_role("link", name="Import a file").click()
    upload = {"name": "confetti.csv", "mimeType": "text/csv"}
    staff.get_by_label("CSV (UTF-8) or XLSX file").set_input_files({**upload, "buffer": bad_file()})
    staff.get_by_role("button", name="Check the file").click()
    staff.get_by_text("nothing was imported").wait_for()
    rows = staff.locator("#row-errors tbody tr")
    assert [rows.nth(i).get_attribute("data-line") for i in range(rows.count())] == ["2", "4"]
    assert "unobtainium" in rows.nth(1).inner_text()
    screenshot(staff, "journey3-preview-errors")

    staff.get_by_label("CSV (UTF-8) or XLSX file").set_input_files(
        {**upload, "buffer": csv_file(GOOD)}
    )
    staff.get_by_role("button", name="Check the file").click()
    staff.get_by_text("Every row passed the checks").wait_for()
    assert staff.locator("#skus-summary").inner_text() == "3 new, 0 updated"
    screenshot(staff, "journey3-preview-ok")
    staff.get_by_role("button", name="Import 3 rows").click()
    staff.locator("#import-done").wait_for()
    screenshot(staff, "journey3-imported")

    browser_sign_in(buyer, "buyer@a.test")
    buyer.goto("/catalog?q=confetti")
    results = buyer.locator("#results > li")
    assert results.count() == 3
    assert "Confetti Pouch" in results.first.inner_text()
    screenshot(buyer, "journey3-buyer-catalog")
