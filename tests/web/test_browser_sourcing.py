"""Issue 10's buying journey in Debian's Chromium, with the screenshots in docs/screenshots:

a merchandiser turns the reorder suggestion into a draft purchase order, sends it and
confirms it with the supplier's promised date (the PDF is there to send); a buyer, in
another browser, sees the units incoming on the SKU page; the merchandiser receives the
delivery with "inspect before stock", the lot waits in the receipts list, fails its
ISO 2859-1 sample and goes to quarantine (stock on hand unchanged), is accepted with a
note (stock grows by the lot); then the suppliers, a supplier, the scorecards and the
ranking with its sensitivity. The data: tests/test_sourcing_flow.py's ``journey_data``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.test_sourcing_flow import ON_HAND, SKU, journey_data

from .conftest import browser_context, browser_sign_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def buyer_page(browser, live_server) -> Iterator[Any]:
    """A buyer's browser: its own context, so its own cookies."""
    with browser_context(browser, live_server) as context:
        yield context.new_page()


def staff_on_hand(page: Any) -> int:
    page.goto(f"/staff/stock?sku={SKU}&warehouse=MAIN")
    cells = page.locator(f'#stock-levels tr[data-sku="{SKU}"][data-warehouse="MAIN"] td')
    return int(cells.nth(2).inner_text().replace(",", "").replace("\u202f", ""))


