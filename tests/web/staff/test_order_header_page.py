"""The staff order page shows the buyer's order header (PO number, incoterm, notes)."""

from __future__ import annotations

import re

from ..conftest import csrf_from


def test_staff_order_page_shows_the_header(signed_in):
    buyer = signed_in("buyer@a.test")
    token = csrf_from(buyer.get("/catalog/MC-001-GLD").text)
    buyer.post("/cart/add", data={"csrf_token": token, "sku": "MC-001-GLD", "quantity": "24"})
    form = buyer.get("/cart").text.split('id="place-form"', 1)[1].split("</form>", 1)[0]
    data = {
        "csrf_token": csrf_from(form),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', form)[1],
        "sku": re.findall(r'name="sku" value="([^"]+)"', form),
        "quantity": re.findall(r'name="quantity" value="([^"]+)"', form),
        "po_number": "PO-STAFF-7",
        "incoterm": "EXW",
        "notes": "Ring the back door",
    }
    placed = buyer.post("/cart/place", data=data, follow_redirects=False)
    assert placed.status_code == 303, placed.text[:1000]
    order_id = int(placed.headers["location"].split("/orders/")[1].split("?")[0])
    page = signed_in("sales@seller.test").get(f"/staff/orders/{order_id}").text
    assert 'id="order-po-number">PO-STAFF-7<' in page
    assert 'id="order-incoterm">EXW<' in page
    assert "Ring the back door" in page
