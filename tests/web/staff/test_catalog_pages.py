"""Staff catalog pages: styles and SKUs with errors next to their fields, lifecycle."""

from __future__ import annotations

import re

from sqlalchemy import select

from microbag.catalog.models import Sku, Style

from .conftest import field_errors, general_errors, post

STYLE = {
    "code": "BB-900",
    "name": "Festival Belt Bag",
    "bag_type": "belt_bag",
    "price_tier": "premium",
    "season": "SS27",
    "width_mm": "180",
    "height_mm": "110",
    "depth_mm": "50",
    "weight_g": "210",
    "derive_holds": "1",
    "occasions": ["festival", "casual"],
}


def _create(client, **changes):
    return post(client, "/staff/catalog/styles/new", {**STYLE, **changes})


def _style_id(response) -> int:
    assert response.status_code == 303, response.text[-3000:]
    match = re.match(r"/staff/catalog/styles/(\d+)\?done=created", response.headers["location"])
    assert match
    return int(match.group(1))


def test_style_form_shows_each_error_next_to_its_field(signed_in, db):
    merch = signed_in("merch@seller.test")
    assert merch.get("/staff/catalog/styles/new").status_code == 200
    r = _create(merch, width_mm="0", season="spring", name="", depth_mm="abc")
    assert r.status_code == 422
    assert field_errors(r.text, "f-width_mm") == "Must be at least 1."
    assert field_errors(r.text, "f-depth_mm") == "Enter a whole number."
    assert field_errors(r.text, "f-name") == "This field is required."
    assert field_errors(r.text, "f-season").startswith("Season 'spring' is not valid: use SS26")
    assert 'aria-invalid="true"' in r.text and 'value="Festival Belt Bag"' not in r.text
    # A rule of the core (limited editions need a drop date) lands on its field too.
    r = _create(merch, is_limited_edition="1", edition_size="500")
    assert r.status_code == 422
    assert field_errors(r.text, "f-drop_date") == "Drop date is required for a limited edition."
    # A taken code is a conflict, shown at the code.
    r = _create(merch, code="MC-001")
    assert r.status_code == 409
    assert "exists" in field_errors(r.text, "f-code")
    with db.session() as s:
        assert s.scalar(select(Style.id).where(Style.code == "BB-900")) is None


def test_create_add_skus_activate_and_discontinue(signed_in, db):
    merch = signed_in("merch@seller.test")
    created = _create(merch)
    style_id = _style_id(created)
    page = merch.get(created.headers["location"]).text
    assert "Style created as a draft" in page and "Draft" in page
    # Activating a style without SKUs is refused, in plain words.
    r = post(merch, f"/staff/catalog/styles/{style_id}/activate")
    assert r.status_code == 409 and "at least one SKU" in general_errors(r.text)
    bad = post(
        merch,
        f"/staff/catalog/styles/{style_id}/skus",
        {"code": "BB-900-LIM", "color": "Lime Green!", "material": "plastic"},
    )
    assert bad.status_code == 422
    assert field_errors(bad.text, "sku-color")
    assert field_errors(bad.text, "sku-material").startswith("Material 'plastic' is not one of")
    sku = {"code": "BB-900-LIM", "color": "lime", "material": "nylon", "hardware": "silver"}
    ok = post(merch, f"/staff/catalog/styles/{style_id}/skus", sku)
    assert ok.status_code == 303
    taken = post(merch, f"/staff/catalog/styles/{style_id}/skus", sku)
    assert taken.status_code == 409 and "exists" in field_errors(taken.text, "sku-code")

    buyer = signed_in("buyer@a.test")
    assert buyer.get("/catalog/BB-900-LIM").status_code == 404  # a draft is not on sale
    assert post(merch, f"/staff/catalog/styles/{style_id}/activate").status_code == 303
    assert buyer.get("/catalog/BB-900-LIM").status_code == 200
    assert post(merch, f"/staff/catalog/styles/{style_id}/discontinue").status_code == 303
    assert buyer.get("/catalog/BB-900-LIM").status_code == 404
    with db.session() as s:
        assert s.scalar(select(Style.lifecycle).where(Style.id == style_id)) == "discontinued"
        style = s.get(Style, style_id)
        assert style.size_class == "mini" and "cards" in style.holds


def test_edit_style_and_sku(signed_in, db):
    admin = signed_in("admin@seller.test")
    with db.session() as s:
        style_id = s.scalar(select(Style.id).where(Style.code == "MC-001"))
    page = admin.get(f"/staff/catalog/styles/{style_id}").text
    assert 'value="Gala Micro Clutch"' in page and 'data-sku="MC-001-GLD"' in page
    form = {**STYLE, "name": "Gala Micro Clutch II", "width_mm": "90", "season": "aw27"}
    form.pop("code")
    r = post(admin, f"/staff/catalog/styles/{style_id}", form)
    assert r.status_code == 303
    with db.session() as s:
        style = s.get(Style, style_id)
        assert (style.name, style.width_mm, style.season) == ("Gala Micro Clutch II", 90, "AW27")
    r = post(admin, f"/staff/catalog/styles/{style_id}", {**form, "height_mm": "700"})
    assert r.status_code == 422 and field_errors(r.text, "f-height_mm") == "Must be at most 600."

    sku_page = admin.get("/staff/catalog/skus/MC-001-GLD")
    assert sku_page.status_code == 200 and "Available now" in sku_page.text
    edit = {"color": "gold", "material": "lambskin", "hardware": "gold", "lifecycle": "active"}
    bad = post(
        admin, "/staff/catalog/skus/MC-001-GLD", {**edit, "retail_price": "89", "currency": "EURO"}
    )
    assert bad.status_code == 422 and "ISO 4217" in field_errors(bad.text, "f-currency")
    bad = post(admin, "/staff/catalog/skus/MC-001-GLD", {**edit, "lifecycle": "draft"})
    assert bad.status_code == 409 and "cannot become draft" in field_errors(bad.text, "f-lifecycle")
    ok = post(
        admin,
        "/staff/catalog/skus/MC-001-GLD",
        {**edit, "retail_price": "89.50", "currency": "EUR"},
    )
    assert ok.status_code == 303
    with db.session() as s:
        sku = s.scalar(select(Sku).where(Sku.code == "MC-001-GLD"))
        assert sku.material == "lambskin"
        assert sku.attributes["retail_price"] == {"amount_minor": 8950, "currency": "EUR"}


def test_catalog_roles(signed_in, db):
    sales = signed_in("sales@seller.test")
    listing = sales.get("/staff/catalog?q=clutch")
    assert listing.status_code == 200
    assert 'data-style="MC-001"' in listing.text and 'data-style="MT-001"' not in listing.text
    assert "New style" not in listing.text
    assert sales.get("/staff/catalog/styles/new").status_code == 403
    r = _create(sales)
    assert r.status_code == 403 and "may not change the catalog" in r.text
    with db.session() as s:
        style_id = s.scalar(select(Style.id).where(Style.code == "MC-001"))
    assert post(sales, f"/staff/catalog/styles/{style_id}/discontinue").status_code == 403
    assert "Save changes" not in sales.get(f"/staff/catalog/styles/{style_id}").text
    buyer = signed_in("owner@a.test")
    assert buyer.get("/staff/catalog").status_code == 403
    assert buyer.get("/staff/catalog/skus/MC-001-GLD").status_code == 403
