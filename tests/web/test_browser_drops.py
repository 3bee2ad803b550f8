"""Issue 11's drop journey in Debian's Chromium, with the screenshots in docs/screenshots:

a merchandiser creates a limited-edition drop (24 units of MC-001-GLD, a cap of 18 per
buyer, boutiques in Europe plus Big Store named) and opens it; two buyers, each in their
own browser, see the countdown to the embargo and request 18 units each; the
merchandiser moves the embargo to a few seconds from now, previews the fair shares (one
case pack each, the rest to Big Store, the only one with purchases in the past year) and
allocates; each buyer then sees its allocation and opens its order.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from microbag.timeutil import utcnow
from tests.factories import add_history_order

from .conftest import browser_context, browser_sign_in, screenshot

pytestmark = pytest.mark.browser
SKU = "MC-001-GLD"


def _context_page(browser: Any, live_server: str) -> Iterator[Any]:
    with browser_context(browser, live_server) as context:
        yield context.new_page()


@pytest.fixture
def buyer_a(browser, live_server) -> Iterator[Any]:
    yield from _context_page(browser, live_server)


@pytest.fixture
def buyer_b(browser, live_server) -> Iterator[Any]:
    yield from _context_page(browser, live_server)


def _units(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_drop_journey(db, world, browser_page, buyer_a, buyer_b) -> None:
    with db.session(write=True) as s:  # Big Store bought 120 bags last month
        add_history_order(
            s,
            world.company_b,
            world.skus["MT-001-RED"],
            "MT-001-RED",
            120,
            utcnow() - timedelta(days=30),
        )
    page = browser_page
    browser_sign_in(page, "merch@seller.test")

    # 1. The merchandiser creates the drop and opens it for requests.
    page.goto("/staff/drops")
    page.locator("#new-drop").click()
    page.locator("#f-name").fill("Gala Gold Night")
    embargo = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")
    page.get_by_label("Embargo (UTC)").fill(embargo)
    page.get_by_label("SKU of line 1").fill(SKU)
    page.get_by_label("Edition of line 1").fill("24")
    page.get_by_label("Cap per buyer of line 1").fill("18")
    page.get_by_label("Boutique").check()
    page.get_by_label("Europe").check()
    page.get_by_label("Named buyers (always eligible)").select_option(label="Big Store (NYC)")
    page.get_by_label("Open it for requests now").check()
    screenshot(page, "drops-staff-new")
    page.locator("#create-drop").click()
    page.wait_for_url(re.compile(r".*/staff/drops/\d+\?done=created$"))
    drop_path = page.url.split("?")[0].removeprefix(page.url.split("/staff/")[0])
    drop_id = drop_path.rsplit("/", 1)[1]
    assert page.locator("#drop-status").inner_text() == "Open"
    assert "Big Store (NYC)" in page.locator("#eligibility").inner_text()

    # 2. Two buyers, each in their own browser, see the countdown and request.
    for buyer, email in ((buyer_a, "buyer@a.test"), (buyer_b, "buyer@b.test")):
        browser_sign_in(buyer, email)
        buyer.goto("/drops")
        row = buyer.locator("#drops tbody tr")
        assert row.count() == 1 and "Gala Gold Night" in row.inner_text()
        countdown = row.locator("[data-countdown]")
        assert re.fullmatch(r"0[12] h \d\d min \d\d s", countdown.inner_text().strip())
        row.get_by_role("link", name="Gala Gold Night").click()
        buyer.wait_for_url(f"**/drops/{drop_id}")
        buyer.get_by_label(re.compile(rf"^Units of {SKU}")).fill("18")
        buyer.locator("#send-request").click()
        buyer.wait_for_url("**?done=requested")
        assert buyer.get_by_label(re.compile(rf"^Units of {SKU}")).input_value() == "18"
    screenshot(buyer_a, "drops-buyer-request")

    # A wrong quantity is refused next to its field.
    buyer_a.get_by_label(re.compile(rf"^Units of {SKU}")).fill("20")
    buyer_a.locator("#send-request").click()
    assert "whole case packs of 6" in buyer_a.locator(f"#f-qty_{SKU}-error").inner_text()

    # 3. The merchandiser sees both requests, moves the embargo a few seconds ahead,
    #    previews the shares and allocates once the embargo has passed.
    page.goto(drop_path)
    assert page.locator("#drop-requests tbody tr").count() == 2
    soon = utcnow() + timedelta(seconds=3)
    page.get_by_label("Move the embargo (UTC)").fill(soon.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Move").click()
    page.wait_for_url("**?done=embargo")
    screenshot(page, "drops-staff-requests")
    time.sleep(max(0.0, (soon - utcnow()).total_seconds()) + 1)
    page.goto(drop_path)
    page.locator("#preview-allocation").click()
    page.wait_for_url(f"**/staff/drops/{drop_id}/allocate")
    shares = {
        r.locator("td").nth(0).inner_text(): _units(r.locator("td").nth(3).inner_text())
        for r in page.locator("#allocation-preview tbody tr").all()
    }
    assert shares == {"Atelier Petit (Paris)": 6, "Big Store (NYC)": 18}
    screenshot(page, "drops-allocate-preview")
    page.get_by_role("button", name="Allocate now").click()
    page.wait_for_url("**?done=allocated")
    assert page.locator("#drop-status").inner_text() == "Allocated"
    outcomes = page.locator("#drop-allocations tbody tr")
    assert outcomes.count() == 2
    assert all("Ordered" in t for t in outcomes.all_inner_texts())
    screenshot(page, "drops-staff-allocated")

    # 4. Each buyer sees its allocation and opens its order.
    for buyer, units in ((buyer_a, 6), (buyer_b, 18)):
        buyer.goto(f"/drops/{drop_id}")
        assert _units(buyer.locator("#allocated-units").inner_text()) == units
        if buyer is buyer_a:
            screenshot(buyer, "drops-buyer-allocation")
        buyer.locator("#order-link").click()
        buyer.wait_for_url(re.compile(r".*/orders/\d+$"))
        assert SKU in buyer.content()
    screenshot(buyer_b, "drops-buyer-order")