def test_sourcing_journey(db, world, browser_page, buyer_page) -> None:
    data = journey_data(db, world)
    page = browser_page
    browser_sign_in(page, "merch@seller.test")

    # 1. The reorder suggestion, drafted in one step; the notice links the draft.
    page.goto("/staff/reorder")
    row = page.locator(f'#reorder-lines tr[data-sku="{SKU}"][data-warehouse="MAIN"]')
    assert row.count() == 1 and page.locator("#reorder-lines tbody tr").count() == 1
    assert data.cheapest in row.inner_text()
    quantity = int(row.locator("td").nth(7).locator("strong").inner_text().replace(",", ""))
    assert quantity >= 50 and quantity % 10 == 0
    page.get_by_role("button", name="Create draft purchase orders").click()
    notice = page.locator("#drafts-made")
    notice.wait_for()
    assert "1 draft purchase order made" in notice.inner_text()
    screenshot(page, "sourcing-reorder")
    notice.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/staff/purchase-orders/\d+$"))
    po_path = page.url.split("?")[0].removeprefix(page.url.split("/staff/")[0])

    # 2. Send, confirm with the promised date; the PDF answers as a PDF.
    assert page.locator("#po-status").inner_text() == "draft"
    page.get_by_role("button", name="Send to the supplier").click()
    page.wait_for_url("**?done=sent")
    assert page.locator("#po-status").inner_text() == "sent"
    page.get_by_label("One date for every line").fill(data.promised.isoformat())
    page.get_by_role("button", name="Confirm", exact=True).click()
    page.wait_for_url("**?done=confirmed")
    assert page.locator("#po-status").inner_text() == "confirmed"
    assert "incoming stock buyers can see" in page.content()
    screenshot(page, "sourcing-po-confirmed")
    pdf = page.request.get(page.locator("#po-pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # 3. The buyer, in another browser, sees the units incoming with their ship window.
    browser_sign_in(buyer_page, "buyer@a.test")
    buyer_page.goto(f"/catalog/{SKU}")
    availability = buyer_page.get_by_text(re.compile(r"^Next: "))
    assert f"{quantity} expected" in availability.inner_text().replace(",", "")
    screenshot(buyer_page, "sourcing-buyer-incoming")
    # ...and never the buying side.
    refused = buyer_page.goto(po_path)
    assert refused is not None and refused.status in (403, 404)

    # 4. Receive with "inspect before stock": the lot waits, not sellable.
    page.goto(po_path)
    page.get_by_label(re.compile(rf"^Line 1 \({SKU}\)")).fill(str(quantity))
    page.get_by_label("Delivery note").fill("DN-2026-118")
    inspect_first = page.get_by_label(re.compile(r"^Inspect before stock"))
    assert inspect_first.is_checked()
    page.get_by_role("button", name="Receive", exact=True).click()
    page.wait_for_url("**?done=received")
    assert page.locator("#po-status").inner_text() == "received"
    assert "pending inspection" in page.locator("#po-lots").inner_text()
    screenshot(page, "sourcing-po-received")

    page.goto("/staff/receipts?status=pending_inspection")
    lots = page.locator("#lots tbody tr")
    assert lots.count() == 1 and SKU in lots.first.inner_text()
    lots.first.get_by_role("link", name=re.compile(r"^Lot \d+$")).click()
    page.wait_for_url(re.compile(r".*/staff/lots/\d+$"))
    lot_path = page.url.removeprefix(page.url.split("/staff/")[0])
    assert page.locator("#lot-status").get_attribute("data-status") == "pending_inspection"
    plans = page.locator("#plans")
    assert plans.locator('tr[data-class="critical"]').is_visible()
    sample = int(page.locator("#units-to-inspect").inner_text().replace(",", ""))
    assert 0 < sample < quantity
    # One broken clasp is a critical defect: AQL 0 rejects the lot.
    page.get_by_label("hardware critical", exact=True).fill("1")
    page.get_by_label("Note").fill("one clasp snaps open under light pull")
    page.get_by_role("button", name="Record the inspection").click()
    page.wait_for_url("**?done=inspected*")
    assert page.locator("#lot-status").get_attribute("data-status") == "quarantined"
    assert page.locator("article[data-result='reject']").count() == 1
    screenshot(page, "sourcing-lot-rejected")
    assert staff_on_hand(page) == ON_HAND  # a rejected lot never reaches stock
    buyer_page.goto(f"/catalog/{SKU}")
    assert buyer_page.get_by_text(f"{ON_HAND} available now").is_visible()

    # Accepted with a note: the lot's units join stock on hand.
    page.goto(lot_path)
    page.get_by_label("Decision").select_option("accept_with_note")
    page.get_by_label("Note").fill("clasps replaced by our workshop before shelving")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url("**?done=decided")
    assert page.locator("#lot-status").get_attribute("data-status") == "accepted"
    assert staff_on_hand(page) == ON_HAND + quantity
    screenshot(page, "sourcing-stock")
    buyer_page.goto(f"/catalog/{SKU}")
    assert buyer_page.get_by_text(f"{ON_HAND + quantity} available now").is_visible()

    # 5. Suppliers, one supplier, the scorecards and a ranking with its sensitivity.
    page.goto("/staff/suppliers")
    listed = page.locator("#suppliers tbody tr")
    assert listed.count() == 3
    assert "ZJ-02" in page.locator("#certificate-warnings").inner_text()
    screenshot(page, "sourcing-suppliers")
    page.locator("#suppliers").get_by_role("link", name="ZJ-02", exact=True).click()
    page.wait_for_url(re.compile(r".*/staff/suppliers/\d+$"))
    assert "Wenzhou Fine Bags" in page.content() and SKU in page.content()
    screenshot(page, "sourcing-supplier")

    page.goto("/staff/scorecards")
    assert page.locator("#scorecard-ZJ-02").is_visible()
    assert page.locator("#scorecard-GZ-01").is_visible()
    screenshot(page, "sourcing-scorecards")
    page.locator("#to-ranking").click()
    page.get_by_label("SKU").fill(SKU)
    page.get_by_role("button", name="Rank").click()
    page.wait_for_url(f"**sku={SKU}*")
    assert page.locator("#ranking tbody tr").count() == 3
    assert page.locator("#stability").is_visible()
    assert page.locator("#sensitivity tbody tr").count() > 0
    screenshot(page, "sourcing-ranking")
