"""The buyer's /suggestions page and the staff company page's suggested order."""

from __future__ import annotations

from datetime import UTC, datetime

from microbag.history.models import SalesLine
from tests.web.conftest import csrf_from


def test_buyer_page_lists_orderable_lines_with_reasons(signed_in, blocked_world, stub):
    c = signed_in("buyer@a.test")
    r = c.get("/suggestions")
    assert r.status_code == 200, r.text
    html = r.text
    assert 'data-sku="MC-001-GLD"' in html and 'data-sku="MT-001-RED"' in html
    assert 'data-sku="OFF-RED"' not in html and 'data-sku="EXP-RED"' not in html
    assert "reordered MC-001-GLD often" in html
    assert "Rounded up to a case of 6" in html
    assert 'href="/suggestions" aria-current="page"' in html
    r = c.get("/suggestions?weeks=4&budget=abc")
    assert "The budget is an amount" in r.text


def test_buyer_turns_the_suggestion_into_a_cart_then_a_quote(signed_in, blocked_world, stub):
    c = signed_in("buyer@a.test")
    page = c.get("/suggestions")
    token = csrf_from(page.text)
    r = c.post(
        "/suggestions/to-cart",
        data={"csrf_token": token, "weeks": "8", "budget": "", "sku": ["MC-001-GLD", "MT-001-RED"]},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/cart"
    cart = c.get("/cart")
    assert 'data-sku="MC-001-GLD"' in cart.text and 'data-sku="MT-001-RED"' in cart.text
    r = c.post(
        "/suggestions/to-quote",
        data={"csrf_token": token, "weeks": "8", "sku": ["MT-001-RED"]},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/quotes/")
    # Nothing ticked: said on the page.
    r = c.post("/suggestions/to-cart", data={"csrf_token": token, "weeks": "8"})
    assert r.status_code == 422
    assert "tick at least one line" in r.text.lower()


def test_viewer_sees_but_cannot_take(signed_in, blocked_world, stub):
    c = signed_in("viewer@a.test")
    page = c.get("/suggestions")
    assert "Your role can view suggestions" in page.text
    r = c.post(
        "/suggestions/to-cart",
        data={"csrf_token": csrf_from(page.text), "sku": ["MC-001-GLD"]},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_staff_sends_and_the_buyer_sees_it_only_in_its_company(db, signed_in, blocked_world, stub):
    a = blocked_world.company_a
    staff = signed_in("sales@seller.test")
    company_page = staff.get(f"/staff/companies/{a}")
    assert f'href="/staff/companies/{a}/suggestions"' in company_page.text
    page = staff.get(f"/staff/companies/{a}/suggestions")
    assert page.status_code == 200, page.text
    assert "reordered MC-001-GLD often" in page.text
    assert "cannot be ordered by this company now" in page.text
    r = staff.post(
        f"/staff/companies/{a}/suggestions/send",
        data={"csrf_token": csrf_from(page.text), "weeks": "8", "note": "For the spring window"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert "Sent: the buyer sees it" in staff.get(r.headers["location"]).text

    buyer = signed_in("owner@a.test")
    mine = buyer.get("/suggestions")
    assert "For the spring window" in mine.text
    assert "sales@seller.test" in mine.text
    sent_id = mine.text.split('name="sent_id" value="')[1].split('"')[0]
    r = buyer.post(
        "/suggestions/to-cart",
        data={"csrf_token": csrf_from(mine.text), "sent_id": sent_id},
        follow_redirects=False,
    )
    assert r.status_code == 303
    other = signed_in("owner@b.test")
    assert "For the spring window" not in other.get("/suggestions").text
    r = other.post(
        "/suggestions/to-cart",
        data={"csrf_token": csrf_from(other.get("/suggestions").text), "sent_id": sent_id},
        follow_redirects=False,
    )
    assert r.status_code == 404


def test_staff_links_a_customer_on_the_company_page(db, signed_in, blocked_world, stub):
    with db.session(write=True) as s:
        s.add(
            SalesLine(
                batch_id=1,
                source="test",
                external_invoice="X1",
                sku_code="MT-001-RED",
                quantity=12,
                unit_price_minor=100,
                currency="GBP",
                invoiced_at=datetime(2024, 5, 1, tzinfo=UTC),
                customer_ref="17850",
                country="GB",
                region="europe",
            )
        )
    a = blocked_world.company_a
    staff = signed_in("sales@seller.test")
    page = staff.get(f"/staff/companies/{a}/suggestions")
    token = csrf_from(page.text)
    r = staff.post(
        f"/staff/companies/{a}/customer-links",
        data={"csrf_token": token, "customer_ref": "nope"},
    )
    assert r.status_code == 422 and "no imported sales line" in r.text.lower()
    r = staff.post(
        f"/staff/companies/{a}/customer-links",
        data={"csrf_token": token, "customer_ref": "17850"},
    )
    assert r.status_code == 200  # followed the redirect
    assert "Customer linked" in r.text and "<td>17850</td>" in r.text
    staff.get(f"/staff/companies/{a}/suggestions")
    assert stub.calls[-1]["also_refs"] == ("17850",)
    merch = signed_in("merch@seller.test")
    r = merch.post(
        f"/staff/companies/{a}/customer-links/remove",
        data={"csrf_token": csrf_from(merch.get("/staff").text), "customer_ref": "17850"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    r = staff.post(
        f"/staff/companies/{a}/customer-links/remove",
        data={"csrf_token": token, "customer_ref": "17850"},
    )
    assert "Customer unlinked" in r.text
