"""The cart's fulfilment choice per line (issue 11): from stock, preorder against the next
incoming batch (its ship window shown), or backorder what stock lacks; the order page
shows each line's promise."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from microbag.orders.models import OrderLine
from microbag.stock.models import StockLevel

from .conftest import csrf_from

GLD, RED = "MC-001-GLD", "MT-001-RED"


def _add(c, sku: str, quantity: int):
    token = csrf_from(c.get(f"/catalog/{sku}").text)
    return c.post("/cart/add", data={"csrf_token": token, "sku": sku, "quantity": str(quantity)})


def _choose(c, sku: str, fulfilment: str, htmx: bool = True):
    token = csrf_from(c.get("/cart").text)
    headers = {"HX-Request": "true"} if htmx else {}
    return c.post(
        f"/cart/lines/{sku}",
        data={"csrf_token": token, "fulfilment": fulfilment},
        headers=headers,
        follow_redirects=False,
    )


def _place(c):
    form = c.get("/cart").text.split('id="place-form"', 1)[1].split("</form>", 1)[0]
    data = {
        "csrf_token": csrf_from(form),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1),
        "sku": re.findall(r'name="sku" value="([^"]+)"', form),
        "quantity": re.findall(r'name="quantity" value="([^"]+)"', form),
        "fulfilment": re.findall(r'name="fulfilment" value="([^"]+)"', form),
    }
    return c.post("/cart/place", data=data, follow_redirects=False)


def _on_hand(db, world, sku: str, on_hand: int) -> None:
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel).where(StockLevel.sku_id == world.skus[sku]).values(on_hand=on_hand)
        )


def _options(html: str, line_no: int) -> list[str]:
    select_html = html.split(f'id="fulfilment-{line_no}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="(\w+)"', select_html)


def test_preorder_a_sku_with_only_incoming_stock(signed_in, db, world):
    _on_hand(db, world, GLD, 0)
    c = signed_in("buyer@a.test")
    _add(c, GLD, 12)
    cart = _add(c, RED, 24).text
    # GLD has a batch expected (Jan 15, 2030): preorder is offered; RED has none.
    assert _options(cart, 1) == ["stock", "preorder", "backorder"]
    window = re.search(r'<option value="preorder">Preorder \(ships ([^)]+)\)', cart).group(1)
    assert window.count("2030") == 2  # the batch's window, in the buyer's locale
    assert _options(cart, 2) == ["stock", "backorder"]
    assert 'data-code="insufficient_stock"' in cart  # from stock, there is none
    chosen = _choose(c, GLD, "preorder")
    assert chosen.status_code == 200 and 'data-chosen="preorder"' in chosen.text
    assert 'data-code="insufficient_stock"' not in chosen.text
    assert 'name="fulfilment" value="preorder"' in chosen.text  # the place form carries it
    placed = _place(c)
    assert placed.status_code == 303, placed.text[:2000]
    order_page = c.get(placed.headers["location"]).text
    promise = re.search(r'id="promise-1">([^<]+)<', order_page).group(1)
    assert promise == "Preorder: 12 of 12 ships 2030-01-15 to 2030-01-22"
    assert re.search(r'id="promise-2">Reserved from stock<', order_page)
    assert "lines waiting for stock ship as promised below" in order_page
    with db.session() as s:
        lines = s.execute(
            select(OrderLine.sku_code, OrderLine.fulfilment, OrderLine.waiting_quantity)
        ).all()
    assert sorted(lines) == [(GLD, "preorder", 12), (RED, "stock", 0)]


def test_backorder_what_is_missing(signed_in, db, world):
    _on_hand(db, world, RED, 6)
    c = signed_in("buyer@a.test")
    _add(c, RED, 30)
    assert _choose(c, RED, "backorder", htmx=False).status_code == 303
    cart = c.get("/cart").text
    assert 'data-chosen="backorder"' in cart
    _add(c, RED, 6)  # adding more keeps the choice
    assert 'data-chosen="backorder"' in c.get("/cart").text
    placed = _place(c)
    assert placed.status_code == 303
    page = c.get(placed.headers["location"]).text
    promise = re.search(r'id="promise-1">([^<]+)<', page).group(1)
    assert promise == "Backorder: 6 reserved, 30 waiting, no ship date yet"


def test_a_bad_choice_is_refused_and_an_old_form_is_from_stock(signed_in, db, world):
    c = signed_in("buyer@a.test")
    _add(c, RED, 12)
    assert _choose(c, RED, "someday").status_code == 422
    form = c.get("/cart").text.split('id="place-form"', 1)[1].split("</form>", 1)[0]
    data = {  # a form rendered before the choice existed: no fulfilment fields
        "csrf_token": csrf_from(form),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1),
        "sku": [RED],
        "quantity": ["12"],
    }
    assert c.post("/cart/place", data=data, follow_redirects=False).status_code == 303
    with db.session() as s:
        assert s.scalar(select(OrderLine.fulfilment)) == "stock"
