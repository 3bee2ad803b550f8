"""Bundles in the portal: "often ordered together" on the SKU page and in the cart (only
SKUs the buyer may order), the bundle discount in the cart, the staff page /staff/bundles
(mine, make an offer from a pair, switch it off) and the bundles API."""

from __future__ import annotations

import re

from microbag.bundles import service
from microbag.bundles.policies import OfferItem
from tests.bundles.helpers import BLK, GLD, RED, TAN, basket_history, mine

from .conftest import csrf_from


def _together(html: str) -> list[str]:
    if 'id="often-together"' not in html:
        return []
    block = html.split('id="often-together"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li data-sku="([^"]+)">', block)


def _add(c, sku: str, quantity: int):
    token = csrf_from(c.get(f"/catalog/{sku}").text)
    return c.post("/cart/add", data={"csrf_token": token, "sku": sku, "quantity": str(quantity)})


def test_sku_page_shows_what_is_often_ordered_with_it(signed_in, db, world, tmp_path):
    c = signed_in("buyer@a.test")
    assert _together(c.get(f"/catalog/{GLD}").text) == []  # nothing mined yet
    basket_history(db, tmp_path)
    mine(db)
    page = c.get(f"/catalog/{GLD}").text
    assert _together(page) == [RED, BLK]  # TAN is discontinued; never GLD itself
    assert "Often ordered together" in page and "in 5 orders with this one" in page


def test_cart_shows_partners_and_the_bundle_discount(signed_in, db, world, tmp_path):
    basket_history(db, tmp_path)
    mine(db)
    with db.session(write=True) as s:
        service.create_offer(
            s,
            name="Gala clutch + petite tote",
            items=[OfferItem(GLD, 1), OfferItem(RED, 1)],
            bundle_price_minor=8_000,
            currency="EUR",
        )
    c = signed_in("buyer@a.test")
    _add(c, GLD, 6)
    page = _add(c, RED, 6).text
    assert _together(page) == [BLK]  # not GLD or RED (in the cart), not TAN
    assert "Bundle: Gala clutch + petite tote × 6" in page
    total = re.search(r'id="cart-total">([^<]+)<', page).group(1)
    assert total.startswith("480,00")  # 12 x 45.00 - 6 x (90.00 - 80.00), the buyer's locale


def test_staff_page_mines_and_makes_an_offer_from_a_pair(signed_in, db, world, tmp_path):
    basket_history(db, tmp_path)
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/bundles")
    assert page.status_code == 200 and "Nothing mined yet" in page.text
    r = merch.post("/staff/bundles/mine", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 200 and "Bundle mining" in r.text  # the queued job's block
    mine(db)
    sales = signed_in("sales@seller.test")
    page = sales.get("/staff/bundles").text
    assert f'data-pair="{GLD}+{RED}"' in page or f'data-pair="{RED}+{GLD}"' in page
    form = {
        "csrf_token": csrf_from(page),
        "sku": [GLD, RED],
        "quantity": ["1", "1"],
        "name": "Clutch + tote",
        "scope": f"list:{world.price_lists['EUR']}",
        "price": "80.00",
    }
    r = sales.post("/staff/bundles/offers", data=form)
    assert r.status_code == 200 and "Offer “Clutch + tote” created" in r.text
    assert 'data-active="true"' in r.text and "€80.00" in r.text
    bad = sales.post("/staff/bundles/offers", data={**form, "price": "eighty"})
    assert bad.status_code == 422 and "Bundle price" in bad.text
    refused = merch.post("/staff/bundles/offers", data={**form, "csrf_token": csrf_from(page)})
    assert refused.status_code == 403
    with db.session() as s:
        (offer,) = service.list_offers(s)
    r = sales.post(
        f"/staff/bundles/offers/{offer.id}/active",
        data={"csrf_token": csrf_from(page), "active": "false"},
    )
    assert r.status_code == 200 and 'data-active="false"' in r.text


def test_bundles_api(client, db, world, tmp_path):
    basket_history(db, tmp_path)
    mine(db)
    buyer, sales = world.auth("buyer@a.test"), world.auth("sales@seller.test")
    r = client.get(f"/api/v1/skus/{GLD}/together", headers=buyer)
    assert r.status_code == 200 and [t["sku"] for t in r.json()] == [RED, BLK]
    assert r.json()[0]["baskets"] == 5
    r = client.post("/api/v1/bundles/together", json={"skus": [GLD, RED], "top": 3}, headers=buyer)
    assert r.status_code == 200 and {t["sku"] for t in r.json()}.isdisjoint({GLD, RED, TAN})
    body = {
        "name": "Clutch + tote",
        "items": [{"sku": GLD, "quantity": 1}, {"sku": RED, "quantity": 1}],
        "bundle_price_minor": 8_000,
        "currency": "EUR",
    }
    assert client.post("/api/v1/bundle-offers", json=body, headers=buyer).status_code == 403
    r = client.post("/api/v1/bundle-offers", json=body, headers=sales)
    assert r.status_code == 201, r.text
    assert r.json()["bundle_price"] == {"amount_minor": 8_000, "currency": "EUR"}
    order = client.post(
        "/api/v1/orders",
        json={"lines": [{"sku": GLD, "quantity": 6}, {"sku": RED, "quantity": 6}]},
        headers=buyer,
    ).json()
    assert order["total"]["amount_minor"] == 12 * 4_500 - 6 * 1_000
    r = client.get(f"/api/v1/orders/{order['id']}/bundle-discounts", headers=buyer)
    assert r.json() == [
        {
            "offer_id": 1,
            "name": "Clutch + tote",
            "times": 6,
            "discount": {"amount_minor": 6_000, "currency": "EUR"},
        }
    ]
    other = world.auth("buyer@b.test")
    assert (
        client.get(f"/api/v1/orders/{order['id']}/bundle-discounts", headers=other).status_code
        == 404
    )
    r = client.post("/api/v1/bundles/mine", headers=world.auth("merch@seller.test"))
    assert r.status_code == 202 and r.json()["kind"] == "bundles_mine"


def test_order_pages_show_the_discount_lines(signed_in, db, world):
    from tests.bundles.helpers import place

    with db.session(write=True) as s:
        service.create_offer(
            s,
            name="Clutch + tote",
            items=[OfferItem(GLD, 1), OfferItem(RED, 1)],
            bundle_price_minor=8_000,
            currency="EUR",
        )
    order = place(db, "buyer@a.test", (GLD, 6), (RED, 6))
    for email, url in (("buyer@a.test", "/orders"), ("sales@seller.test", "/staff/orders")):
        page = signed_in(email).get(f"{url}/{order.id}").text
        row = page.split('class="bundle-discount"', 1)[1].split("</tr>", 1)[0]
        assert "Bundle: Clutch + tote × 6" in row and "60" in row
