"""Cart, placing (idempotent), order history, the order page, reorder, cancel, export."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from microbag.orders.models import Order
from microbag.stock.models import StockLevel

from .conftest import csrf_from


def _codes(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li data-code="([^"]+)">([^<]+)</li>', html)


def _line_errors(html: str, line_no: int) -> list[str]:
    match = re.search(rf'<ul class="line-errors" id="line-{line_no}-errors">(.*?)</ul>', html, re.S)
    return re.findall(r'data-code="([^"]+)"', match.group(1)) if match else []


def _add(c, sku: str, quantity: int):
    token = csrf_from(c.get(f"/catalog/{sku}").text)
    return c.post("/cart/add", data={"csrf_token": token, "sku": sku, "quantity": str(quantity)})


def _place_form(html: str) -> dict[str, object]:
    form = html.split('id="place-form"', 1)[1].split("</form>", 1)[0]
    return {
        "csrf_token": csrf_from(form),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1),
        "sku": re.findall(r'name="sku" value="([^"]+)"', form),
        "quantity": re.findall(r'name="quantity" value="([^"]+)"', form),
    }


def _orders(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Order)))


def test_rules_show_on_the_line_they_concern_before_placing(signed_in, db):
    c = signed_in("buyer@a.test")
    r = _add(c, "MC-001-GLD", 3)
    assert r.status_code == 200 and r.url.path == "/cart"
    assert set(_line_errors(r.text, 1)) == {"below_moq", "not_case_pack_multiple"}
    # The order-level rule is shown for the whole order.
    assert "below_minimum_order_value" in r.text.split('id="order-errors"', 1)[1].split("</div>")[0]
    assert re.search(r'<button type="submit" class="primary" disabled', r.text)
    # A dry run reserved nothing and created nothing.
    assert _orders(db) == 0
    with db.session() as s:
        assert s.scalar(select(func.sum(StockLevel.reserved))) == 0


def test_insufficient_stock_and_credit_are_shown(signed_in, db, world):
    c = signed_in("buyer@a.test")
    html = _add(c, "MC-001-BLK", 120).text
    assert _line_errors(html, 1) == ["insufficient_stock"]
    from sqlalchemy import update

    from microbag.buyers.models import Company

    with db.session(write=True) as s:
        s.execute(
            update(Company).where(Company.id == world.company_a).values(credit_limit_minor=100)
        )
    html = c.get("/cart").text
    assert "credit_limit_exceeded" in dict(_codes(html))


def test_steppers_move_by_the_case_pack(signed_in):
    c = signed_in("buyer@a.test")
    html = _add(c, "MC-001-GLD", 3).text
    token = csrf_from(html)
    up = c.post("/cart/lines/MC-001-GLD", data={"csrf_token": token, "step": "up"}).text
    assert 'id="qty-1" name="quantity" value="6"' in up
    up = c.post("/cart/lines/MC-001-GLD", data={"csrf_token": token, "step": "up"}).text
    assert 'id="qty-1" name="quantity" value="12"' in up
    down = c.post("/cart/lines/MC-001-GLD", data={"csrf_token": token, "step": "down"}).text
    assert 'id="qty-1" name="quantity" value="6"' in down
    # Never below the MOQ by stepping; Remove takes the line out.
    down = c.post("/cart/lines/MC-001-GLD", data={"csrf_token": token, "step": "down"}).text
    assert 'id="qty-1" name="quantity" value="6"' in down
    gone = c.post("/cart/lines/MC-001-GLD", data={"csrf_token": token, "step": "remove"}).text
    assert "Your cart is empty" in gone
    # htmx gets the cart fragment back, not a redirect.
    _add(c, "MC-001-GLD", 6)
    part = c.post(
        "/cart/lines/MC-001-GLD",
        data={"step": "up"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert part.status_code == 200 and "<html" not in part.text and 'value="12"' in part.text


def test_place_is_idempotent_on_double_click(signed_in, db):
    c = signed_in("buyer@a.test")
    _add(c, "MC-001-GLD", 12)
    html = c.get("/cart").text
    assert _codes(html) == []
    form = _place_form(html)
    first = c.post("/cart/place", data=form, follow_redirects=False)
    second = c.post("/cart/place", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _orders(db) == 1
    order = c.get(first.headers["location"])
    assert "your order is placed" in order.text
    assert "Your cart is empty" in c.get("/cart").text
    with db.session() as s:
        assert s.scalar(select(func.sum(StockLevel.reserved))) == 12


def test_a_refused_placement_stays_on_the_cart_with_the_errors(signed_in, db):
    c = signed_in("buyer@a.test")
    _add(c, "MC-001-GLD", 12)
    form = _place_form(c.get("/cart").text)
    form["quantity"] = ["7"]  # as if the cart changed after the page was rendered
    r = c.post("/cart/place", data=form)
    assert r.status_code == 422
    assert "not_case_pack_multiple" in _line_errors(r.text, 1)
    assert _orders(db) == 0


def test_viewer_cannot_place(signed_in, db, world):
    c = signed_in("viewer@a.test")
    html = c.get("/cart").text
    assert "place-form" not in html
    token = csrf_from(html)
    r = c.post(
        "/cart/place",
        data={"csrf_token": token, "idempotency_key": "k1", "sku": "MC-001-GLD", "quantity": "12"},
    )
    assert r.status_code == 403 and _orders(db) == 0


def _placed_order(c) -> int:
    _add(c, "MC-001-GLD", 12)
    r = c.post("/cart/place", data=_place_form(c.get("/cart").text), follow_redirects=False)
    return int(r.headers["location"].split("/")[2].split("?")[0])


def test_another_company_order_is_the_not_found_page(signed_in):
    a = signed_in("buyer@a.test")
    order_id = _placed_order(a)
    b = signed_in("buyer@b.test")
    for url in (f"/orders/{order_id}", f"/orders/{order_id}/export.csv"):
        r = b.get(url)
        assert r.status_code == 404 and "Page not found" in r.text
    token = csrf_from(b.get("/orders").text)
    for action in ("reorder", "cancel"):
        r = b.post(f"/orders/{order_id}/{action}", data={"csrf_token": token})
        assert r.status_code == 404
    assert f"Order {order_id}" not in b.get("/orders").text
    assert f"Order {order_id}" in a.get("/orders").text


def test_order_page_timeline_follows_the_status(signed_in, client, world):
    a = signed_in("buyer@a.test")
    order_id = _placed_order(a)
    html = a.get(f"/orders/{order_id}").text
    assert re.findall(r'<li class="(done|future)" data-status="(\w+)"', html) == [
        ("done", "placed"),
        ("future", "confirmed"),
        ("future", "shipped"),
        ("future", "delivered"),
    ]
    staff = world.auth("sales@seller.test")
    assert client.post(f"/api/v1/orders/{order_id}/confirm", headers=staff).status_code == 200
    r = client.post(
        f"/api/v1/orders/{order_id}/ship", json={"tracking_ref": "TRK-1"}, headers=staff
    )
    assert r.status_code == 200
    html = a.get(f"/orders/{order_id}").text
    assert re.findall(r'<li class="(done|future)" data-status="(\w+)"', html) == [
        ("done", "placed"),
        ("done", "confirmed"),
        ("done", "shipped"),
        ("future", "delivered"),
    ]
    assert "TRK-1" in html
    assert "Cancel order" not in html  # shipped: the buyer can no longer cancel


def test_reorder_and_cancel(signed_in, db):
    c = signed_in("buyer@a.test")
    order_id = _placed_order(c)
    token = csrf_from(c.get(f"/orders/{order_id}").text)
    r = c.post(f"/orders/{order_id}/reorder", data={"csrf_token": token})
    assert r.url.path == "/cart" and 'value="12"' in r.text
    r = c.post(f"/orders/{order_id}/cancel", data={"csrf_token": token})
    assert r.status_code == 200 and "Cancelled" in r.text
    with db.session() as s:
        assert s.scalar(select(func.sum(StockLevel.reserved))) == 0
    again = c.post(f"/orders/{order_id}/cancel", data={"csrf_token": token})
    assert again.status_code == 409 and "cannot cancel" in again.text


def test_order_exports(signed_in):
    c = signed_in("buyer@a.test")
    order_id = _placed_order(c)
    r = c.get(f"/orders/{order_id}/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert f'filename="order-{order_id}.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["sku"], x["quantity"], x["line_total"]) for x in rows] == [
        ("MC-001-GLD", "12", "540.00")
    ]
    x = c.get(f"/orders/{order_id}/export.xlsx")
    assert x.status_code == 200
    sheet = load_workbook(io.BytesIO(x.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "order_id" and values[1][9] == "MC-001-GLD"
    assert c.get(f"/orders/{order_id}/export.pdf").status_code == 404


def test_history_lists_and_filters(signed_in):
    c = signed_in("buyer@a.test")
    order_id = _placed_order(c)
    assert f'href="/orders/{order_id}"' in c.get("/orders").text
    assert f'href="/orders/{order_id}"' not in c.get("/orders?status=shipped").text
    assert c.get("/orders?status=bogus").status_code == 422
