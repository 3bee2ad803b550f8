"""Issue 11's company pages in Debian's Chromium, with their screenshots in docs/screenshots:
the buyer's account (addresses, order terms, tax identity), the buyer's e-mail
preferences, the staff company page (order terms, addresses, tax identity) and the staff
mail outbox with a queued order confirmation."""

from __future__ import annotations

import pytest

from microbag.buyers import service as buyers
from microbag.notifications import service as notifications

from .conftest import browser_sign_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def company_a_ready(db, world) -> int:
    with db.session(write=True) as s:
        for kind, label, line1 in (
            ("billing", "Head office", "12 rue du Faubourg Saint-Honoré"),
            ("shipping", "Boutique", "48 rue de Rivoli"),
        ):
            buyers.add_address(
                s,
                world.company_a,
                {
                    "kind": kind,
                    "label": label,
                    "name": "Atelier Petit",
                    "line1": line1,
                    "city": "Paris",
                    "postal_code": "75001",
                    "country": "FR",
                },
                actor_label="test",
            )
        buyers.set_tax_identity(
            s,
            world.company_a,
            vat_number="FR40303265045",
            resale_certificate_number=None,
            resale_certificate_state=None,
            resale_certificate_expires=None,
            actor=None,
            actor_label="test",
        )
        notifications.notify_company(
            s,
            company_id=world.company_a,
            kind="order_confirmed",
            context={
                "order_id": 1,
                "order_number": "1",
                "po_number": "PO-2026-0042",
                "total": "€540.00",
                "lines": [{"sku": "MC-001-GLD", "quantity": 12}],
            },
        )
    return world.company_a


def test_buyer_account_and_notification_pages(browser_page, company_a_ready) -> None:
    page = browser_page
    browser_sign_in(page, "owner@a.test")
    page.goto("/account")
    body = page.locator("main").inner_text()
    assert "48 rue de Rivoli" in body
    assert "FR40303265045" in body
    screenshot(page, "account-addresses-tax")
    page.goto("/account/notifications")
    assert "Send me an e-mail when" in page.locator("main").inner_text()
    assert page.locator("input[type=checkbox]").count() >= 4  # one per kind of message
    screenshot(page, "account-notifications")


def test_staff_company_and_mail_pages(browser_page, company_a_ready) -> None:
    page = browser_page
    browser_sign_in(page, "admin@seller.test")
    page.goto(f"/staff/companies/{company_a_ready}")
    body = page.locator("main").inner_text()
    assert "48 rue de Rivoli" in body and "FR40303265045" in body
    screenshot(page, "staff-company-terms")
    page.goto("/staff/mail")
    assert "owner@a.test" in page.locator("main").inner_text()
    screenshot(page, "staff-mail-outbox")
