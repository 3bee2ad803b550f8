"""The whole journey over real HTTP: request → answer → accept, exactly one order."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
from sqlalchemy import select

from microbag.orders.models import Order
from microbag.quotes.service import today_utc
from microbag.stock.models import StockLevel

from .conftest import PNG

CONCURRENT_ACCEPTS = 10


def test_customized_request_below_moq_to_one_order(db, world, live_server):
    buyer = httpx.Client(base_url=live_server, headers=world.auth("buyer@a.test"), timeout=60)
    sales = httpx.Client(base_url=live_server, headers=world.auth("sales@seller.test"), timeout=60)

    # 1. the buyer asks for a customized run below the MOQ (6), with a logo file
    resp = buyer.post(
        "/api/v1/quotes",
        json={
            "kind": "quote",
            "lines": [{"sku": "MC-001-GLD", "quantity": 4}, {"sku": "CB-001-TAN", "quantity": 5}],
            "customization": {"logo": "hot-stamped initials", "packaging": "tissue and box"},
            "notes": "pop-up store opening",
        },
    )
    assert resp.status_code == 201, resp.text
    quote_id = resp.json()["id"]
    resp = buyer.post(
        f"/api/v1/quotes/{quote_id}/artworks",
        files={"file": ("initials.png", PNG, "image/png")},
    )
    assert resp.status_code == 201, resp.text

    # 2. staff find it in the inbox and answer
    inbox = sales.get("/api/v1/quotes", params={"status": "requested"}).json()
    assert [q["id"] for q in inbox["items"]] == [quote_id]
    assert inbox["items"][0]["artworks"][0]["filename"] == "initials.png"
    resp = sales.post(
        f"/api/v1/quotes/{quote_id}/answer",
        json={
            "lines": [
                {"line_no": 1, "unit_price_minor": 5_250},
                {"line_no": 2, "unit_price_minor": 3_100},
            ],
            "lead_time_days": 10,
            "valid_until": (today_utc() + timedelta(days=30)).isoformat(),
            "note": "stamping included",
        },
    )
    assert resp.status_code == 200, resp.text

    # 3. the buyer accepts from ten connections at once
    results: list[httpx.Response] = []
    lock = threading.Lock()
    start = threading.Barrier(CONCURRENT_ACCEPTS)

    def accept() -> None:
        with httpx.Client(
            base_url=live_server, headers=world.auth("buyer@a.test"), timeout=60
        ) as c:
            start.wait()
            r = c.post(f"/api/v1/quotes/{quote_id}/accept")
        with lock:
            results.append(r)

    threads = [threading.Thread(target=accept) for _ in range(CONCURRENT_ACCEPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == CONCURRENT_ACCEPTS
    assert all(r.status_code == 201 for r in results), [r.text for r in results]
    order_ids = {r.json()["order_id"] for r in results}
    assert len(order_ids) == 1
    order_id = order_ids.pop()

    # exactly one order, tied to the quote, at the agreed prices, stock reserved once
    with db.session() as s:
        orders = s.scalars(select(Order)).all()
        assert [(o.id, o.quote_id) for o in orders] == [(order_id, quote_id)]
        assert [(ln.sku_code, ln.quantity, ln.unit_price_minor) for ln in orders[0].lines] == [
            ("MC-001-GLD", 4, 5_250),
            ("CB-001-TAN", 5, 3_100),
        ]
        assert orders[0].total_minor == 4 * 5_250 + 5 * 3_100
        reserved = dict(s.execute(select(StockLevel.sku_id, StockLevel.reserved)).all())
        assert reserved[world.skus["MC-001-GLD"]] == 4
        assert reserved[world.skus["CB-001-TAN"]] == 5
    order = buyer.get(f"/api/v1/orders/{order_id}")
    assert order.status_code == 200
    assert order.json()["total"] == {"amount_minor": 36_500, "currency": "EUR"}
    quote = buyer.get(f"/api/v1/quotes/{quote_id}").json()
    assert (quote["status"], quote["order_id"]) == ("accepted", order_id)
    buyer.close()
    sales.close()


def test_large_uploads_over_real_http_are_refused_cleanly(db, world, live_server):
    """The client gets a 413 with the error shape, whether the size is declared or not."""
    with httpx.Client(base_url=live_server, headers=world.auth("buyer@a.test"), timeout=60) as c:
        quote_id = c.post(
            "/api/v1/quotes", json={"lines": [{"sku": "MT-001-RED", "quantity": 1}]}
        ).json()["id"]
        url = f"/api/v1/quotes/{quote_id}/artworks"
        declared = c.post(
            url, files={"file": ("a.png", PNG + bytes(40 * 1024 * 1024), "image/png")}
        )

        def chunked():
            yield b'--B\r\nContent-Disposition: form-data; name="file"; filename="c.png"\r\n'
            yield b"Content-Type: image/png\r\n\r\n" + PNG
            for _ in range(40):
                yield bytes(1024 * 1024)
            yield b"\r\n--B--\r\n"

        streamed = c.post(
            url, content=chunked(), headers={"Content-Type": "multipart/form-data; boundary=B"}
        )
        for resp in (declared, streamed):
            assert resp.status_code == 413
            assert resp.json()["errors"][0]["code"] == "artwork_too_large"
        # the server is fine and nothing was stored
        assert c.get(f"/api/v1/quotes/{quote_id}").json()["artworks"] == []
