"""The orders HTTP API: the public contract, every error code, scoping and roles."""

from __future__ import annotations

import pytest

from microbag.buyers.models import Company

GLD, BLK, RED, TAN = "MC-001-GLD", "MC-001-BLK", "MT-001-RED", "CB-001-TAN"
URL = "/api/v1/orders"


def body(*pairs):
    return {"lines": [{"sku": s, "quantity": q} for s, q in pairs]}


# A plain line is filled from stock: nothing waits, nothing shipped yet (issue 11).
FROM_STOCK = {
    "fulfilment": "stock",
    "waiting_quantity": 0,
    "shipped_quantity": 0,
    "incoming_id": None,
    "promised_from": None,
    "promised_until": None,
    "promise": "reserved from stock",
}


def post_order(client, world, email, *pairs, key=None):
    headers = world.auth(email)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(URL, json=body(*pairs), headers=headers)


def errors(resp):
    return [(e["code"], e["line"]) for e in resp.json()["errors"]]


def test_place_order_contract(client, world):
    r = post_order(client, world, "buyer@a.test", (GLD, 12), (RED, 24), key="order-1")
    assert r.status_code == 201, r.text
    data = r.json()
    assert isinstance(data["id"], int)
    assert data["status"] == "placed"
    assert data["company_id"] == world.company_a
    assert data["lines"] == [
        {
            "line": 1,
            "sku": GLD,
            "quantity": 12,
            "unit_price": {"amount_minor": 4_500, "currency": "EUR"},
            "line_total": {"amount_minor": 54_000, "currency": "EUR"},
            **FROM_STOCK,
        },
        {
            "line": 2,
            "sku": RED,
            "quantity": 24,
            "unit_price": {"amount_minor": 4_050, "currency": "EUR"},
            "line_total": {"amount_minor": 97_200, "currency": "EUR"},
            **FROM_STOCK,
        },
    ]
    assert data["total"] == {"amount_minor": 151_200, "currency": "EUR"}
    assert data["placed_at"] is not None and data["paid_at"] is None
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in data["events"]] == [
        (None, "placed", "buyer@a.test")
    ]
    assert "Idempotent-Replayed" not in r.headers

    replay = post_order(client, world, "buyer@a.test", (GLD, 12), (RED, 24), key="order-1")
    assert replay.status_code == 201
    assert replay.json() == data
    assert replay.headers["Idempotent-Replayed"] == "true"

    got = client.get(f"{URL}/{data['id']}", headers=world.auth("viewer@a.test"))
    assert got.status_code == 200
    assert got.json() == data


def test_same_key_other_body_is_422(client, world):
    assert post_order(client, world, "buyer@a.test", (GLD, 12), key="k").status_code == 201
    r = post_order(client, world, "buyer@a.test", (GLD, 18), key="k")
    assert r.status_code == 422
    assert errors(r) == [("idempotency_key_reused", None)]


def test_without_key_each_post_is_a_new_order(client, world):
    a = post_order(client, world, "buyer@a.test", (GLD, 12)).json()["id"]
    b = post_order(client, world, "buyer@a.test", (GLD, 12)).json()["id"]
    assert a != b


@pytest.mark.parametrize(
    ("pairs", "status", "expected"),
    [
        ([("NOPE-1", 6)], 422, [("unknown_sku", 1)]),
        ([(GLD, 12), (BLK, 3)], 422, [("below_moq", 2), ("not_case_pack_multiple", 2)]),
        ([(GLD, 12), (RED, 14)], 422, [("not_case_pack_multiple", 2)]),
        ([(GLD, 6)], 422, [("below_minimum_order_value", None)]),
        ([(GLD, 12), (TAN, 102)], 409, [("insufficient_stock", 2)]),
        ([(GLD, 12), (GLD, 6)], 422, [("duplicate_sku", 2)]),
    ],
)
def test_rule_errors(client, world, pairs, status, expected):
    r = post_order(client, world, "buyer@a.test", *pairs, key="same-key-every-time")
    assert r.status_code == status, r.text
    assert errors(r) == expected
    assert all(e["message"] for e in r.json()["errors"])
    # Nothing was placed or reserved: a valid order with the same key goes through.
    ok = post_order(client, world, "buyer@a.test", (GLD, 12), key="same-key-every-time")
    assert ok.status_code == 201


