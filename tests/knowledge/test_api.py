"""The knowledge over HTTP: every staff member reads; admin and merchandisers edit and reset."""

from __future__ import annotations

from microbag.knowledge.facts import shipped_knowledge, thaw

ADMIN, SALES, MERCH = "admin@seller.test", "sales@seller.test", "merch@seller.test"
KEY = "region_color_families.europe"


def europe(**changes: float) -> dict[str, float]:
    return thaw(shipped_knowledge().fact(KEY).value) | changes


def test_staff_read_every_fact_with_source_and_shipped_value(client, world):
    r = client.get("/api/v1/knowledge", headers=world.auth(SALES))
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == shipped_knowledge().version
    assert len(body["facts"]) == len(shipped_knowledge().facts())
    fact = next(f for f in body["facts"] if f["key"] == KEY)
    assert fact["source"] == "brief: Table 11" and fact["value"] == fact["shipped_value"]
    assert fact["edited"] is False and fact["table_title"] == "Color families by region"
    r = client.get("/api/v1/knowledge", params={"table": "price_model"}, headers=world.auth(SALES))
    assert {f["table"] for f in r.json()["facts"]} == {"price_model"}
    r = client.get(f"/api/v1/knowledge/{KEY}", headers=world.auth(MERCH))
    assert r.status_code == 200 and r.json() == fact
    assert client.get("/api/v1/knowledge/nope.x", headers=world.auth(MERCH)).status_code == 404
    assert client.get("/api/v1/knowledge", headers=world.auth("owner@a.test")).status_code == 403
    assert client.get("/api/v1/knowledge").status_code == 401


def test_merchandiser_edits_and_resets_a_fact(client, world):
    h = world.auth(MERCH)
    r = client.put(f"/api/v1/knowledge/{KEY}", json={"value": europe(vivid=1.5)}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == "seller" and body["value"]["vivid"] == 1.5
    assert body["shipped_value"]["vivid"] == 0.5 and body["shipped_source"] == "brief: Table 11"
    assert body["edited"] and body["edited_by"] == MERCH and body["edited_at"]
    r = client.delete(f"/api/v1/knowledge/{KEY}", headers=world.auth(ADMIN))
    assert r.status_code == 204
    r = client.get(f"/api/v1/knowledge/{KEY}", headers=h)
    assert r.json()["source"] == "brief: Table 11" and not r.json()["edited"]


def test_sales_staff_may_not_edit(client, world):
    r = client.put(f"/api/v1/knowledge/{KEY}", json={"value": europe()}, headers=world.auth(SALES))
    assert r.status_code == 403
    assert client.delete(f"/api/v1/knowledge/{KEY}", headers=world.auth(SALES)).status_code == 403


def test_a_bad_edit_gets_errors_naming_fact_and_field(client, world):
    h = world.auth(MERCH)
    r = client.put(
        f"/api/v1/knowledge/{KEY}", json={"value": europe(vivid=12, gold=1.0)}, headers=h
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert {e["code"] for e in errors} == {"invalid_fact"}
    assert {e["field"] for e in errors} >= {f"{KEY}:value.vivid", f"{KEY}:value.gold"}
    assert all(KEY in e["message"] for e in errors)
    r = client.put("/api/v1/knowledge/segment_types.wholesaler", json={"value": {}}, headers=h)
    assert r.status_code == 422 and "unknown row" in r.json()["errors"][0]["message"]
    r = client.put(f"/api/v1/knowledge/{KEY}", json={"valeur": 1}, headers=h)
    assert r.status_code == 422
    r = client.get(f"/api/v1/knowledge/{KEY}", headers=h)
    assert r.json()["edited"] is False  # nothing was saved
    assert client.delete("/api/v1/knowledge/styling_pairs.nope", headers=h).status_code == 404
