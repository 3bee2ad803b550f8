"""The catalog's HTTP contract: filters, pagination, per-company terms, staff routes."""

from __future__ import annotations

from sqlalchemy import select

from microbag.buyers.models import Company
from microbag.catalog.models import Sku
from microbag.pricing.models import PriceList

from ..factories import add_price

STYLE = {
    "code": "BB-100",
    "name": "Festival Belt Bag",
    "bag_type": "belt_bag",
    "width_mm": 200,
    "height_mm": 120,
    "depth_mm": 50,
    "price_tier": "mass",
    "season": "SS26",
    "occasions": ["festival"],
}


def skus(client, world, email="buyer@a.test", **params):
    r = client.get("/api/v1/skus", params=params, headers=world.auth(email))
    assert r.status_code == 200, r.text
    return r.json()


def codes(body) -> list[str]:
    return [i["code"] for i in body["items"]]


def test_list_requires_a_token(client, world):
    r = client.get("/api/v1/skus")
    assert r.status_code == 401
    assert r.json()["errors"][0]["code"] == "unauthorized"


def test_filters_combine(client, world):
    assert codes(skus(client, world, material="calfskin", color="gold")) == ["MC-001-GLD"]
    assert codes(
        skus(client, world, material="calfskin", occasion="bridal", price_tier="luxury")
    ) == [
        "MC-001-BLK",
        "MC-001-GLD",
    ]
    assert codes(skus(client, world, material="calfskin", price_tier="mass")) == []
    assert codes(skus(client, world, bag_type=["micro_tote", "mini_crossbody"])) == [
        "CB-001-TAN",
        "MT-001-RED",
    ]
    assert codes(skus(client, world, size_class="mini", season="all_season")) == ["CB-001-TAN"]
    assert codes(skus(client, world, q="gala", color="black")) == ["MC-001-BLK"]
    assert codes(skus(client, world, in_stock="true", q="tote")) == ["MT-001-RED"]
    body = skus(client, world, sort="name")
    assert body["total"] == 4 and body["total_exact"] is True
    item = body["items"][0]
    assert item["dimensions"]["width_mm"] == 180 and item["available"] == 100
    gold = next(i for i in body["items"] if i["code"] == "MC-001-GLD")
    assert gold["occasions"] == ["bridal", "formal"] and gold["size_class"] == "micro"
    assert gold["style_code"] == "MC-001" and gold["name"] == "Gala Micro Clutch"


BAD_FILTERS = [
    {"size_class": "huge"},
    {"material": "unobtainium"},
    {"price_tier": "cheap"},
    {"occasion": "funeral"},
    {"season": "summer"},
    {"bag_type": "Not A Slug"},
    {"sort": "price"},
    {"page": 0},
    {"page_size": 201},
    {"q": "x" * 101},
    {"q": "a\x00b"},
    {"in_stock": "maybe"},
]


def test_bad_filters_are_422_with_the_error_shape(client, world):
    for params in BAD_FILTERS:
        r = client.get("/api/v1/skus", params=params, headers=world.auth("buyer@a.test"))
        assert r.status_code == 422, params
        assert r.json()["errors"][0]["code"] == "invalid_input"


def test_pagination_caps_at_200(client, world):
    body = skus(client, world, page_size=200)
    assert body["page_size"] == 200
    body = skus(client, world, page_size=2, page=2)
    assert codes(body) == ["MC-001-GLD", "MT-001-RED"] and body["total"] == 4
    assert skus(client, world, page_size=2, page=3)["items"] == []


def test_buyers_see_only_active_skus_of_active_styles(client, world, db):
    with db.session(write=True) as s:
        s.scalar(select(Sku).where(Sku.code == "MT-001-RED")).lifecycle = "discontinued"
        s.scalar(select(Sku).where(Sku.code == "CB-001-TAN")).style.lifecycle = "draft"
    assert codes(skus(client, world)) == ["MC-001-BLK", "MC-001-GLD"]
    assert codes(skus(client, world, lifecycle="discontinued")) == []
    staff = skus(client, world, email="sales@seller.test", lifecycle="discontinued")
    assert codes(staff) == ["MT-001-RED"]
    for code in ("MT-001-RED", "CB-001-TAN"):
        r = client.get(f"/api/v1/skus/{code}", headers=world.auth("buyer@a.test"))
        assert r.status_code == 404
        r = client.get(f"/api/v1/skus/{code}", headers=world.auth("sales@seller.test"))
        assert r.status_code == 200


