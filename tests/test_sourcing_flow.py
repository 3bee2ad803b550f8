"""Issue 10's whole buying flow through the HTTP API, end to end: a reorder suggestion
becomes a draft purchase order, which is sent and confirmed (its units become incoming
stock the buyers see), received with inspection (not sellable), inspected (a rejected lot
stays out of stock; accepted with a note, or passing, it joins stock on hand).

The data (``journey_data``) is shared with the browser journey
(tests/web/test_browser_sourcing.py) and the CLI flow (tests/cli/test_sourcing_cli_flow.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import update

from microbag.db import Database
from microbag.forecasting.models import Forecast, ForecastRun
from microbag.history.policies import week_start
from microbag.stock.models import StockLevel
from microbag.suppliers.models import SupplierCertificate
from microbag.timeutil import utcnow
from tests.factories import World
from tests.scorecards.history import known_history
from tests.sourcing_data import add_supplier, add_supplier_price

SKU = "MT-001-RED"
ON_HAND = 10
WEEKLY = 30.0
SIGMA = 6.0
# ZJ-02's known purchase history (tests/scorecards/history.py) lies in this window.
HISTORY_SKUS = ("MC-001-GLD", "MC-001-BLK", "MT-001-RED", "CB-001-TAN")


@dataclass(frozen=True)
class JourneyData:
    today: date
    promised: date  # a date the supplier promises, well ahead
    cheapest: str  # the supplier the reorder chooses for SKU


def journey_data(db: Database, world: World) -> JourneyData:
    """Three suppliers offer ``SKU`` (GZ-01 the cheapest landed, with a BSCI audit;
    ZJ-02 with a year of purchase history and an ISO 9001 certificate about to expire;
    VN-03), a forecast of 30 a week for it from this week on, and only
    10 on hand at MAIN: the reorder suggests one line, from GZ-01. The other SKUs have no
    forecast and no sales, so nothing is suggested for them."""
    today = utcnow().date()
    with db.session(write=True) as s:
        gz = add_supplier(s, "GZ-01", name="Pearl River Leather Co.", lead_time_days=21)
        add_supplier_price(s, gz, world.skus[SKU], 850, moq=50, case_pack=10)
        zj = known_history(s, world, "ZJ-02", today=today).supplier
        zj.name, zj.region = "Wenzhou Fine Bags", "Zhejiang"
        add_supplier_price(s, zj, world.skus[SKU], 900, moq=100, case_pack=20)
        vn = add_supplier(
            s, "VN-03", name="Saigon Craft Bags", country="VN", region="Ho Chi Minh City"
        )
        add_supplier_price(s, vn, world.skus[SKU], 950, moq=60, case_pack=12, lead_time_days=35)
        # Certificates as records (no file): GZ-01's BSCI audit runs a year, ZJ-02's
        # ISO 9001 expires within the warning window (the suppliers page warns).
        s.add_all(
            [
                SupplierCertificate(
                    supplier_id=gz.id,
                    kind="bsci",
                    issuer="amfori",
                    reference="BSCI-GZ-2026",
                    issued_on=today - timedelta(days=30),
                    valid_until=today + timedelta(days=335),
                ),
                SupplierCertificate(
                    supplier_id=zj.id,
                    kind="iso_9001",
                    issuer="SGS",
                    reference="CN24/0815",
                    issued_on=today - timedelta(days=1_065),
                    valid_until=today + timedelta(days=20),
                ),
            ]
        )
        s.execute(
            update(StockLevel)
            .where(StockLevel.sku_id == world.skus[SKU], StockLevel.warehouse_id == world.warehouse)
            .values(on_hand=ON_HAND, reserved=0)
        )
        run = ForecastRun(horizon=12, engine="local", params={})
        s.add(run)
        s.flush()
        half = 1.2816 * SIGMA
        monday = week_start(today)
        for w in range(12):
            s.add(
                Forecast(
                    run_id=run.id,
                    level="sku",
                    unique_id=SKU,
                    week_start=monday + timedelta(weeks=w),
                    mean=WEEKLY,
                    lo80=WEEKLY - half,
                    hi80=WEEKLY + half,
                    model="AutoETS",
                )
            )
    return JourneyData(today=today, promised=today + timedelta(days=28), cheapest="GZ-01")


def on_hand(client, world: World, sku: str = SKU) -> int:
    r = client.get(
        "/api/v1/stock",
        params={"sku": sku, "warehouse": "MAIN"},
        headers=world.auth("sales@seller.test"),
    )
    assert r.status_code == 200, r.text
    (row,) = r.json()["items"]
    return int(row["on_hand"])


def sellable(client, world: World, sku: str = SKU) -> int:
    """What a buyer sees as available to order now."""
    r = client.get(f"/api/v1/skus/{sku}", headers=world.auth("buyer@a.test"))
    assert r.status_code == 200, r.text
    return int(r.json()["available"])


def test_the_whole_flow_through_the_api(db, world, client) -> None:
    data = journey_data(db, world)
    merch = world.auth("merch@seller.test")

    # 1. The suggestion: one line, from the cheapest supplier, rounded to its packs.
    r = client.get("/api/v1/reorder-suggestions", headers=merch)
    assert r.status_code == 200, r.text
    (line,) = r.json()["items"]
    assert (line["sku"], line["warehouse"], line["supplier"]) == (SKU, "MAIN", data.cheapest)
    assert line["urgent"] and line["on_hand"] == ON_HAND
    quantity = line["quantity"]
    assert quantity >= 50 and quantity % 10 == 0
    assert quantity >= line["order_up_to"] - line["inventory_position"]

    # 2. Drafts in one step (a repeat makes nothing new).
    r = client.post("/api/v1/reorder-suggestions/drafts", json={}, headers=merch)
    assert r.status_code == 201, r.text
    (draft,) = r.json()["purchase_orders"]
    assert (draft["supplier"], draft["status"], draft["source"]) == ("GZ-01", "draft", "reorder")
    assert draft["units"] == quantity
    again = client.post("/api/v1/reorder-suggestions/drafts", json={}, headers=merch)
    assert again.status_code == 201 and again.json()["purchase_orders"] == []
    po_id = draft["id"]

    # 3. Send, confirm with a promised date: the line becomes incoming stock.
    assert client.post(f"/api/v1/purchase-orders/{po_id}/send", headers=merch).status_code == 200
    r = client.post(
        f"/api/v1/purchase-orders/{po_id}/confirm",
        json={"promised_date": data.promised.isoformat()},
        headers=merch,
    )
    assert r.status_code == 200, r.text
    po = r.json()
    assert po["status"] == "confirmed"
    (po_line,) = po["lines"]
    assert po_line["promised_date"] == data.promised.isoformat()
    pdf = client.get(f"/api/v1/purchase-orders/{po_id}/pdf", headers=merch)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    # 4. The buyer sees it incoming, and the ships-by filter finds the SKU by its window.
    buyer = world.auth("buyer@a.test")
    sku = client.get(f"/api/v1/skus/{SKU}", headers=buyer).json()
    assert sku["next_incoming"]["quantity"] == quantity
    assert sku["next_incoming"]["expected_date"] == data.promised.isoformat()
    ships_by = date.fromisoformat(sku["next_incoming"]["ship_to"])
    found = client.get(
        "/api/v1/skus", params={"ships_by": ships_by.isoformat(), "page_size": 100}, headers=buyer
    ).json()
    assert SKU in {item["code"] for item in found["items"]}
    # Buyers never see the buying side.
    assert client.get(f"/api/v1/purchase-orders/{po_id}", headers=buyer).status_code == 403
    assert client.get("/api/v1/reorder-suggestions", headers=buyer).status_code == 403

    # 5. Two deliveries, both to be inspected first: nothing sellable yet.
    first, second = quantity // 2, quantity - quantity // 2
    lots = []
    for n, units in enumerate((first, second), start=1):
        r = client.post(
            f"/api/v1/purchase-orders/{po_id}/receipts",
            json={
                "lines": [{"line_id": po_line["id"], "quantity": units}],
                "reference": f"DN-{n}",
            },
            headers=merch,
        )
        assert r.status_code == 201, r.text
        (lot,) = r.json()["lots"]
        assert lot["status"] == "pending_inspection"
        lots.append(lot["id"])
    repeat = client.post(
        f"/api/v1/purchase-orders/{po_id}/receipts",
        json={"lines": [{"line_id": po_line["id"], "quantity": first}], "reference": "DN-1"},
        headers=merch,
    )
    assert repeat.status_code == 201 and repeat.json()["lots"][0]["id"] == lots[0]
    assert on_hand(client, world) == ON_HAND
    po = client.get(f"/api/v1/purchase-orders/{po_id}", headers=merch).json()
    assert po["status"] == "received" and po["lines"][0]["received_quantity"] == quantity
    pending = client.get("/api/v1/lots", params={"status": "pending_inspection"}, headers=merch)
    assert sorted(item["id"] for item in pending.json()["items"]) == sorted(lots)

    # 6. The first lot fails (a critical defect: AQL 0), goes to quarantine, not to stock.
    r = client.post(
        f"/api/v1/lots/{lots[0]}/inspections",
        json={"defects": [{"kind": "hardware", "defect_class": "critical", "count": 1}]},
        headers=merch,
    )
    assert r.status_code == 201, r.text
    assert r.json()["result"] == "reject"
    assert client.get(f"/api/v1/lots/{lots[0]}", headers=merch).json()["status"] == "quarantined"
    assert on_hand(client, world) == ON_HAND
    assert sellable(client, world) == ON_HAND  # the buyer cannot order the rejected units

    # 7. The second lot passes: its units join stock at once.
    r = client.post(f"/api/v1/lots/{lots[1]}/inspections", json={"defects": []}, headers=merch)
    assert r.status_code == 201 and r.json()["result"] == "accept"
    assert on_hand(client, world) == ON_HAND + second

    # 8. Staff accept the quarantined lot with a note: its units join stock, once.
    decision = {"decision": "accept_with_note", "note": "clasp replaced by our workshop"}
    r = client.post(f"/api/v1/lots/{lots[0]}/decision", json=decision, headers=merch)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    assert on_hand(client, world) == ON_HAND + quantity
    assert sellable(client, world) == ON_HAND + quantity
    twice = client.post(f"/api/v1/lots/{lots[0]}/decision", json=decision, headers=merch)
    assert twice.status_code == 409
    assert on_hand(client, world) == ON_HAND + quantity

    # The incoming batch is settled: the buyer no longer sees those units as incoming.
    sku = client.get(f"/api/v1/skus/{SKU}", headers=buyer).json()
    assert sku["next_incoming"] is None
    # And the suggestion has nothing left to order.
    left = client.get("/api/v1/reorder-suggestions", params={"sku": SKU}, headers=merch)
    assert left.json()["items"] == []
