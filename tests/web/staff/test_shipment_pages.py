"""The staff order page's shipments (issue 11): ship part of an order with a carrier and a
tracking number, then the rest; errors next to their fields; deliver shipment by
shipment; the pick list and packing slip PDFs; who may do what."""

from __future__ import annotations

import re

from sqlalchemy import select

from microbag.accounts.service import get_user_by_email, principal_of
from microbag.orders import service
from microbag.orders.models import Order
from microbag.orders.schemas import OrderLineIn

from .conftest import field_errors, general_errors, post

GLD, RED = "MC-001-GLD", "MT-001-RED"
UPS = "1Z999AA10123456784"


def confirmed_order(db, *lines: tuple[str, int], company_user: str = "buyer@a.test") -> int:
    with db.session(write=True) as s:
        buyer = principal_of(get_user_by_email(s, company_user))
        order, _ = service.place_order(
            s, buyer, [OrderLineIn(sku=sku, quantity=qty) for sku, qty in lines]
        )
        staff = principal_of(get_user_by_email(s, "sales@seller.test"))
        service.confirm_order(s, staff, order.id)
        return order.id


def status(db, order_id: int) -> str:
    with db.session() as s:
        return str(s.scalar(select(Order.status).where(Order.id == order_id)))


def shipment_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-shipment="(\d+)" data-status="(\w+)">', html)


def test_ship_part_then_the_rest_and_deliver(signed_in, db, world):
    order_id = confirmed_order(db, (GLD, 24), (RED, 12))
    staff = signed_in("sales@seller.test")
    url = f"/staff/orders/{order_id}"
    page = staff.get(url).text
    assert "Create shipment" in page and 'id="no-shipments"' in page
    assert 'name="qty_1"' in page and 'value="24"' in page and 'value="12"' in page
    assert '<option value="ups">UPS</option>' in page and "Other carrier" in page
    assert f'href="/staff/orders/{order_id}/pick-list.pdf"' in page
    assert "Reserved from stock" in page or "reserved from stock" in page

    first = post(
        staff,
        f"{url}/shipments",
        {"qty_1": "12", "qty_2": "0", "carrier": "ups", "tracking_number": UPS},
        page=url,
    )
    assert first.status_code == 303 and first.headers["location"].endswith("done=partly_shipped")
    assert status(db, order_id) == "partly_shipped"
    page = staff.get(first.headers["location"]).text
    assert "Shipment recorded; the rest of the order ships later." in page
    assert shipment_rows(page) == [("1", "shipped")]
    assert 'class="future" data-status="shipped"' in page  # still ahead on the timeline
    assert f'href="https://www.ups.com/track?tracknum={UPS}"' in page
    assert 'data-reserved="12"' in page and 'data-shipped="12"' in page
    assert f'href="/staff/orders/{order_id}/shipments/1/packing-slip.pdf"' in page

    # The rest (the form's defaults: what is still reserved), with another carrier.
    rest = post(
        staff,
        f"{url}/shipments",
        {"qty_1": "12", "qty_2": "12", "carrier": "other", "tracking_number": "pal-0042"},
        page=url,
    )
    assert rest.headers["location"].endswith("done=shipped") and status(db, order_id) == "shipped"
    page = staff.get(url).text
    assert shipment_rows(page) == [("1", "shipped"), ("2", "shipped")]
    assert "PAL0042" in page and "Nothing is reserved to ship" not in page  # form gone

    # Delivered shipment by shipment: the order once both arrived.
    one = post(staff, f"{url}/shipments/1/deliver", page=url)
    assert one.headers["location"].endswith("done=shipment_delivered")
    assert status(db, order_id) == "shipped"
    again = post(staff, f"{url}/shipments/1/deliver", page=url)
    assert again.status_code == 409 and "was delivered already" in general_errors(again.text)
    two = post(staff, f"{url}/shipments/2/deliver", page=url)
    assert two.headers["location"].endswith("done=delivered")
    assert status(db, order_id) == "delivered"
    assert post(staff, f"{url}/shipments/9/deliver", page=url).status_code == 404

    # The buyer sees both shipments with their tracking and the order delivered.
    buyer = signed_in("buyer@a.test")
    mine = buyer.get(f"/orders/{order_id}").text
    assert shipment_rows(mine) == [("1", "delivered"), ("2", "delivered")]
    assert f'href="https://www.ups.com/track?tracknum={UPS}"' in mine and "PAL0042" in mine
    assert 'id="promise-1">Shipped<' in mine


