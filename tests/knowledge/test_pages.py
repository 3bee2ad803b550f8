"""The staff knowledge page: facts grouped by table, an edit with errors next to the field,
reset, and roles (sales staff read; admin and merchandisers edit)."""

from __future__ import annotations

import html

from tests.web.staff.conftest import field_errors, post

KEY = "region_color_families.europe"


def test_facts_grouped_by_table_with_their_sources(signed_in, world):
    sales = signed_in("sales@seller.test")
    page = sales.get("/staff/knowledge")
    assert page.status_code == 200
    text = page.text
    assert 'href="/staff/knowledge"' in text  # the staff navigation's link
    assert 'id="segment_types"' in text and 'id="price_model"' in text
    assert f'data-fact="{KEY}"' in text and "brief: Table 11" in text
    assert "Latin america" in text or "Latin America" in text
    fact = sales.get(f"/staff/knowledge/{KEY}").text
    assert 'id="fact-form"' not in fact and "admin and merchandisers edit it" in fact
    r = post(sales, f"/staff/knowledge/{KEY}", {"vivid": "1"}, page="/staff/knowledge")
    assert r.status_code == 403


def test_merchandiser_edits_a_fact_and_resets_it(signed_in, world):
    merch = signed_in("merch@seller.test")
    form = merch.get(f"/staff/knowledge/{KEY}").text
    assert 'id="fact-form"' in form and 'name="vivid" type="text" value="0.5"' in form
    values = {"neutral": "2.4", "pastel": "0.6", "vivid": "1.5", "metallic": "0.7"}
    values |= {"jewel": "0.9", "bridal": "0.9"}
    r = post(merch, f"/staff/knowledge/{KEY}", values, page="/staff/knowledge")
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/knowledge?done=saved")
    listing = merch.get("/staff/knowledge").text
    assert "edited by merch@seller.test" in listing and 'title="shipped: 0.5"' in listing
    fact = merch.get(f"/staff/knowledge/{KEY}").text
    assert "seller (edited by merch@seller.test" in html.unescape(fact)
    r = post(merch, f"/staff/knowledge/{KEY}/reset", page="/staff/knowledge")
    assert r.status_code == 303
    assert "brief: Table 11" in merch.get(f"/staff/knowledge/{KEY}").text
    assert "edited by" not in merch.get("/staff/knowledge").text


def test_a_refused_edit_shows_the_error_next_to_the_field(signed_in, world):
    merch = signed_in("merch@seller.test")
    values = {"neutral": "9", "pastel": "lots", "vivid": "0.5", "metallic": "0.7"}
    values |= {"jewel": "0.9", "bridal": "0.9"}
    r = post(merch, f"/staff/knowledge/{KEY}", values, page="/staff/knowledge")
    assert r.status_code == 422
    assert field_errors(r.text, "f-pastel") == "Enter a number."
    values["pastel"] = "0.6"
    r = post(merch, f"/staff/knowledge/{KEY}", values, page="/staff/knowledge")
    assert r.status_code == 422
    assert "less than or equal to 5" in field_errors(r.text, "f-neutral")
    assert 'value="9"' in r.text  # the posted value is kept
    spring = "/staff/knowledge/season_occasions.spring"
    r = post(merch, spring, {"items": "bridal, picnic"}, page="/staff/knowledge")
    assert r.status_code == 422
    assert field_errors(r.text, "f-items") == "Unknown occasion 'picnic'."
    assert "edited by" not in merch.get("/staff/knowledge").text
