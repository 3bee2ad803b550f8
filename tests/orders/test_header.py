"""The order header over the API: the buyer's PO number (unique per company, required
where the company says so), the requested delivery date, the ship-to copied from the
company's addresses, notes and the incoterm; a body with only lines works as before."""

from __future__ import annotations

from datetime import date, timedelta

URL = "/api/v1/orders"
LINES = [{"sku": "MC-001-GLD", "quantity": 12}]


def codes(resp) -> set[str]:
    return {e["code"] for e in resp.json()["errors"]}


def add_ship_to(client, world, email: str = "owner@a.test", **extra) -> int:
    resp = client.post(
        "/api/v1/my/addresses",
        json={
            "kind": "shipping",
            "label": "Paris",
            "name": "Atelier Petit",
            "line1": "12 rue du Bac",
            "city": "Paris",
            "postal_code": "75007",
            "country": "FR",
            **extra,
        },
        headers=world.auth(email),
    )
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def test_only_lines_works_as_before_with_the_company_defaults(client, world):
    resp = client.post(URL, json={"lines": LINES}, headers=world.auth("buyer@a.test"))
    assert resp.status_code == 201, resp.text
    order = resp.json()
    assert order["po_number"] is None and order["ship_to"] is None
    assert order["incoterm"] == "DAP"  # the company's default


def test_header_fields_are_stored_and_returned(client, world):
    address_id = add_ship_to(client, world)
    wanted = (date.today() + timedelta(days=20)).isoformat()
    resp = client.post(
        URL,
        json={
            "lines": LINES,
            "po_number": " PO-2026-0042 ",
            "requested_delivery_date": wanted,
            "notes": "Deliver to the back door",
            "incoterm": "DDP",
        },
        headers=world.auth("buyer@a.test"),
    )
    assert resp.status_code == 201, resp.text
    order = resp.json()
    assert order["po_number"] == "PO-2026-0042"
    assert order["requested_delivery_date"] == wanted
    assert order["incoterm"] == "DDP"
    assert order["notes"] == "Deliver to the back door"
    assert order["ship_to"]["address_id"] == address_id  # the default ship-to
    assert order["ship_to"]["lines"][0] == "Atelier Petit"
    again = client.get(f"{URL}/{order['id']}", headers=world.auth("viewer@a.test")).json()
    assert again["po_number"] == "PO-2026-0042"
    listed = client.get(
        URL, params={"po_number": "PO-2026-0042"}, headers=world.auth("buyer@a.test")
    )
    assert [o["id"] for o in listed.json()["items"]] == [order["id"]]


def test_a_po_number_names_one_order_of_a_company(client, world):
    first = client.post(
        URL, json={"lines": LINES, "po_number": "PO-1"}, headers=world.auth("buyer@a.test")
    )
    assert first.status_code == 201
    dup = client.post(
        URL, json={"lines": LINES, "po_number": "PO-1"}, headers=world.auth("owner@a.test")
    )
    assert dup.status_code in (409, 422) and "duplicate_po_number" in codes(dup)
    # Another company may use the same number.
    other = client.post(
        URL, json={"lines": LINES, "po_number": "PO-1"}, headers=world.auth("buyer@b.test")
    )
    assert other.status_code == 201, other.text


def test_required_po_number_past_date_bad_incoterm_all_at_once(client, world):
    set_required = client.patch(
        f"/api/v1/companies/{world.company_a}",
        json={"po_number_required": True, "incoterm_default": "FOB"},
        headers=world.auth("sales@seller.test"),
    )
    assert set_required.status_code == 200, set_required.text
    assert set_required.json()["po_number_required"] is True
    resp = client.post(
        URL,
        json={
            "lines": LINES,
            "requested_delivery_date": (date.today() - timedelta(days=1)).isoformat(),
            "incoterm": "CIF",
        },
        headers=world.auth("buyer@a.test"),
    )
    assert resp.status_code == 422
    assert {"po_number_required", "requested_date_in_past", "invalid_incoterm"} <= codes(resp)
    ok = client.post(
        URL, json={"lines": LINES, "po_number": "PO-9"}, headers=world.auth("buyer@a.test")
    )
    assert ok.status_code == 201 and ok.json()["incoterm"] == "FOB"


def test_another_companys_address_is_unknown(client, world):
    b_address = add_ship_to(client, world, email="owner@b.test")
    resp = client.post(
        URL,
        json={"lines": LINES, "ship_to_address_id": b_address},
        headers=world.auth("buyer@a.test"),
    )
    assert resp.status_code == 422 and "unknown_address" in codes(resp)


def test_same_key_other_po_number_is_refused(client, world):
    headers = {**world.auth("buyer@a.test"), "Idempotency-Key": "hdr-1"}
    first = client.post(URL, json={"lines": LINES, "po_number": "A"}, headers=headers)
    assert first.status_code == 201
    replay = client.post(URL, json={"lines": LINES, "po_number": "A"}, headers=headers)
    assert replay.json()["id"] == first.json()["id"]
    other = client.post(URL, json={"lines": LINES, "po_number": "B"}, headers=headers)
    assert other.status_code == 422 and "idempotency_key_reused" in codes(other)