def test_detail_shows_the_callers_tiers_only(client, world, db):
    # Company B gets its own list with a price nobody else may ever see.
    with db.session(write=True) as s:
        own = PriceList(name="Big Store special", currency="USD", company_id=world.company_b)
        s.add(own)
        s.flush()
        sku = s.get(Sku, world.skus["MC-001-GLD"])
        add_price(s, own, sku, [(6, 1234), (24, 1111)])
    a = client.get("/api/v1/skus/MC-001-GLD", headers=world.auth("viewer@a.test")).json()
    b = client.get("/api/v1/skus/MC-001-GLD", headers=world.auth("buyer@b.test")).json()
    jp = client.get("/api/v1/skus/MC-001-GLD", headers=world.auth("buyer@prepaid.test")).json()
    assert a["tiers"][0] == {
        "min_quantity": 6,
        "unit_price": {"amount_minor": 4500, "currency": "EUR"},
    }
    assert a["moq"] == 6 and a["case_pack"] == 6 and a["available"] == 100
    assert [t["unit_price"]["amount_minor"] for t in b["tiers"]] == [1234, 1111]
    assert b["tiers"][0]["unit_price"]["currency"] == "USD"
    assert jp["tiers"][0]["unit_price"] == {"amount_minor": 6500, "currency": "JPY"}
    for other in (a, jp):
        assert "1234" not in str(other) and "1111" not in str(other)
    # company_id is for staff; a buyer naming another company still sees their own terms.
    r = client.get(
        "/api/v1/skus/MC-001-GLD",
        params={"company_id": world.company_b},
        headers=world.auth("buyer@a.test"),
    )
    assert r.json()["tiers"] == a["tiers"]
    staff = client.get(
        "/api/v1/skus/MC-001-GLD",
        params={"company_id": world.company_b},
        headers=world.auth("admin@seller.test"),
    ).json()
    assert [t["unit_price"]["amount_minor"] for t in staff["tiers"]] == [1234, 1111]


def test_sku_absent_from_the_buyers_price_list(client, world, db):
    with db.session(write=True) as s:
        # A company in a currency with no price list at all.
        s.add(
            Company(
                name="Riyadh Boutique",
                segment="boutique",
                country="SA",
                region="middle_east",
                currency="SAR",
            )
        )
    merch = world.auth("merch@seller.test")
    style = client.post("/api/v1/styles", json=STYLE, headers=merch).json()
    client.post(
        f"/api/v1/styles/{style['id']}/skus",
        json={"code": "BB-100-RED", "color": "red", "material": "nylon"},
        headers=merch,
    )
    assert client.post(f"/api/v1/styles/{style['id']}/activate", headers=merch).status_code == 200
    body = client.get("/api/v1/skus/BB-100-RED", headers=world.auth("buyer@a.test")).json()
    assert body["tiers"] == [] and body["moq"] is None and body["case_pack"] is None
    assert body["available"] == 0 and body["next_incoming"] is None


def test_unknown_sku_is_404(client, world):
    r = client.get("/api/v1/skus/NOPE-1", headers=world.auth("buyer@a.test"))
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "unknown_sku"


def test_staff_routes_check_roles(client, world):
    for email in ("buyer@a.test", "owner@a.test", "sales@seller.test"):
        r = client.post("/api/v1/styles", json=STYLE, headers=world.auth(email))
        assert r.status_code == 403, email
        r = client.patch(
            "/api/v1/skus/MC-001-GLD", json={"color": "rose"}, headers=world.auth(email)
        )
        assert r.status_code == 403, email
    assert client.get("/api/v1/styles", headers=world.auth("buyer@a.test")).status_code == 403
    assert client.get("/api/v1/styles", headers=world.auth("sales@seller.test")).status_code == 200
    r = client.post("/api/v1/styles", json=STYLE, headers=world.auth("admin@seller.test"))
    assert r.status_code == 201


def test_style_and_sku_editing_flow(client, world):
    merch = world.auth("merch@seller.test")
    r = client.post("/api/v1/styles", json=STYLE, headers=merch)
    assert r.status_code == 201
    style = r.json()
    assert style["lifecycle"] == "draft" and style["size_class"] == "mini"
    assert client.post("/api/v1/styles", json=STYLE, headers=merch).status_code == 409
    r = client.post(
        f"/api/v1/styles/{style['id']}/skus",
        json={"code": "BB-100-BLK", "color": "Black", "material": "PU", "hardware": "gunmetal"},
        headers=merch,
    )
    assert r.status_code == 201
    assert r.json()["material"] == "vegan_leather" and r.json()["color"] == "black"
    r = client.patch(f"/api/v1/styles/{style['id']}", json={"depth_mm": 700}, headers=merch)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "depth_mm"
    r = client.patch(f"/api/v1/styles/{style['id']}", json={"name": None}, headers=merch)
    assert r.status_code == 422
    r = client.patch(
        f"/api/v1/styles/{style['id']}", json={"width_mm": 95, "height_mm": 60}, headers=merch
    )
    assert r.status_code == 200 and r.json()["size_class"] == "nano"
    r = client.post(f"/api/v1/styles/{style['id']}/discontinue", headers=merch)
    assert r.status_code == 409  # a draft cannot be discontinued
    r = client.post(f"/api/v1/styles/{style['id']}/activate", headers=merch)
    assert r.status_code == 200 and r.json()["skus"][0]["lifecycle"] == "active"
    assert codes(skus(client, world, bag_type="belt_bag")) == ["BB-100-BLK"]
    r = client.patch("/api/v1/skus/BB-100-BLK", json={"lifecycle": "discontinued"}, headers=merch)
    assert r.status_code == 200 and r.json()["lifecycle"] == "discontinued"
    assert codes(skus(client, world, bag_type="belt_bag")) == []
    r = client.get(f"/api/v1/styles/{style['id']}", headers=world.auth("sales@seller.test"))
    assert r.status_code == 200 and r.json()["skus"][0]["code"] == "BB-100-BLK"


