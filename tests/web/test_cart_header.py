"""The cart's order header: a company that requires PO numbers gets the error next to the
field; the placed order's per-order CSV export ends with the header columns."""

from __future__ import annotations

import re

from sqlalchemy import update

from microbag.buyers.models import Company

from .conftest import csrf_from


def _cart_form(client) -> dict:
    token = csrf_from(client.get("/catalog/MC-001-GLD").text)
    client.post("/cart/add", data={"csrf_token": token, "sku": "MC-001-GLD", "quantity": "24"})
    form = client.get("/cart").text.split('id="place-form"', 1)[1].split("</form>", 1)[0]
    return {
        "csrf_token": csrf_from(form),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', form)[1],
        "sku": re.findall(r'name="sku" value="([^"]+)"', form),
        "quantity": re.findall(r'name="quantity" value="([^"]+)"', form),
    }


def test_required_po_number_error_then_the_export_ends_with_the_header(signed_in, db, world):
    with db.session(write=True) as s:
        s.execute(
            update(Company).where(Company.id == world.company_a).values(po_number_required=True)
        )
    buyer = signed_in("buyer@a.test")
    data = _cart_form(buyer)
    refused = buyer.post("/cart/place", data=data, follow_redirects=False)
    assert refused.status_code == 422
    assert "requires a purchase order number" in refused.text
    placed = buyer.post(
        "/cart/place", data={**data, "po_number": "PO-CART-9"}, follow_redirects=False
    )
    assert placed.status_code == 303, placed.text[:1000]
    order_id = placed.headers["location"].split("/orders/")[1].split("?")[0]
    csv_text = buyer.get(f"/orders/{order_id}/export.csv").text
    header_row = csv_text.splitlines()[0]
    assert "po_number" in header_row and header_row.index("po_number") > header_row.index("sku")
    assert "PO-CART-9" in csv_text
