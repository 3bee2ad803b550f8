"""The range plan API: solve (admin, merchandiser), read, list, export; staff only."""

from __future__ import annotations

from microbag.rangeplan import service

from .test_service import with_costs

BODY = {
    "season": "holiday",
    "year": 2026,
    "currency": "EUR",
    "budget_minor": 1_000_000,
    "max_styles": 3,
    "knowledge_defaults": False,
    "time_limit_s": 5,
}


def test_merchandisers_solve_and_staff_read_list_and_export(client, db, world) -> None:
    with_costs(db)
    merch = world.auth("merch@seller.test")
    answer = client.post("/api/v1/range-plans", json=BODY, headers=merch)
    assert answer.status_code == 201, answer.text
    plan = answer.json()
    assert plan["status"] == "optimal" and plan["gap"] <= 0.001
    assert plan["lines"] and all(line["reasons"] for line in plan["lines"])
    assert plan["inputs"]["candidates"] == 4
    assert plan["comparison"] is None
    sales = world.auth("sales@seller.test")
    got = client.get(f"/api/v1/range-plans/{plan['id']}", headers=sales)
    assert got.status_code == 200 and got.json()["lines"] == plan["lines"]
    listed = client.get("/api/v1/range-plans", headers=sales).json()
    assert listed["total"] == 1 and listed["items"][0]["skus"] == len(plan["lines"])
    csv = client.get(f"/api/v1/range-plans/{plan['id']}/export?format=csv", headers=sales)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == len(plan["lines"]) + 1
    xlsx = client.get(f"/api/v1/range-plans/{plan['id']}/export?format=xlsx", headers=sales)
    assert xlsx.content[:2] == b"PK"
    again = client.post("/api/v1/range-plans", json={**BODY, "year": 2027}, headers=merch).json()
    assert again["comparison"]["previous_id"] == plan["id"]
    with db.session() as s:
        assert service.purchase_quantities(service.get_plan(s, again["id"])) == [
            (ln["sku"], ln["units_to_buy"]) for ln in again["lines"] if ln["units_to_buy"]
        ]


def test_an_infeasible_request_is_answered_with_its_conflict(client, db, world) -> None:
    with_costs(db)
    body = {**BODY, "bounds": [{"group": "bag_type:belt_bag", "min_count": 1}]}
    answer = client.post("/api/v1/range-plans", json=body, headers=world.auth("admin@seller.test"))
    assert answer.status_code == 201
    plan = answer.json()
    assert plan["status"] == "infeasible" and plan["lines"] == []
    assert plan["conflicts"]["constraints"] == ["min_count:bag_type:belt_bag"]


def test_roles_and_validation(client, db, world) -> None:
    with_costs(db)
    assert (
        client.post(
            "/api/v1/range-plans", json=BODY, headers=world.auth("sales@seller.test")
        ).status_code
        == 403
    )
    assert client.get("/api/v1/range-plans", headers=world.auth("owner@a.test")).status_code == 403
    bad = {**BODY, "season": "spring", "region": "mars", "currency": "EURO"}
    answer = client.post("/api/v1/range-plans", json=bad, headers=world.auth("admin@seller.test"))
    assert answer.status_code == 422
    assert (
        client.get("/api/v1/range-plans/999", headers=world.auth("admin@seller.test")).status_code
        == 404
    )
