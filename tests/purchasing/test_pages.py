"""The staff purchasing pages: list, new draft, the order's actions, receipts; roles."""

from __future__ import annotations

import re
from datetime import timedelta

from microbag.timeutil import utcnow
from tests.web.conftest import csrf_from

PROMISED = utcnow().date() + timedelta(days=35)


def test_a_merchandiser_runs_a_purchase_order_from_the_pages(db, world, sourcing, signed_in):
    merch = signed_in("merch@seller.test")
    listing = merch.get("/staff/purchase-orders")
    assert listing.status_code == 200 and 'id="no-purchase-orders"' in listing.text
    form = merch.get("/staff/purchase-orders/new")
    assert form.status_code == 200 and "GZ-01" in form.text
    token = csrf_from(form.text)
    bad = merch.post(
        "/staff/purchase-orders/new",
        data={
            "csrf_token": token,
            "supplier": str(sourcing.supplier),
            "sku_1": "MT-001-RED",
            "qty_1": "90",
        },
    )
    assert bad.status_code == 422
    assert "below the supplier&#39;s MOQ of 100" in bad.text
    made = merch.post(
        "/staff/purchase-orders/new",
        data={
            "csrf_token": token,
            "supplier": str(sourcing.supplier),
            "warehouse": "MAIN",
            "sku_1": "MT-001-RED",
            "qty_1": "100",
            "sku_2": "MC-001-GLD",
            "qty_2": "50",
            "cost_2": "11.50",
            "notes": "first order",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"].split("?")[0]
    page = merch.get(made.headers["location"])
    assert "Draft purchase order created." in page.text
    assert "$11.50" in page.text and 'id="send-po"' in page.text
    assert merch.get(url + "/pdf").content.startswith(b"%PDF")

    assert (
        merch.post(url + "/send", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    page = merch.get(url)
    assert 'id="confirm-form"' in page.text
    no_date = merch.post(url + "/confirm", data={"csrf_token": token})
    assert no_date.status_code == 422 and "promised date" in no_date.text
    ok = merch.post(
        url + "/confirm",
        data={"csrf_token": token, "promised_all": PROMISED.isoformat()},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    page = merch.get(url)
    assert (
        'id="receive-form"' in page.text
        and 'name="inspect" type="checkbox" value="1" checked' in page.text
    )
    line_ids = [int(x) for x in re.findall(r'name="receive_(\d+)"', page.text)]
    got = merch.post(
        url + "/receive",
        data={
            "csrf_token": token,
            f"receive_{line_ids[0]}": "100",
            "reference": "DN-9",
            "inspect": "1",
        },
        follow_redirects=False,
    )
    assert got.status_code == 303, got.text
    page = merch.get(url)
    assert "partly received" in page.text and "pending inspection" in page.text
    lots = merch.get("/staff/receipts?status=pending_inspection")
    assert lots.status_code == 200 and "MT-001-RED" in lots.text and "/staff/lots/" in lots.text
    closed = merch.post(
        url + "/close", data={"csrf_token": token, "note": "rest dropped"}, follow_redirects=False
    )
    assert closed.status_code == 303
    assert "under delivered" in merch.get(url).text


def test_sales_read_and_buyers_are_kept_out(db, world, sourcing, signed_in):
    sales = signed_in("sales@seller.test")
    assert sales.get("/staff/purchase-orders").status_code == 200
    assert sales.get("/staff/receipts").status_code == 200
    assert sales.get("/staff/purchase-orders/new").status_code == 403
    assert sales.get("/staff/purchase-orders/999").status_code == 404
    buyer = signed_in("buyer@a.test")
    assert buyer.get("/staff/purchase-orders").status_code == 403
    assert buyer.get("/staff/receipts").status_code == 403
