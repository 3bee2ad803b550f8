"""The scorecard API: scorecards, one supplier's, rankings; staff read, buyers never."""

from __future__ import annotations

from microbag.timeutil import utcnow
from tests.sourcing_data import add_supplier_price

from .history import known_history


def _history(db, world) -> int:
    with db.session(write=True) as s:
        sup = known_history(s, world, today=utcnow().date())
        add_supplier_price(s, sup.supplier, world.skus["MC-001-GLD"], 1_200)
        return sup.supplier.id


def test_staff_read_scorecards_and_buyers_are_refused(client, db, world) -> None:
    sid = _history(db, world)
    for email in ("admin@seller.test", "sales@seller.test", "merch@seller.test"):
        listed = client.get("/api/v1/scorecards", headers=world.auth(email))
        assert listed.status_code == 200, listed.text
    [card] = listed.json()
    assert card["code"] == "GZ-01" and card["delivered_lines"] == 3
    assert card["standing"]["level"] in ("excellent", "good", "fair", "poor", "very_poor")
    assert card["standing"]["reason"] and len(card["periods"]) == 4
    assert set(card["values"]) == {
        "on_time",
        "in_full",
        "defect_rate",
        "lead_time_spread",
        "response_hours",
        "price",
        "customization",
        "certifications",
    }
    one = client.get(
        f"/api/v1/suppliers/{sid}/scorecard?periods=2", headers=world.auth("sales@seller.test")
    )
    assert one.status_code == 200 and len(one.json()["periods"]) == 2
    for email in ("owner@a.test", "buyer@a.test", "viewer@b.test"):
        for url in (
            "/api/v1/scorecards",
            f"/api/v1/suppliers/{sid}/scorecard",
            "/api/v1/supplier-rankings",
        ):
            assert client.get(url, headers=world.auth(email)).status_code == 403
    assert client.get("/api/v1/scorecards").status_code == 401


def test_unknown_suppliers_and_bad_queries(client, db, world) -> None:
    staff = world.auth("admin@seller.test")
    missing = client.get("/api/v1/suppliers/999/scorecard", headers=staff)
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "unknown_supplier"
    assert client.get("/api/v1/scorecards?periods=0", headers=staff).status_code == 422
    bad = client.get("/api/v1/supplier-rankings?sku=NOPE", headers=staff)
    assert bad.status_code == 404 and bad.json()["errors"][0]["code"] == "unknown_sku"
    bag = client.get("/api/v1/supplier-rankings?bag_type=suitcase", headers=staff)
    assert bag.status_code == 422 and bag.json()["errors"][0]["code"] == "unknown_bag_type"


def test_ranking_for_a_sku(client, db, world) -> None:
    _history(db, world)
    answer = client.get(
        "/api/v1/supplier-rankings?sku=MC-001-GLD", headers=world.auth("sales@seller.test")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["target"] == {"sku": "MC-001-GLD"}
    assert [r["code"] for r in body["rows"]] == ["GZ-01"] and body["rows"][0]["rank"] == 1
    assert body["rows"][0]["landed_unit_cost_minor"] > 1_200  # freight, duty, FX buffer
    assert body["criterion_weights"]["transparency"] == 1.0
    assert body["top1_stable_share"] == 1.0 and body["min_kendall_tau"] == 1.0
