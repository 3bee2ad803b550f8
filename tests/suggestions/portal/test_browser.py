"""In Debian's Chromium: staff look at a company's suggested order and send it; the buyer
opens /suggestions, reads why, and turns the suggestion into a cart in one step."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from microbag.suggestions import company
from microbag.suggestions.engine import BuyerProfile, SuggestionModel
from tests.suggestions.company_world import TODAY
from tests.web.conftest import browser_sign_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def engine(monkeypatch, blocked_world):
    """The real engine on a small history: company A reorders two SKUs; buyers like it
    (company B, an imported customer in Europe) buy others, some it may not order."""
    a, b = str(blocked_world.company_a), str(blocked_world.company_b)
    rows = []
    for k in range(8):
        day = TODAY - timedelta(weeks=4 * k + 2)
        rows.append((a, "MC-001-GLD", day, f"A{k}", 12))
        if k % 2 == 0:
            rows.append((a, "MT-001-RED", day, f"A{k}", 20))
    for k in range(6):
        day = TODAY - timedelta(weeks=3 * k + 1)
        rows += [(b, "CB-001-TAN", day, f"B{k}", 18), (b, "MC-001-GLD", day, f"B{k}", 6)]
        rows += [("17850", "CB-001-TAN", day, f"C{k}", 18), ("17850", "EXP-RED", day, f"C{k}", 6)]
    purchases = pl.DataFrame(
        rows, schema=["buyer_ref", "sku", "day", "invoice", "units"], orient="row"
    )
    profiles = {
        a: BuyerProfile(a, "europe", "boutique"),
        b: BuyerProfile(b, "us", "department_store"),
        "17850": BuyerProfile("17850", "europe", None),
    }
    model = SuggestionModel.fit(purchases, profiles, TODAY, learn=False)
    monkeypatch.setattr(company, "model_for", lambda session: model)
    return model


def test_staff_send_then_buyer_opens_suggestions_into_a_cart(blocked_world, browser_page, engine):
    page = browser_page
    a = blocked_world.company_a
    browser_sign_in(page, "sales@seller.test")
    page.goto(f"/staff/companies/{a}")
    page.get_by_role("link", name="What Atelier Petit (Paris) could order next").click()
    page.wait_for_url(f"**/staff/companies/{a}/suggestions")
    assert page.locator("#suggestion tbody tr[data-sku='EXP-RED']").count() == 0
    page.get_by_label("Note to the buyer (optional)").fill("Your spring reorder, ready to go.")
    screenshot(page, "suggestions-staff-company")
    page.get_by_role("button", name="Send to the buyer").click()
    page.wait_for_url("**done=sent")
    assert page.locator("#sent-suggestions tbody tr").count() == 1
    page.get_by_role("button", name="Sign out").click()

    browser_sign_in(page, "buyer@a.test")
    page.get_by_role("link", name="Suggested order").click()
    page.wait_for_url("**/suggestions")
    rows = page.locator("#suggestion tbody tr")
    assert rows.count() >= 2
    first = rows.first
    assert first.get_attribute("data-sku") == "MC-001-GLD"
    assert "reordered every 4 weeks (8 orders), 12 units each time" in first.inner_text()
    assert page.locator("#suggestion tbody tr[data-sku='EXP-RED']").count() == 0
    assert page.locator("#sent-title").is_visible()
    assert "Your spring reorder, ready to go." in page.content()
    screenshot(page, "suggestions-buyer")
    # Keep only the first line, then into the cart in one step.
    for sku in rows.evaluate_all("rows => rows.map(r => r.dataset.sku)")[1:]:
        page.locator(f"#take-form-{sku}").uncheck()
    page.locator("#to-cart").click()
    page.wait_for_url("**/cart")
    assert page.locator("tr[data-sku='MC-001-GLD']").count() == 1
    assert page.locator("tr[data-sku='MT-001-RED']").count() == 0
    assert page.get_by_role("button", name="Place order").is_enabled()
    screenshot(page, "suggestions-cart")