def test_credit_limit_exceeded(client, world, db):
    with db.session(write=True) as s:
        s.get(Company, world.company_a).credit_limit_minor = 50_000
    r = post_order(client, world, "buyer@a.test", (GLD, 12))
    assert r.status_code == 422
    assert errors(r) == [("credit_limit_exceeded", None)]


@pytest.mark.parametrize(
    "payload",
    [
        {"lines": []},
        {"lines": [{"sku": GLD, "quantity": 0}]},
        {"lines": [{"sku": GLD, "quantity": 1_000_001}]},
        {"lines": [{"sku": GLD, "quantity": "12"}]},
        {"lines": [{"sku": GLD, "quantity": 12.5}]},
        {"lines": [{"sku": "", "quantity": 12}]},
        {"lines": [{"sku": "X" * 65, "quantity": 12}]},
        {"lines": [{"sku": GLD}]},
        {"lines": [{"sku": GLD, "quantity": 12, "price": 1}]},
        {"lines": [{"sku": f"S-{i}", "quantity": 6} for i in range(201)]},
        {},
    ],
)
def test_bad_input_is_422_with_the_error_shape(client, world, payload):
    r = client.post(URL, json=payload, headers=world.auth("buyer@a.test"))
    assert r.status_code == 422, r.text
    assert all(e["code"] == "invalid_input" for e in r.json()["errors"])


def test_bad_input_names_the_line(client, world):
    payload = {"lines": [{"sku": GLD, "quantity": 12}, {"sku": RED, "quantity": -1}]}
    r = client.post(URL, json=payload, headers=world.auth("buyer@a.test"))
    assert [e["line"] for e in r.json()["errors"]] == [2]


def test_idempotency_key_length(client, world):
    ok = post_order(client, world, "buyer@a.test", (GLD, 12), key="k" * 255)
    assert ok.status_code == 201
    r = post_order(client, world, "buyer@a.test", (GLD, 12), key="k" * 256)
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "invalid_input"


def test_auth_and_roles_on_placing(client, world):
    assert client.post(URL, json=body((GLD, 12))).status_code == 401
    for email in ("viewer@a.test", "admin@seller.test", "sales@seller.test", "merch@seller.test"):
        r = post_order(client, world, email, (GLD, 12))
        assert r.status_code == 403, email
        assert r.json()["errors"][0]["code"] == "forbidden"
    for email in ("owner@a.test", "buyer@a.test", "buyer@prepaid.test"):
        assert post_order(client, world, email, (GLD, 12)).status_code == 201


def test_another_companys_order_is_404_everywhere(client, world):
    order_id = post_order(client, world, "buyer@a.test", (GLD, 12)).json()["id"]
    for email in ("owner@b.test", "buyer@b.test", "viewer@b.test"):
        r = client.get(f"{URL}/{order_id}", headers=world.auth(email))
        assert r.status_code == 404
        assert r.json()["errors"][0]["code"] == "not_found"
    for email in ("owner@b.test", "buyer@b.test"):
        r = client.post(f"{URL}/{order_id}/cancel", headers=world.auth(email))
        assert r.status_code == 404
    listing = client.get(URL, headers=world.auth("owner@b.test")).json()
    assert listing["total"] == 0 and listing["items"] == []
    # A made-up id looks the same as another company's.
    assert client.get(f"{URL}/987654", headers=world.auth("owner@b.test")).status_code == 404


