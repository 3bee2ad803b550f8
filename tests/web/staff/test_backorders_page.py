"""/staff/backorders: the waiting queue per SKU in serving order, the staff's priority
override and "Fill from stock now"."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from microbag.accounts.service import get_user_by_email, principal_of
from microbag.orders import service
from microbag.orders.models import OrderLine
from microbag.orders.schemas import OrderLineIn
from microbag.stock.models import StockLevel

from .conftest import general_errors, post

GLD = "MC-001-GLD"


def place(db, email: str, quantity: int, fulfilment: str) -> int:
    with db.session(write=True) as s:
        buyer = principal_of(get_user_by_email(s, email))
        order, _ = service.place_order(
            s, buyer, [OrderLineIn(sku=GLD, quantity=quantity, fulfilment=fulfilment)]
        )
        return order.id


def set_on_hand(db, world, on_hand: int) -> None:
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel).where(StockLevel.sku_id == world.skus[GLD]).values(on_hand=on_hand)
        )


def queue(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-order="(\d+)" data-line="1">', html)]


def test_queue_priority_and_fill(signed_in, db, world):
    set_on_hand(db, world, 10)
    backorder = place(db, "buyer@a.test", 24, "backorder")  # 10 reserved, 14 wait
    preorder = place(db, "buyer@b.test", 12, "preorder")  # waits for the 2030 batch
    staff = signed_in("sales@seller.test")
    page = staff.get("/staff/backorders").text
    assert 'aria-current="page">Backorders<' in page
    assert queue(page) == [preorder, backorder]  # preorders first
    assert "14 of 24" in page and "26 waiting · 0 available now" in page
    assert "Jan 15, 2030" in page  # the batch's ship window
    assert "Big Store" in page and "Atelier Petit" in page

    raised = post(
        staff,
        "/staff/backorders/priority",
        {"order_id": backorder, "line_no": 1, "priority": "5"},
        page="/staff/backorders",
    )
    assert raised.status_code == 303
    page = staff.get(raised.headers["location"]).text
    assert "Priority saved" in page and queue(page) == [backorder, preorder]
    assert f'id="priority-{backorder}-1" name="priority" value="5"' in page

    bad = post(
        staff,
        "/staff/backorders/priority",
        {"order_id": backorder, "line_no": 1, "priority": "-3"},
        page="/staff/backorders",
    )
    assert bad.status_code == 422
    assert f"Order {backorder}, line 1: the priority must be 0 to 1000000." in general_errors(
        bad.text
    )

    # Stock arrives (a count raised): filling serves the backorder first now.
    set_on_hand(db, world, 30)
    filled = post(staff, "/staff/backorders/fill", page="/staff/backorders")
    page = staff.get(filled.headers["location"]).text
    assert "20 units reserved from stock for 2 waiting line(s)." in page
    with db.session() as s:
        waiting = dict(s.execute(select(OrderLine.order_id, OrderLine.waiting_quantity)).all())
    assert waiting == {backorder: 0, preorder: 6}
    assert queue(page) == [preorder]
    not_waiting = post(
        staff,
        "/staff/backorders/priority",
        {"order_id": backorder, "line_no": 1, "priority": "1"},
        page="/staff/backorders",
    )
    assert not_waiting.status_code == 409 and "waits for nothing" in general_errors(
        not_waiting.text
    )
    again = post(staff, "/staff/backorders/fill", page="/staff/backorders")
    assert "Nothing to fill" in staff.get(again.headers["location"]).text
    assert (
        "No line waits for stock of MT-001-RED"
        in staff.get("/staff/backorders?sku=MT-001-RED").text
    )


def test_who_may_reorder_the_queue(signed_in, db, world):
    set_on_hand(db, world, 0)
    order_id = place(db, "buyer@a.test", 12, "backorder")
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/backorders").text
    assert queue(page) == [order_id] and "Fill from stock now" not in page
    refused = post(
        merch,
        "/staff/backorders/priority",
        {"order_id": order_id, "line_no": 1, "priority": "3"},
        page="/staff/backorders",
    )
    assert refused.status_code == 403
    assert post(merch, "/staff/backorders/fill", page="/staff/backorders").status_code == 403
    buyer = signed_in("buyer@a.test")
    assert buyer.get("/staff/backorders").status_code == 403
