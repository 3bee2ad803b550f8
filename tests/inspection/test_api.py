"""Inspection over HTTP: sampling plans, inspecting, decisions, rework, photos, roles."""

from __future__ import annotations

import io

from PIL import Image

from microbag.config import get_settings

MERCH = "merch@seller.test"
SALES = "sales@seller.test"


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(buf, format="PNG")
    return buf.getvalue()


def test_sampling_plan(client, world):
    r = client.get("/api/v1/sampling-plan", params={"lot_size": 1000}, headers=world.auth(SALES))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["code_letter"], body["units_to_inspect"], body["level"]) == ("J", 80, "II")
    assert body["plans"]["major"] == {
        "code_letter": "J",
        "sample_size": 80,
        "accept": 5,
        "reject": 6,
        "aql": 2.5,
        "full_inspection": False,
    }
    assert (body["plans"]["critical"]["accept"], body["plans"]["critical"]["reject"]) == (0, 1)
    r = client.get(
        "/api/v1/sampling-plan",
        params={"lot_size": 40, "aql_major": 2.5, "aql_minor": 4.0},
        headers=world.auth(SALES),
    )
    plans = r.json()["plans"]
    assert (plans["major"]["code_letter"], plans["major"]["sample_size"]) == ("C", 5)
    assert (plans["minor"]["code_letter"], plans["minor"]["sample_size"]) == ("E", 13)
    assert r.json()["units_to_inspect"] == 13
    r = client.get(
        "/api/v1/sampling-plan",
        params={"lot_size": 1000, "aql_major": 3},
        headers=world.auth(SALES),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "invalid_aql"
    r = client.get(
        "/api/v1/sampling-plan", params={"lot_size": 3, "aql_minor": 10}, headers=world.auth(MERCH)
    )
    assert (r.status_code, r.json()["errors"][0]["code"]) == (422, "no_sampling_plan")
    r = client.get("/api/v1/sampling-plan", params={"lot_size": 3}, headers=world.auth(MERCH))
    assert r.json()["plans"]["critical"]["full_inspection"] is False  # A: n=2 of 3
    assert r.json()["plans"]["major"]["full_inspection"] is True  # C: n=5, so all 3


def test_buyers_never_see_inspection(client, world, make_lot):
    lot_id = make_lot(100)
    for path in (
        "/api/v1/sampling-plan?lot_size=100",
        f"/api/v1/lots/{lot_id}/inspections",
        "/api/v1/inspections/1",
        "/api/v1/inspection-photos/1",
    ):
        assert client.get(path, headers=world.auth("buyer@a.test")).status_code == 403
    r = client.post(
        f"/api/v1/lots/{lot_id}/inspections", json={"defects": []}, headers=world.auth(SALES)
    )
    assert r.status_code == 403


def test_inspect_reject_decide_rework_reinspect(client, world, make_lot, on_hand):
    lot_id = make_lot(1000)
    before = on_hand()
    r = client.post(
        f"/api/v1/lots/{lot_id}/inspections",
        json={
            "defects": [
                {"kind": "stitching", "defect_class": "major", "count": 4, "note": "loose"},
                {"kind": "zips", "defect_class": "major", "count": 2},
            ],
            "note": "first look",
        },
        headers=world.auth(MERCH),
    )
    assert r.status_code == 201, r.text
    insp = r.json()
    assert insp["result"] == "reject" and insp["plans"]["major"]["found"] == 6
    assert insp["inspector"] == MERCH and insp["sample_size"] == 80
    lot = client.get(f"/api/v1/lots/{lot_id}", headers=world.auth(SALES)).json()
    assert lot["status"] == "quarantined"
    assert on_hand() == before

    photo = client.post(
        f"/api/v1/inspections/{insp['id']}/photos",
        files={"file": ("seam.png", png(), "image/png")},
        data={"defect_id": str(insp["defects"][0]["id"])},
        headers=world.auth(MERCH),
    )
    assert photo.status_code == 201, photo.text
    got = client.get(photo.json()["url"], headers=world.auth(SALES))
    assert got.status_code == 200 and got.content == png()
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-content-type-options"] == "nosniff"
    one = client.get(f"/api/v1/inspections/{insp['id']}", headers=world.auth(SALES)).json()
    assert [p["id"] for p in one["photos"]] == [photo.json()["id"]]

    r = client.post(
        f"/api/v1/lots/{lot_id}/decision",
        json={"decision": "accept_with_note"},
        headers=world.auth(MERCH),
    )
    assert (r.status_code, r.json()["errors"][0]["code"]) == (422, "note_required")
    r = client.post(
        f"/api/v1/lots/{lot_id}/decision",
        json={"decision": "rework", "note": "resew"},
        headers=world.auth(MERCH),
    )
    assert r.status_code == 200 and r.json()["status"] == "rework"
    assert on_hand() == before
    r = client.post(f"/api/v1/lots/{lot_id}/rework-done", headers=world.auth(MERCH))
    assert r.status_code == 200 and r.json()["status"] == "pending_inspection"
    r = client.post(
        f"/api/v1/lots/{lot_id}/rework-done", json={"note": "again"}, headers=world.auth(MERCH)
    )
    assert (r.status_code, r.json()["errors"][0]["code"]) == (409, "lot_state")
    r = client.post(
        f"/api/v1/lots/{lot_id}/inspections", json={"defects": []}, headers=world.auth(MERCH)
    )
    assert r.status_code == 201 and r.json()["result"] == "accept"
    assert on_hand() == before + 1000
    history = client.get(f"/api/v1/lots/{lot_id}/inspections", headers=world.auth(SALES)).json()
    assert [(h["result"], len(h["photos"])) for h in history] == [("reject", 1), ("accept", 0)]


def test_input_errors(client, world, make_lot):
    lot_id = make_lot(100)
    auth = world.auth(MERCH)
    r = client.post(
        f"/api/v1/lots/{lot_id}/inspections",
        json={"defects": [{"kind": "glue", "defect_class": "major", "count": 1}]},
        headers=auth,
    )
    assert r.status_code == 422
    r = client.post(
        f"/api/v1/lots/{lot_id}/inspections",
        json={"defects": [{"kind": "zips", "defect_class": "major", "count": 21}]},
        headers=auth,
    )
    assert (r.status_code, r.json()["errors"][0]["code"]) == (422, "count_over_sample")
    r = client.post("/api/v1/lots/999999/inspections", json={"defects": []}, headers=auth)
    assert (r.status_code, r.json()["errors"][0]["code"]) == (404, "unknown_lot")
    r = client.post(f"/api/v1/lots/{lot_id}/decision", json={"decision": "rework"}, headers=auth)
    assert (r.status_code, r.json()["errors"][0]["code"]) == (409, "lot_state")
    assert client.get("/api/v1/inspections/999", headers=auth).json()["errors"][0]["code"] == (
        "unknown_inspection"
    )
    assert client.get("/api/v1/inspection-photos/999", headers=auth).status_code == 404


def test_photo_upload_bounds(client, world, make_lot, monkeypatch):
    lot_id = make_lot(100)
    auth = world.auth(MERCH)
    insp = client.post(
        f"/api/v1/lots/{lot_id}/inspections", json={"defects": []}, headers=auth
    ).json()
    url = f"/api/v1/inspections/{insp['id']}/photos"
    r = client.post(url, files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}, headers=auth)
    assert (r.status_code, r.json()["errors"][0]["code"]) == (422, "unsupported_photo_type")
    r = client.post(
        url, files={"file": ("a.png", b"\x89PNG\r\n\x1a\nxx", "image/png")}, headers=auth
    )
    assert (r.status_code, r.json()["errors"][0]["code"]) == (422, "not_an_image")
    monkeypatch.setattr(get_settings(), "inspection_photo_max_bytes", 1000)
    big = png() + b"\x00" * 2000  # within the form's overhead: refused by the service
    r = client.post(url, files={"file": ("a.png", big, "image/png")}, headers=auth)
    assert (r.status_code, r.json()["errors"][0]["code"]) == (413, "photo_too_large")
    # Far past the limit: refused from the declared length, before the body is read.
    r = client.post(url, files={"file": ("a.png", b"0" * 200_000, "image/png")}, headers=auth)
    assert (r.status_code, r.json()["errors"][0]["code"]) == (413, "photo_too_large")
