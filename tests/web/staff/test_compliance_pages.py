"""Compliance documents in the portal: staff upload and delete on the SKU and style pages,
buyers see and download their market's documents (and those for all markets) only."""

from __future__ import annotations

import re

from sqlalchemy import select

from microbag.catalog.models import Style

from .conftest import field_errors, post

PDF = b"%PDF-1.4\n% test report\n%%EOF\n"


def _doc(title: str, region: str, **extra: str) -> dict[str, str]:
    return {"title": title, "kind": "test_report", "region": region, **extra}


def _pdf(name: str = "report.pdf", content: bytes = PDF):
    return {"file": (name, content, "application/pdf")}


def _upload_sku(client, data, files=None, code="MC-001-GLD"):
    return post(
        client,
        f"/staff/catalog/skus/{code}/documents",
        data,
        page=f"/staff/catalog/skus/{code}",
        files=files if files is not None else _pdf(),
    )


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-document="(\d+)"', html)]


def test_staff_upload_shows_errors_next_to_fields(signed_in):
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/catalog/skus/MC-001-GLD").text
    assert 'id="document-form"' in page and "No compliance documents yet." in page
    r = _upload_sku(
        merch,
        _doc("", "mars", issued_on="2026-02-01", valid_until="2026-01-01"),
        _pdf("fake.pdf", b"GIF89a not a pdf"),
    )
    assert r.status_code == 422
    assert "needs a title" in field_errors(r.text, "doc-title")
    assert "does not exist" in field_errors(r.text, "doc-region")
    assert "before the issue date" in field_errors(r.text, "doc-valid_until")
    assert "not application/pdf" in field_errors(r.text, "doc-file")
    missing = _upload_sku(merch, _doc("", "europe", issued_on="soon"), files={})
    assert missing.status_code == 422
    assert field_errors(missing.text, "doc-file") == "Choose a file to upload."
    assert field_errors(missing.text, "doc-issued_on") == "Enter a date as YYYY-MM-DD."
    assert "needs a title" in field_errors(missing.text, "doc-title")
    # Nothing was stored.
    assert _ids(merch.get("/staff/catalog/skus/MC-001-GLD").text) == []


def test_staff_upload_list_and_delete(signed_in):
    merch = signed_in("merch@seller.test")
    r = _upload_sku(merch, _doc("EU test report", "europe", valid_until="2020-01-01"))
    assert r.status_code == 303, r.text[-2000:]
    assert r.headers["location"] == "/staff/catalog/skus/MC-001-GLD?done=document#documents"
    page = merch.get("/staff/catalog/skus/MC-001-GLD?done=document").text
    assert "Document uploaded." in page and "EU test report" in page and "Expired" in page
    (doc_id,) = _ids(page)
    assert merch.get(f"/documents/{doc_id}").content == PDF
    r = post(
        merch,
        f"/staff/compliance/documents/{doc_id}/delete",
        page="/staff/catalog/skus/MC-001-GLD",
    )
    assert r.status_code == 303 and "done=document_deleted" in r.headers["location"]
    assert _ids(merch.get("/staff/catalog/skus/MC-001-GLD").text) == []
    assert merch.get(f"/documents/{doc_id}").status_code == 404


def test_style_page_uploads_for_the_style_or_one_sku(signed_in, db):
    with db.session() as s:
        style_id = s.scalar(select(Style.id).where(Style.code == "MC-001"))
    merch = signed_in("merch@seller.test")
    url, page = f"/staff/catalog/styles/{style_id}/documents", f"/staff/catalog/styles/{style_id}"
    r = post(merch, url, _doc("Care label", "all", target="style"), page=page, files=_pdf())
    assert r.status_code == 303, r.text[-2000:]
    r = post(merch, url, _doc("CPSIA", "us", target="MC-001-BLK"), page=page, files=_pdf())
    assert r.status_code == 303
    html = merch.get(page).text
    assert "Whole style" in html and "MC-001-BLK" in html and len(_ids(html)) == 2
    # The style's document shows on every SKU of the style; the SKU's only on its own.
    assert len(_ids(merch.get("/staff/catalog/skus/MC-001-GLD").text)) == 1
    assert len(_ids(merch.get("/staff/catalog/skus/MC-001-BLK").text)) == 2
    bad = post(merch, url, _doc("X", "all", target="NOPE-1"), page=page, files=_pdf())
    assert bad.status_code == 422 and "not found" in bad.text


def test_only_catalog_staff_may_upload(signed_in):
    sales = signed_in("sales@seller.test")
    page = sales.get("/staff/catalog/skus/MC-001-GLD").text
    assert 'id="document-form"' not in page
    r = _upload_sku(sales, _doc("EU", "europe"))
    assert r.status_code == 403


def test_buyers_see_and_download_their_market_only(signed_in):
    merch = signed_in("merch@seller.test")
    for title, region, extra in (
        ("Declaration for Europe", "europe", {"valid_until": "2020-06-30"}),
        ("Prop 65 warning", "us", {}),
        ("Material certificate", "all", {}),
    ):
        assert _upload_sku(merch, _doc(title, region, **extra)).status_code == 303
    a = signed_in("buyer@a.test").get  # Europe
    b = signed_in("viewer@b.test").get  # US
    page_a, page_b = a("/catalog/MC-001-GLD").text, b("/catalog/MC-001-GLD").text
    assert "Declaration for Europe" in page_a and "Material certificate" in page_a
    assert "Prop 65 warning" not in page_a
    assert "Prop 65 warning" in page_b and "Declaration for Europe" not in page_b
    assert re.search(r"Declaration for Europe.*?Expired", page_a, re.S)
    europe_id = int(re.search(r'href="/documents/(\d+)" download>Declaration', page_a).group(1))
    us_id = int(re.search(r'href="/documents/(\d+)" download>Prop 65', page_b).group(1))
    got = a(f"/documents/{europe_id}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    # Another market's document does not exist for this buyer.
    refused = a(f"/documents/{us_id}")
    assert refused.status_code == 404 and "Page not found" in refused.text
    assert b(f"/documents/{europe_id}").status_code == 404
    # Other SKUs list none of them.
    assert "No compliance documents for your market yet." in a("/catalog/MT-001-RED").text
