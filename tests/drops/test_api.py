"""The drops API end to end: staff create and open, buyers request, staff preview and
allocate, buyers see their allocation and order; and two allocations at once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from microbag.drops import allocation
from microbag.errors import DomainError
from microbag.orders.models import Order
from microbag.timeutil import utcnow

GOLD = "MC-001-GLD"


def _create(client, world, **extra) -> int:
    body = {
        "name": "Gala Gold",
        "embargo_at": (utcnow() + timedelta(hours=2)).isoformat(),
        "skus": [{"sku": GOLD, "edition_size": 24, "buyer_cap": 18}],
        **extra,
    }
    r = client.post("/api/v1/drops", json=body, headers=world.auth("merch@seller.test"))
    assert r.status_code == 201, r.text
    drop = r.json()
    assert drop["status"] == "draft" and drop["skus"][0]["case_pack"] == 6
    r = client.post(f"/api/v1/drops/{drop['id']}/open", headers=world.auth("admin@seller.test"))
    assert r.status_code == 200 and r.json()["status"] == "open", r.text
    return int(drop["id"])


def test_drop_flow_over_the_api(client, world, pass_embargo):
    drop_id = _create(client, world)
    a, b = world.auth("buyer@a.test"), world.auth("owner@b.test")
    listed = client.get("/api/v1/drops", headers=world.auth("viewer@a.test")).json()
    assert [d["id"] for d in listed["items"]] == [drop_id]
    r = client.put(
        f"/api/v1/drops/{drop_id}/requests",
        json={"lines": [{"sku": GOLD, "quantity": 7}]},
        headers=a,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "case_pack"
    for headers in (a, b):
        r = client.put(
            f"/api/v1/drops/{drop_id}/requests",
            json={"lines": [{"sku": GOLD, "quantity": 18}]},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        assert [(x["sku"], x["quantity"]) for x in r.json()] == [(GOLD, 18)]
    r = client.delete(f"/api/v1/drops/{drop_id}/requests", headers=b)
    assert r.status_code == 204
    r = client.put(
        f"/api/v1/drops/{drop_id}/requests",
        json={"lines": [{"sku": GOLD, "quantity": 12}]},
        headers=b,
    )
    staff_view = client.get(
        f"/api/v1/drops/{drop_id}/requests", headers=world.auth("sales@seller.test")
    ).json()
    assert sorted((x["company"], x["quantity"]) for x in staff_view) == [
        ("Atelier Petit (Paris)", 18),
        ("Big Store (NYC)", 12),
    ]
    early = client.post(
        f"/api/v1/drops/{drop_id}/allocate", json={}, headers=world.auth("merch@seller.test")
    )
    assert (
        early.status_code == 409 and early.json()["errors"][0]["code"] == "drop_embargo_not_reached"
    )
    pass_embargo(drop_id)
    preview = client.post(
        f"/api/v1/drops/{drop_id}/allocate",
        json={"dry_run": True},
        headers=world.auth("merch@seller.test"),
    ).json()
    assert preview["dry_run"] and sum(s["allocated"] for s in preview["shares"]) == 24
    assert preview["allocations"] == []
    done = client.post(
        f"/api/v1/drops/{drop_id}/allocate", json={}, headers=world.auth("merch@seller.test")
    )
    assert done.status_code == 200, done.text
    assert {x["company"]: x["status"] for x in done.json()["allocations"]} == {
        "Atelier Petit (Paris)": "ordered",
        "Big Store (NYC)": "ordered",
    }
    mine = client.get(f"/api/v1/drops/{drop_id}", headers=a).json()
    assert mine["status"] == "allocated" and mine["company_ids"] == []
    assert mine["allocation"]["status"] == "ordered"
    assert mine["requests"][0]["allocated"] == mine["allocation"]["units"]
    order = client.get(f"/api/v1/orders/{mine['allocation']['order_id']}", headers=a)
    assert order.status_code == 200
    assert order.json()["lines"][0]["sku"] == GOLD
    assert order.json()["lines"][0]["quantity"] == mine["allocation"]["units"]


def test_an_ineligible_company_gets_404(client, world):
    drop_id = _create(client, world, segments=["boutique"])
    r = client.get(f"/api/v1/drops/{drop_id}", headers=world.auth("buyer@b.test"))
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "unknown_drop"
    r = client.put(
        f"/api/v1/drops/{drop_id}/requests",
        json={"lines": [{"sku": GOLD, "quantity": 6}]},
        headers=world.auth("buyer@b.test"),
    )
    assert r.status_code == 404
    assert client.get("/api/v1/drops", headers=world.auth("buyer@b.test")).json()["total"] == 0
    assert (
        client.get(f"/api/v1/drops/{drop_id}", headers=world.auth("buyer@a.test")).status_code
        == 200
    )


def test_two_allocations_at_once_allocate_once(
    db, world, who, make_drop, request_units, pass_embargo
):
    drop_id = make_drop(edition=24)
    request_units("buyer@a.test", drop_id, [(GOLD, 12)])
    request_units("buyer@b.test", drop_id, [(GOLD, 12)])
    pass_embargo(drop_id)
    start = threading.Barrier(2)
    results: list[str] = []

    def run(email: str) -> None:
        start.wait()
        try:
            with db.session(write=True) as s:
                allocation.allocate(s, who(email), drop_id)
            results.append("allocated")
        except DomainError as exc:
            results.append(exc.items[0].code)

    threads = [
        threading.Thread(target=run, args=(e,)) for e in ("admin@seller.test", "merch@seller.test")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["allocated", "drop_already_allocated"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 2