BAD_STYLES = [
    {**STYLE, "width_mm": -1},
    {**STYLE, "width_mm": 601},
    {**STYLE, "weight_g": 5001},
    {**STYLE, "bag_type": "Belt Bag!"},
    {**STYLE, "code": "has space"},
    {**STYLE, "name": "nul\x00"},
    {**STYLE, "season": "someday"},
    {**STYLE, "occasions": ["funeral"]},
    {**STYLE, "price_tier": "cheap"},
    {**STYLE, "holds": ["laptop"]},
    {**STYLE, "unexpected": 1},
    {**STYLE, "is_limited_edition": True, "drop_date": "2026-05-01"},
    {**STYLE, "edition_size": 10},
    {"code": "X"},
    [],
    "string",
]


def test_bad_style_input_is_422(client, world):
    for body in BAD_STYLES:
        r = client.post("/api/v1/styles", json=body, headers=world.auth("merch@seller.test"))
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"]
    assert (
        client.get("/api/v1/styles", headers=world.auth("merch@seller.test")).json()["total"] == 3
    )


def test_odd_ids_and_codes(client, world):
    merch = world.auth("merch@seller.test")
    assert client.get("/api/v1/styles/0", headers=merch).status_code == 422
    assert client.get(f"/api/v1/styles/{2**40}", headers=merch).status_code == 422
    assert client.get("/api/v1/styles/999999", headers=merch).status_code == 404
    assert client.get("/api/v1/skus/%20bad", headers=merch).status_code == 422
    r = client.get("/api/v1/skus/MC-001-GLD", params={"company_id": 2**33}, headers=merch)
    assert r.status_code == 422


def test_openapi_declares_the_catalog_routes(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/skus",
        "/api/v1/skus/{sku}",
        "/api/v1/styles",
        "/api/v1/styles/{style_id}",
        "/api/v1/styles/{style_id}/skus",
        "/api/v1/styles/{style_id}/activate",
        "/api/v1/styles/{style_id}/discontinue",
        "/api/v1/catalog/imports",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            assert {"401", "403", "422"} <= set(operation["responses"]), path


IMPORT_CSV = (
    "style_code,style_name,bag_type,width_mm,height_mm,depth_mm,price_tier,season,"
    "sku,color,material\n"
    "BB-300,Samba Belt Bag,belt_bag,190,110,45,mass,SS26,BB-300-RED,red,nylon\n"
)


def upload(client, world, data: str, email="merch@seller.test", **params):
    return client.post(
        "/api/v1/catalog/imports",
        params=params,
        files={"file": ("catalog.csv", data.encode(), "text/csv")},
        headers=world.auth(email),
    )


def test_import_route_preview_then_apply(client, world, db, fingerprint, monkeypatch):
    before = fingerprint(db)
    r = upload(client, world, IMPORT_CSV)  # dry run by default: a preview
    assert r.status_code == 200, r.text
    assert r.json() == {
        "dry_run": True,
        "applied": False,
        "format": "csv",
        "rows": 1,
        "styles_created": 1,
        "styles_updated": 0,
        "skus_created": 1,
        "skus_updated": 0,
    }
    assert fingerprint(db) == before
    bad = IMPORT_CSV + "BB-300,Samba Belt Bag,belt_bag,190,110,45,mass,SS26,BB-300-RED,red,=1\n"
    r = upload(client, world, bad, dry_run="false")
    assert r.status_code == 422
    assert {(e["line"], e["code"]) for e in r.json()["errors"]} == {
        (3, "duplicate_sku"),
        (3, "formula_cell"),
    }
    assert fingerprint(db) == before
    r = upload(client, world, IMPORT_CSV, dry_run="false")
    assert r.status_code == 200 and r.json()["applied"] is True
    assert fingerprint(db) != before
    assert upload(client, world, IMPORT_CSV, email="buyer@a.test").status_code == 403
    assert upload(client, world, IMPORT_CSV, email="sales@seller.test").status_code == 403
    from microbag.config import get_settings

    monkeypatch.setenv("MICROBAG_IMPORT_MAX_UPLOAD_BYTES", "100")
    get_settings.cache_clear()
    r = upload(client, world, IMPORT_CSV)
    monkeypatch.delenv("MICROBAG_IMPORT_MAX_UPLOAD_BYTES")
    get_settings.cache_clear()
    assert r.status_code == 413 and r.json()["errors"][0]["code"] == "file_too_large"
    r = client.post("/api/v1/catalog/imports", headers=world.auth("merch@seller.test"))
    assert r.status_code == 422
