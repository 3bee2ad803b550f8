"""GET /api/v1/trends and /api/v1/trends/{attribute}/{value}: staff only, read."""

from __future__ import annotations

from typing import get_args

from microbag.db import Database
from microbag.trends.policies import LABEL_REASONS
from microbag.trends.schemas import LabelReason
from microbag.trends.service import run_trends


def test_list_computed_then_stored(client, db: Database, trending) -> None:
    staff = trending.auth("merch@seller.test")
    first = client.get("/api/v1/trends", params={"region": "all", "segment": "all"}, headers=staff)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["run_id"] is None and body["total"] == len(body["items"]) > 0
    labels = {(i["attribute"], i["value"]): i["label"] for i in body["items"]}
    assert labels[("color", "red")] == "rising"
    with db.session(write=True) as s:
        run_id = run_trends(s).run_id
    stored = client.get("/api/v1/trends", params={"label": "fading"}, headers=staff).json()
    assert stored["run_id"] == run_id and stored["last_week"]
    assert stored["items"] and all(i["label"] == "fading" for i in stored["items"])
    item = stored["items"][0]
    assert {"growth_pct", "evidence"} <= set(item)
    assert item["evidence"]["mann_kendall"]["test"] == "mann_kendall_original"
    paged = client.get("/api/v1/trends", params={"page_size": 2, "page": 2}, headers=staff).json()
    assert len(paged["items"]) == 2 and paged["page"] == 2


def test_detail_with_series(client, trending) -> None:
    staff = trending.auth("sales@seller.test")
    resp = client.get("/api/v1/trends/color/red", params={"region": "europe"}, headers=staff)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["label"] == "rising" and body["region"] == "europe"
    assert len(body["series"]) >= 20
    assert body["series"][0]["week"] == "2024-01-01"
    assert body["evidence"]["reasons"]


def test_errors(client, trending) -> None:
    staff = trending.auth("admin@seller.test")
    missing = client.get("/api/v1/trends/color/chartreuse", headers=staff)
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"
    bad = client.get("/api/v1/trends/planet/red", headers=staff)
    assert bad.status_code == 422 and bad.json()["errors"]
    bad_label = client.get("/api/v1/trends", params={"label": "soaring"}, headers=staff)
    assert bad_label.status_code == 422
    buyer = client.get("/api/v1/trends", headers=trending.auth("owner@a.test"))
    assert buyer.status_code == 403
    assert client.get("/api/v1/trends").status_code == 401


def test_label_reason_is_returned(client, db: Database, trending) -> None:
    """The policy's word for the label, at the top of each item and in its evidence."""
    assert set(get_args(LabelReason)) == set(LABEL_REASONS)
    staff = trending.auth("merch@seller.test")
    with db.session(write=True) as s:
        run_trends(s)
    items = client.get("/api/v1/trends", params={"page_size": 200}, headers=staff).json()["items"]
    red = next(
        i for i in items if (i["attribute"], i["value"], i["region"]) == ("color", "red", "all")
    )
    assert red["label"] == "rising" and red["label_reason"] == "sustained trend"
    assert red["evidence"]["label_reason"] == "sustained trend"
    for item in items:
        assert item["label_reason"] == item["evidence"]["label_reason"]
        assert item["label_reason"] is None or item["label_reason"] in LABEL_REASONS