def test_list_filters_and_pages(client, world):
    ids = [post_order(client, world, "buyer@a.test", (GLD, 12)).json()["id"] for _ in range(3)]
    post_order(client, world, "buyer@b.test", (GLD, 12))
    client.post(f"{URL}/{ids[0]}/cancel", headers=world.auth("buyer@a.test"))
    page = client.get(URL, params={"page_size": 2}, headers=world.auth("viewer@a.test")).json()
    assert page["total"] == 3 and page["page_size"] == 2
    assert [o["id"] for o in page["items"]] == [ids[2], ids[1]]
    cancelled = client.get(
        URL, params={"status": "cancelled"}, headers=world.auth("viewer@a.test")
    ).json()
    assert [o["id"] for o in cancelled["items"]] == [ids[0]]
    staff_all = client.get(URL, headers=world.auth("merch@seller.test")).json()
    assert staff_all["total"] == 4
    staff_b = client.get(
        URL, params={"company_id": world.company_b}, headers=world.auth("sales@seller.test")
    ).json()
    assert staff_b["total"] == 1 and staff_b["items"][0]["company_id"] == world.company_b
    bad = client.get(URL, params={"status": "lost"}, headers=world.auth("viewer@a.test"))
    assert bad.status_code == 422


def test_staff_lifecycle_over_http(client, world):
    order_id = post_order(client, world, "buyer@a.test", (GLD, 12)).json()["id"]
    staff = world.auth("sales@seller.test")

    def act(action, json=None, headers=staff):
        return client.post(f"{URL}/{order_id}/{action}", json=json, headers=headers)

    assert act("ship", {"tracking_ref": "1Z"}).status_code == 409  # not confirmed yet
    assert errors(act("deliver")) == [("invalid_transition", None)]
    assert act("confirm").json()["status"] == "confirmed"
    assert act("confirm").status_code == 409
    # Buyers may no longer cancel; staff must say why.
    r = act("cancel", headers=world.auth("buyer@a.test"))
    assert (r.status_code, errors(r)) == (409, [("invalid_transition", None)])
    assert errors(act("cancel", {"reason": ""})) == [("reason_required", None)]
    assert act("ship", {}).status_code == 422
    assert act("ship", {"tracking_ref": ""}).status_code == 422
    shipped = act("ship", {"tracking_ref": "1Z999AA1"}).json()
    assert (shipped["status"], shipped["tracking_ref"]) == ("shipped", "1Z999AA1")
    assert act("cancel", {"reason": "too late"}).status_code == 409
    assert act("deliver").json()["status"] == "delivered"
    paid = act("mark-paid").json()
    assert paid["paid_at"] is not None
    assert errors(act("mark-paid")) == [("already_paid", None)]
    assert [e["to_status"] for e in paid["events"]] == [
        "placed",
        "confirmed",
        "shipped",
        "delivered",
        "delivered",
    ]


@pytest.mark.parametrize("action", ["confirm", "ship", "deliver", "mark-paid"])
def test_staff_actions_are_403_for_others(client, world, action):
    order_id = post_order(client, world, "buyer@a.test", (GLD, 12)).json()["id"]
    payload = {"tracking_ref": "1Z"} if action == "ship" else None
    for email in ("owner@a.test", "buyer@a.test", "viewer@a.test", "merch@seller.test"):
        r = client.post(f"{URL}/{order_id}/{action}", json=payload, headers=world.auth(email))
        assert r.status_code == 403, (action, email)
    assert client.post(f"{URL}/{order_id}/{action}", json=payload).status_code == 401


def test_cancel_roles(client, world):
    order_id = post_order(client, world, "buyer@a.test", (GLD, 12)).json()["id"]
    for email in ("viewer@a.test", "merch@seller.test"):
        r = client.post(f"{URL}/{order_id}/cancel", headers=world.auth(email))
        assert r.status_code == 403, email
    r = client.post(
        f"{URL}/{order_id}/cancel",
        json={"reason": "wrong colour"},
        headers=world.auth("owner@a.test"),
    )
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    assert r.json()["events"][-1]["reason"] == "wrong colour"
    again = client.post(f"{URL}/{order_id}/cancel", headers=world.auth("owner@a.test"))
    assert again.status_code == 409


def test_order_ids_out_of_range_are_422(client, world):
    r = client.get(f"{URL}/0", headers=world.auth("viewer@a.test"))
    assert r.status_code == 422
    r = client.get(f"{URL}/{2**40}", headers=world.auth("viewer@a.test"))
    assert r.status_code == 422
