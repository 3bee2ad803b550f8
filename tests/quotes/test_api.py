"""The quotes HTTP API: every route, its roles, scoping and errors."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from microbag.orders.models import Order
from microbag.quotes.models import QuoteArtwork
from microbag.quotes.service import today_utc

from .conftest import JPEG, PDF, PNG, expire

MB = 1024 * 1024
REQUEST = {
    "kind": "oem",
    "lines": [{"sku": "MC-001-GLD", "quantity": 2}, {"sku": "MT-001-RED", "quantity": 3}],
    "customization": {"logo": "gold foil", "packaging": "gift box", "color": "", "material": ""},
    "notes": "for our bridal corner",
}


def answer_body(days: int = 14, prices=(3_900, 4_100)) -> dict:
    return {
        "lines": [
            {"line_no": 1, "unit_price_minor": prices[0]},
            {"line_no": 2, "unit_price_minor": prices[1]},
        ],
        "lead_time_days": 45,
        "valid_until": (today_utc() + timedelta(days=days)).isoformat(),
        "note": "foil included",
    }


def error_codes(resp) -> list[str]:
    return [e["code"] for e in resp.json()["errors"]]


def request_quote(client, world, email="buyer@a.test", body=REQUEST) -> int:
    resp = client.post("/api/v1/quotes", json=body, headers=world.auth(email))
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def answered_quote(client, world, **kw) -> int:
    quote_id = request_quote(client, world)
    resp = client.post(
        f"/api/v1/quotes/{quote_id}/answer",
        json=answer_body(**kw),
        headers=world.auth("sales@seller.test"),
    )
    assert resp.status_code == 200, resp.text
    return quote_id


# ---- request, read ------------------------------------------------------------------------------


def test_request_and_read(client, world):
    resp = client.post("/api/v1/quotes", json=REQUEST, headers=world.auth("buyer@a.test"))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["status"] == "requested"
    assert body["kind"] == "oem"
    assert body["currency"] == "EUR"
    assert body["customization"]["logo"] == "gold foil"
    assert [
        (ln["line_no"], ln["sku"], ln["quantity"], ln["unit_price"]) for ln in body["lines"]
    ] == [
        (1, "MC-001-GLD", 2, None),
        (2, "MT-001-RED", 3, None),
    ]
    assert body["total"] is None
    got = client.get(f"/api/v1/quotes/{body['id']}", headers=world.auth("viewer@a.test"))
    assert got.status_code == 200 and got.json() == body
    listed = client.get("/api/v1/quotes", headers=world.auth("viewer@a.test")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "MC-001-GLD", "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "MC-001-GLD", "quantity": 10**30}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "MC\x00", "quantity": 1}]}, "lines.0.sku"),
        ({"kind": "free", "lines": [{"sku": "MC-001-GLD", "quantity": 1}]}, "kind"),
        ({"lines": [{"sku": "MC-001-GLD", "quantity": 1}], "price": 0}, "price"),
        ({"lines": [{"sku": "MC-001-GLD", "quantity": 1}], "notes": "x" * 5001}, "notes"),
    ],
)
def test_request_bad_input_is_422(client, world, body, field):
    resp = client.post("/api/v1/quotes", json=body, headers=world.auth("buyer@a.test"))
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == field


def test_request_unknown_sku_names_the_line(client, world):
    body = {"lines": [{"sku": "MC-001-GLD", "quantity": 1}, {"sku": "XX-9", "quantity": 1}]}
    resp = client.post("/api/v1/quotes", json=body, headers=world.auth("buyer@a.test"))
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {"code": "unknown_sku", "message": "no active SKU 'XX-9'", "line": 2}
    ]


@pytest.mark.parametrize("email", ["viewer@a.test", "admin@seller.test", "merch@seller.test"])
def test_request_wrong_role_is_403(client, world, email):
    resp = client.post("/api/v1/quotes", json=REQUEST, headers=world.auth(email))
    assert resp.status_code == 403
    assert error_codes(resp) == ["forbidden"]


def test_unauthenticated_is_401(client, world):
    assert client.get("/api/v1/quotes").status_code == 401
    assert client.post("/api/v1/quotes", json=REQUEST).status_code == 401


def test_other_company_gets_404_everywhere(client, world):
    quote_id = answered_quote(client, world)
    with client.app.state.db.session(write=True) as s:
        s.add(
            QuoteArtwork(
                quote_id=quote_id,
                filename="a.png",
                content_type="image/png",
                size_bytes=len(PNG),
                sha256="0" * 64,
                data=PNG,
            )
        )
    with client.app.state.db.session() as s:
        art_id = s.scalar(select(QuoteArtwork.id))
    auth = world.auth("buyer@b.test")
    base = f"/api/v1/quotes/{quote_id}"
    assert client.get(base, headers=auth).status_code == 404
    assert client.get(f"{base}/artworks/{art_id}", headers=auth).status_code == 404
    for action in ("accept", "decline", "cancel"):
        resp = client.post(f"{base}/{action}", headers=auth)
        assert resp.status_code == 404, action
        assert error_codes(resp) == ["not_found"]
    files = {"file": ("a.png", PNG, "image/png")}
    assert client.post(f"{base}/artworks", files=files, headers=auth).status_code == 404
    listed = client.get("/api/v1/quotes", headers=auth).json()
    assert listed["total"] == 0
    assert client.get(base, headers=world.auth("buyer@a.test")).status_code == 200


def test_unknown_and_out_of_range_ids(client, world):
    auth = world.auth("buyer@a.test")
    assert client.get("/api/v1/quotes/12345", headers=auth).status_code == 404
    assert client.get(f"/api/v1/quotes/{2**63}", headers=auth).status_code == 422
    assert client.get("/api/v1/quotes/0", headers=auth).status_code == 422
    assert client.post("/api/v1/quotes/12345/accept", headers=auth).status_code == 404


def test_staff_inbox_lists_every_company_by_status(client, world):
    a = request_quote(client, world, "buyer@a.test")
    b = request_quote(client, world, "owner@b.test")
    answered = answered_quote(client, world)
    resp = client.get("/api/v1/quotes?status=requested", headers=world.auth("merch@seller.test"))
    assert resp.status_code == 200
    assert {q["id"] for q in resp.json()["items"]} == {a, b}
    resp = client.get(
        f"/api/v1/quotes?company_id={world.company_b}", headers=world.auth("admin@seller.test")
    )
    assert [q["id"] for q in resp.json()["items"]] == [b]
    resp = client.get("/api/v1/quotes?status=answered&kind=oem", headers=world.auth("buyer@a.test"))
    assert [q["id"] for q in resp.json()["items"]] == [answered]
    assert (
        client.get("/api/v1/quotes?status=bogus", headers=world.auth("buyer@a.test")).status_code
        == 422
    )


# ---- answer -------------------------------------------------------------------------------------


def test_answer_by_staff(client, world):
    quote_id = request_quote(client, world)
    resp = client.post(
        f"/api/v1/quotes/{quote_id}/answer",
        json=answer_body(),
        headers=world.auth("admin@seller.test"),
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "answered"
    assert body["lead_time_days"] == 45
    assert [ln["unit_price"] for ln in body["lines"]] == [
        {"amount_minor": 3_900, "currency": "EUR"},
        {"amount_minor": 4_100, "currency": "EUR"},
    ]
    assert body["total"] == {"amount_minor": 2 * 3_900 + 3 * 4_100, "currency": "EUR"}


@pytest.mark.parametrize("email", ["merch@seller.test", "owner@a.test", "buyer@a.test"])
def test_answer_wrong_role_is_403(client, world, email):
    quote_id = request_quote(client, world)
    resp = client.post(
        f"/api/v1/quotes/{quote_id}/answer", json=answer_body(), headers=world.auth(email)
    )
    assert resp.status_code == 403


def test_answer_invalid(client, world):
    quote_id = request_quote(client, world)
    auth = world.auth("sales@seller.test")
    body = answer_body()
    body["valid_until"] = today_utc().isoformat()
    body["lines"] = body["lines"][:1]
    resp = client.post(f"/api/v1/quotes/{quote_id}/answer", json=body, headers=auth)
    assert resp.status_code == 422
    assert sorted(error_codes(resp)) == ["invalid_valid_until", "missing_unit_price"]
    body = answer_body()
    body["lines"][1]["unit_price_minor"] = -5
    resp = client.post(f"/api/v1/quotes/{quote_id}/answer", json=body, headers=auth)
    assert resp.status_code == 422 and resp.json()["errors"][0]["line"] == 2
    body = answer_body()
    body["lead_time_days"] = 400
    assert (
        client.post(f"/api/v1/quotes/{quote_id}/answer", json=body, headers=auth).status_code == 422
    )
    assert (
        client.post("/api/v1/quotes/999/answer", json=answer_body(), headers=auth).status_code
        == 404
    )


# ---- accept, decline, cancel ---------------------------------------------------------------------


def test_accept_returns_the_same_order_on_repeat(client, world):
    quote_id = answered_quote(client, world)
    first = client.post(f"/api/v1/quotes/{quote_id}/accept", headers=world.auth("buyer@a.test"))
    assert first.status_code == 201, first.text
    again = client.post(f"/api/v1/quotes/{quote_id}/accept", headers=world.auth("owner@a.test"))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert first.json()["total"] == {"amount_minor": 2 * 3_900 + 3 * 4_100, "currency": "EUR"}
    quote = client.get(f"/api/v1/quotes/{quote_id}", headers=world.auth("buyer@a.test")).json()
    assert quote["status"] == "accepted" and quote["order_id"] == first.json()["order_id"]
    with client.app.state.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 1


def test_accept_errors(client, world):
    auth = world.auth("buyer@a.test")
    requested = request_quote(client, world)
    resp = client.post(f"/api/v1/quotes/{requested}/accept", headers=auth)
    assert (resp.status_code, error_codes(resp)) == (409, ["quote_not_answered"])
    expired = answered_quote(client, world)
    expire(client.app.state.db, expired)
    assert client.get(f"/api/v1/quotes/{expired}", headers=auth).json()["status"] == "expired"
    resp = client.post(f"/api/v1/quotes/{expired}/accept", headers=auth)
    assert (resp.status_code, error_codes(resp)) == (409, ["quote_expired"])
    for email in ("viewer@a.test", "sales@seller.test"):
        resp = client.post(f"/api/v1/quotes/{expired}/accept", headers=world.auth(email))
        assert resp.status_code == 403
    with client.app.state.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0


def test_decline_and_cancel(client, world):
    auth = world.auth("owner@a.test")
    requested, answered = request_quote(client, world), answered_quote(client, world)
    resp = client.post(f"/api/v1/quotes/{answered}/cancel", headers=auth)
    assert (resp.status_code, error_codes(resp)) == (409, ["quote_already_answered"])
    resp = client.post(f"/api/v1/quotes/{answered}/decline", headers=auth)
    assert resp.status_code == 200 and resp.json()["status"] == "declined"
    resp = client.post(f"/api/v1/quotes/{requested}/decline", headers=auth)
    assert (resp.status_code, error_codes(resp)) == (409, ["quote_not_answered"])
    resp = client.post(f"/api/v1/quotes/{requested}/cancel", headers=auth)
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    resp = client.post(f"/api/v1/quotes/{answered}/accept", headers=auth)
    assert (resp.status_code, error_codes(resp)) == (409, ["quote_closed"])
    for action in ("decline", "cancel"):
        resp = client.post(
            f"/api/v1/quotes/{requested}/{action}", headers=world.auth("viewer@a.test")
        )
        assert resp.status_code == 403


# ---- artwork ------------------------------------------------------------------------------------


def test_upload_and_download_artwork(client, world):
    quote_id = request_quote(client, world)
    resp = client.post(
        f"/api/v1/quotes/{quote_id}/artworks",
        files={"file": ("../../logo ロゴ.PNG", PNG, "image/png")},
        headers=world.auth("buyer@a.test"),
    )
    assert resp.status_code == 201, resp.text
    meta = resp.json()
    assert meta["filename"] == "logo ロゴ.png"
    assert meta["size_bytes"] == len(PNG)
    assert meta["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert meta["content_type"] == "image/png"
    url = f"/api/v1/quotes/{quote_id}/artworks/{meta['id']}"
    for email in ("viewer@a.test", "merch@seller.test"):
        got = client.get(url, headers=world.auth(email))
        assert got.status_code == 200
        assert got.content == PNG
        assert got.headers["content-type"] == "image/png"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith('attachment; filename="logo __.png"')
        assert (
            "filename*=UTF-8''logo%20%E3%83%AD%E3%82%B4.png" in got.headers["content-disposition"]
        )
    quote = client.get(f"/api/v1/quotes/{quote_id}", headers=world.auth("buyer@a.test")).json()
    assert [a["id"] for a in quote["artworks"]] == [meta["id"]]
    # an artwork id under another quote of the same company is not found
    other = request_quote(client, world)
    assert (
        client.get(
            f"/api/v1/quotes/{other}/artworks/{meta['id']}", headers=world.auth("buyer@a.test")
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("filename", "data", "ctype", "code"),
    [
        ("x.exe", b"MZ\x90\x00", "application/octet-stream", "artwork_type_not_allowed"),
        ("x.html", b"<html></html>", "text/html", "artwork_type_not_allowed"),
        ("x.png", JPEG, "image/png", "artwork_type_mismatch"),
        ("x.jpg", PDF, "image/jpeg", "artwork_type_mismatch"),
        ("x.pdf", PNG, "application/pdf", "artwork_type_mismatch"),
        ("x.png", b"", "image/png", "artwork_empty"),
    ],
)
def test_upload_wrong_type_is_422(client, world, filename, data, ctype, code):
    quote_id = request_quote(client, world)
    resp = client.post(
        f"/api/v1/quotes/{quote_id}/artworks",
        files={"file": (filename, data, ctype)},
        headers=world.auth("buyer@a.test"),
    )
    assert (resp.status_code, error_codes(resp)) == (422, [code])


def test_upload_too_large_is_413(client, world):
    quote_id = request_quote(client, world)
    url = f"/api/v1/quotes/{quote_id}/artworks"
    auth = world.auth("buyer@a.test")
    # just over 10 MB of file: rejected after reading one byte past the limit
    big = PNG + b"\x00" * (10 * MB + 1 - len(PNG))
    resp = client.post(url, files={"file": ("big.png", big, "image/png")}, headers=auth)
    assert (resp.status_code, error_codes(resp)) == (413, ["artwork_too_large"])
    # far larger, declared: rejected from the Content-Length before the body is read
    huge = b"\x00" * (12 * MB)
    resp = client.post(url, files={"file": ("huge.png", PNG + huge, "image/png")}, headers=auth)
    assert (resp.status_code, error_codes(resp)) == (413, ["artwork_too_large"])

    # chunked, nothing declared: counted while it arrives
    def chunks():
        yield b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="c.png"\r\n'
        yield b"Content-Type: image/png\r\n\r\n" + PNG
        for _ in range(12):
            yield b"\x00" * MB
        yield b"\r\n--XyZ--\r\n"

    resp = client.post(
        url,
        content=chunks(),
        headers={**auth, "Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert (resp.status_code, error_codes(resp)) == (413, ["artwork_too_large"])
    # exactly 10 MB is accepted
    exactly = big[:-1]
    resp = client.post(url, files={"file": ("max.png", exactly, "image/png")}, headers=auth)
    assert resp.status_code == 201 and resp.json()["size_bytes"] == 10 * MB


def test_json_routes_refuse_oversized_bodies(client, world):
    resp = client.post(
        "/api/v1/quotes",
        content=b'{"notes": "' + b"x" * (300 * 1024) + b'"}',
        headers={**world.auth("buyer@a.test"), "Content-Type": "application/json"},
    )
    assert (resp.status_code, error_codes(resp)) == (413, ["request_too_large"])


def test_upload_bad_requests(client, world):
    quote_id = request_quote(client, world)
    url = f"/api/v1/quotes/{quote_id}/artworks"
    auth = world.auth("buyer@a.test")
    # no file field
    assert client.post(url, data={"x": "1"}, headers=auth).status_code == 422
    # not multipart at all
    assert client.post(url, json={"file": "x"}, headers=auth).status_code == 422
    # viewer may not upload; staff may not either
    files = {"file": ("a.pdf", PDF, "application/pdf")}
    assert client.post(url, files=files, headers=world.auth("viewer@a.test")).status_code == 403
    assert client.post(url, files=files, headers=world.auth("sales@seller.test")).status_code == 403
    # after the answer, the request is closed to new artwork
    answered = answered_quote(client, world)
    resp = client.post(f"/api/v1/quotes/{answered}/artworks", files=files, headers=auth)
    assert (resp.status_code, error_codes(resp)) == (409, ["quote_not_open"])
