"""Staff order queue: filter, confirm, ship with tracking, deliver, cancel with a reason."""

from __future__ import annotations

import re

from sqlalchemy import select

from microbag.orders.models import Order
from microbag.stock.models import StockLevel

from ..conftest import csrf_from
from .conftest import field_errors, general_errors, post


def place(client, sku: str = "MC-001-GLD", quantity: int = 24) -> int:
    """A buyer places an order through the cart (the real buyer pages)."""
    token = csrf_from(client.get(f"/catalog/{sku}").text)
    client.post("/cart/add", data={"csrf_token": token, "sku": sku, "quantity": str(quantity)})
    cart = client.get("/cart").text
    form = cart.split('id="place-form"', 1)[1].split("</form>", 1)[0]
    data = {
        "csrf_token": csrf_from(form),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', form)[1],
        "sku": re.findall(r'name="sku" value="([^"]+)"', form),
        "quantity": re.findall(r'name="quantity" value="([^"]+)"', form),
    }
    r = client.post("/cart/place", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text[:1000]
    return int(r.headers["location"].split("/orders/")[1].split("?")[0])


def _reserved(db, sku_id: int) -> int:
    with db.session() as s:
        return int(s.scalar(select(StockLevel.reserved).where(StockLevel.sku_id == sku_id)))


def test_queue_filters_by_status_and_company(signed_in, world):
    buyer = signed_in("buyer@a.test")
    first, second = place(buyer), place(buyer, "MT-001-RED", 12)
    staff = signed_in("sales@seller.test")
    post(staff, f"/staff/orders/{first}/confirm")
    placed = staff.get("/staff/orders?status=placed").text
    assert f'data-order="{second}"' in placed and f'data-order="{first}"' not in placed
    confirmed = staff.get("/staff/orders?status=confirmed").text
    assert f'data-order="{first}"' in confirmed and "Atelier Petit" in confirmed
    other = staff.get(f"/staff/orders?company={world.company_b}").text
    assert "No orders" in other and "Big Store" in other
    assert staff.get("/staff/orders?status=lost").status_code == 422


def test_confirm_ship_deliver_and_the_buyer_sees_the_timeline(signed_in, db, world):
    buyer = signed_in("buyer@a.test")
    order_id = place(buyer)
    staff = signed_in("sales@seller.test")
    page = staff.get(f"/staff/orders/{order_id}").text
    assert "Confirm order" in page and "Ship order" not in page
    # Shipping before confirming: the core refuses, in words, on the page.
    early = post(staff, f"/staff/orders/{order_id}/ship", {"tracking_ref": "DHL-1"})
    assert early.status_code == 409
    assert "Cannot ship an order that is placed." in general_errors(early.text)
    assert post(staff, f"/staff/orders/{order_id}/confirm").status_code == 303
    # No tracking reference: shown next to the field.
    bad = post(staff, f"/staff/orders/{order_id}/ship", {"tracking_ref": "  "})
    assert bad.status_code == 422
    assert "tracking reference" in field_errors(bad.text, "ship-tracking_ref")
    ok = post(staff, f"/staff/orders/{order_id}/ship", {"tracking_ref": "DHL-777"})
    assert ok.status_code == 303 and ok.headers["location"].endswith("?done=shipped")
    assert "Order shipped." in staff.get(ok.headers["location"]).text
    assert post(staff, f"/staff/orders/{order_id}/deliver").status_code == 303
    seen = buyer.get(f"/orders/{order_id}").text
    for status in ("placed", "confirmed", "shipped", "delivered"):
        assert f'class="done" data-status="{status}"' in seen
    assert "DHL-777" in seen and "sales@seller.test" in seen


def test_cancel_needs_a_reason_and_releases_stock(signed_in, db, world):
    buyer = signed_in("buyer@a.test")
    order_id = place(buyer)
    sku_id = world.skus["MC-001-GLD"]
    assert _reserved(db, sku_id) == 24
    admin = signed_in("admin@seller.test")
    bad = post(admin, f"/staff/orders/{order_id}/cancel", {"reason": ""})
    assert bad.status_code == 422
    assert "reason" in field_errors(bad.text, "cancel-reason")
    ok = post(admin, f"/staff/orders/{order_id}/cancel", {"reason": "Buyer asked by phone"})
    assert ok.status_code == 303
    assert _reserved(db, sku_id) == 0
    with db.session() as s:
        assert s.scalar(select(Order.status).where(Order.id == order_id)) == "cancelled"
    assert "Buyer asked by phone" in buyer.get(f"/orders/{order_id}").text


def test_order_roles_and_csrf(signed_in, db):
    buyer = signed_in("buyer@a.test")
    order_id = place(buyer)
    merch = signed_in("merch@seller.test")
    page = merch.get(f"/staff/orders/{order_id}")
    assert page.status_code == 200 and "Confirm order" not in page.text
    r = post(merch, f"/staff/orders/{order_id}/confirm")
    assert r.status_code == 403 and "may not confirm, ship or cancel orders" in r.text
    # Buyers never reach the staff queue, not even for their own order.
    assert buyer.get("/staff/orders").status_code == 403
    assert buyer.get(f"/staff/orders/{order_id}").status_code == 403
    # A post without the CSRF token changes nothing.
    sales = signed_in("sales@seller.test")
    refused = sales.post(f"/staff/orders/{order_id}/confirm", follow_redirects=False)
    assert refused.status_code == 403 and "did not come from this site" in refused.text
    with db.session() as s:
        assert s.scalar(select(Order.status).where(Order.id == order_id)) == "placed"
    assert sales.get("/staff/orders/999999").status_code == 404