def test_shipment_form_errors_show_where_they_belong(signed_in, db, world):
    order_id = confirmed_order(db, (GLD, 24), (RED, 12))
    staff = signed_in("sales@seller.test")
    url = f"/staff/orders/{order_id}"

    def ship(**form: str):
        data = {"qty_1": "24", "qty_2": "12", "carrier": "ups", "tracking_number": UPS, **form}
        return post(staff, f"{url}/shipments", data, page=url)

    bad_number = ship(carrier="dhl_express", tracking_number="1Z999")
    assert bad_number.status_code == 422
    assert "does not look like a DHL Express tracking number" in field_errors(
        bad_number.text, "shipment-tracking_number"
    )
    assert 'value="1Z999"' in bad_number.text  # what was typed stays
    blank = ship(tracking_number="  ")
    assert "Enter the tracking number." in field_errors(blank.text, "shipment-tracking_number")
    carrier = ship(carrier="pigeon")
    assert "Unknown carrier" in field_errors(carrier.text, "shipment-carrier")
    too_many = ship(qty_1="30")
    assert too_many.status_code == 409
    assert "30 to ship, 24 reserved" in field_errors(too_many.text, "shipment-qty_1")
    assert 'value="30"' in too_many.text
    nothing = ship(qty_1="0", qty_2="")
    assert "Enter the units to ship on at least one line." in general_errors(nothing.text)
    word = ship(qty_2="a dozen")
    assert "whole number" in field_errors(word.text, "shipment-qty_2")
    nowhere = ship(warehouse="NOPE")
    assert nowhere.status_code == 422
    assert "does not exist" in field_errors(nowhere.text, "shipment-warehouse")
    assert status(db, order_id) == "confirmed"  # nothing shipped
    ok = ship(warehouse="MAIN")
    assert ok.status_code == 303 and status(db, order_id) == "shipped"


def test_documents_and_roles(signed_in, db, world):
    order_id = confirmed_order(db, (GLD, 24))
    url = f"/staff/orders/{order_id}"
    merch = signed_in("merch@seller.test")  # reads orders, does not ship them
    page = merch.get(url).text
    assert "Create shipment" not in page
    refused = post(
        merch, f"{url}/shipments", {"qty_1": "6", "carrier": "ups", "tracking_number": UPS}
    )
    assert refused.status_code == 403
    pick = merch.get(f"{url}/pick-list.pdf")
    assert pick.status_code == 200 and pick.headers["content-type"] == "application/pdf"
    assert pick.content.startswith(b"%PDF")
    assert merch.get(f"{url}/pick-list.pdf?warehouse=MAIN").content.startswith(b"%PDF")
    assert merch.get(f"{url}/pick-list.pdf?warehouse=NOPE").status_code == 404
    assert merch.get(f"{url}/shipments/1/packing-slip.pdf").status_code == 404
    sales = signed_in("sales@seller.test")
    post(sales, f"{url}/shipments", {"qty_1": "6", "carrier": "ups", "tracking_number": UPS})
    slip = sales.get(f"{url}/shipments/1/packing-slip.pdf")
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
    buyer = signed_in("buyer@a.test")
    assert buyer.get(f"{url}/pick-list.pdf").status_code == 403
    assert buyer.get(f"{url}/shipments/1/packing-slip.pdf").status_code == 403
    assert post(buyer, f"{url}/shipments/1/deliver", page="/orders").status_code == 403
