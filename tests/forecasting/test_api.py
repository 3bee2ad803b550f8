"""GET /api/v1/forecasts and /api/v1/forecasts/backtest (staff only)."""

from __future__ import annotations

import pytest

from microbag.forecasting.service import run_forecast, series_view


@pytest.fixture
def forecasted(db, history):
    with db.session(write=True) as s:
        run = run_forecast(s, 3, fast=True)
    return run


def test_list_filter_and_page(client, world, forecasted) -> None:
    staff = world.auth("admin@seller.test")
    r = client.get("/api/v1/forecasts", params={"level": "sku", "page_size": 4}, headers=staff)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["run_id"] == forecasted.run_id and body["horizon"] == 3
    assert body["total"] == 3 * 3 and len(body["items"]) == 4 and body["page_size"] == 4
    item = body["items"][0]
    assert item["level"] == "sku" and item["lo80"] <= item["mean"] <= item["hi80"]
    page3 = client.get(
        "/api/v1/forecasts", params={"level": "sku", "page_size": 4, "page": 3}, headers=staff
    )
    assert len(page3.json()["items"]) == 1
    one = client.get(
        "/api/v1/forecasts",
        params={"level": "sku_region", "unique_id": "MC-001-BLK/us"},
        headers=staff,
    ).json()
    assert one["total"] == 3 and {i["unique_id"] for i in one["items"]} == {"MC-001-BLK/us"}
    assert one["items"][0]["model"] != "BottomUp"  # a bottom series has its own model
    total = client.get("/api/v1/forecasts", params={"level": "total"}, headers=staff).json()
    assert total["items"][0]["model"] == "BottomUp"


def test_backtest_scores(client, world, forecasted) -> None:
    r = client.get(
        "/api/v1/forecasts/backtest",
        params={"level": "sku_region"},
        headers=world.auth("admin@seller.test"),
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert {i["horizon"] for i in items} == {4, 8}
    assert any(i["model"] == "microbag" and i["chosen"] for i in items)
    assert all(i["wape"] is None or i["wape"] >= 0 for i in items)


def test_buyers_are_refused(client, world, forecasted) -> None:
    r = client.get("/api/v1/forecasts", headers=world.auth("buyer@a.test"))
    assert r.status_code == 403


def test_empty_before_any_run(client, world) -> None:
    r = client.get("/api/v1/forecasts", headers=world.auth("admin@seller.test"))
    assert r.status_code == 200 and r.json()["total"] == 0 and r.json()["run_id"] is None


def test_series_view_for_a_chart(db, forecasted) -> None:
    with db.session() as s:
        view = series_view(s, "sku", "MT-001-RED")
    assert len(view.forecast) == 3 and view.history[-1][1] > 0
    assert view.history[-1][0] < view.forecast[0][0]
    assert view.model == "BottomUp" and view.scores == []  # a sum of its regions
    with db.session() as s:
        bottom = series_view(s, "sku_region", "MT-001-RED/europe")
    assert bottom.model != "BottomUp"
    assert {sc.horizon for sc in bottom.scores} == {4, 8}
    assert all(sc.chosen and sc.model == bottom.model for sc in bottom.scores)
