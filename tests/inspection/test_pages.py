"""The staff lot page: the plan per class before inspecting, the inspection form with a
photo, the decision and rework forms, the history; roles."""

from __future__ import annotations

import io

from PIL import Image

from tests.web.conftest import csrf_from

MERCH = "merch@seller.test"


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (6, 6), (0, 0, 200)).save(buf, format="PNG")
    return buf.getvalue()


def test_lot_page_shows_the_plans_and_inspects(world, signed_in, make_lot, on_hand):
    lot_id = make_lot(1000)
    before = on_hand()
    merch = signed_in(MERCH)
    page = merch.get(f"/staff/lots/{lot_id}")
    assert page.status_code == 200, page.text
    assert 'id="inspect-form"' in page.text and 'id="units-to-inspect">80<' in page.text
    assert 'data-class="major"' in page.text and '<td class="num">6</td>' in page.text
    token = csrf_from(page.text)
    answer = merch.post(
        f"/staff/lots/{lot_id}/inspect",
        data={"csrf_token": token, "count_stitching_major": "6", "note": "loose seams"},
        files={"photo": ("seam.png", png(), "image/png")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = merch.get(answer.headers["location"])
    assert 'data-status="quarantined"' in page.text and 'data-result="reject"' in page.text
    assert 'id="decision-form"' in page.text and 'id="inspect-form"' not in page.text
    assert "/staff/inspection-photos/" in page.text
    photo_url = page.text.split('src="/staff/inspection-photos/')[1].split('"')[0]
    photo = merch.get(f"/staff/inspection-photos/{photo_url}")
    assert photo.status_code == 200 and photo.content == png()
    assert on_hand() == before

    token = csrf_from(page.text)
    refused = merch.post(
        f"/staff/lots/{lot_id}/decision",
        data={"csrf_token": token, "decision": "accept_with_note", "note": ""},
    )
    assert refused.status_code == 422 and "say why" in refused.text.lower()
    answer = merch.post(
        f"/staff/lots/{lot_id}/decision",
        data={"csrf_token": token, "decision": "rework", "note": "resew"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = merch.get(f"/staff/lots/{lot_id}")
    assert 'data-status="rework"' in page.text and 'id="rework-form"' in page.text
    answer = merch.post(
        f"/staff/lots/{lot_id}/rework-done",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = merch.get(f"/staff/lots/{lot_id}")
    assert 'data-status="pending_inspection"' in page.text
    answer = merch.post(
        f"/staff/lots/{lot_id}/inspect",
        data={"csrf_token": csrf_from(page.text), "count_color_minor": "2"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = merch.get(f"/staff/lots/{lot_id}")
    assert 'data-status="accepted"' in page.text
    assert page.text.count('data-result="') == 2
    assert on_hand() == before + 1000


def test_bad_counts_and_photos_are_shown_and_nothing_is_saved(world, signed_in, make_lot):
    lot_id = make_lot(40)
    merch = signed_in(MERCH)
    token = csrf_from(merch.get(f"/staff/lots/{lot_id}").text)
    bad = merch.post(
        f"/staff/lots/{lot_id}/inspect",
        data={"csrf_token": token, "count_zips_major": "many", "count_odor_minor": "99"},
    )
    assert bad.status_code == 422 and "Enter a whole number" in bad.text
    bad = merch.post(
        f"/staff/lots/{lot_id}/inspect",
        data={"csrf_token": token, "count_odor_minor": "99"},
    )
    assert bad.status_code == 422 and "the minor sample is 13 units" in bad.text
    bad = merch.post(
        f"/staff/lots/{lot_id}/inspect",
        data={"csrf_token": token},
        files={"photo": ("x.png", b"not an image", "image/png")},
    )
    assert bad.status_code == 422 and "Choose the photo again" in bad.text
    page = merch.get(f"/staff/lots/{lot_id}")
    assert 'data-status="pending_inspection"' in page.text and 'id="no-inspections"' in page.text


def test_sales_reads_buyers_are_kept_out(world, signed_in, make_lot):
    lot_id = make_lot(100)
    sales = signed_in("sales@seller.test")
    page = sales.get(f"/staff/lots/{lot_id}")
    assert page.status_code == 200 and 'id="plans"' in page.text
    assert 'id="inspect-form"' not in page.text
    refused = sales.post(f"/staff/lots/{lot_id}/inspect", data={"csrf_token": csrf_from(page.text)})
    assert refused.status_code == 403
    buyer = signed_in("buyer@a.test")
    assert buyer.get(f"/staff/lots/{lot_id}").status_code in (403, 404)
    assert signed_in(MERCH).get("/staff/lots/999999").status_code == 404
