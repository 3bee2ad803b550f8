"""Compliance documents through the service and the API: markets, expiry, files, roles."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from microbag.accounts.principal import Principal
from microbag.catalog.models import Sku, Style
from microbag.compliance import service
from microbag.compliance.models import ComplianceDocument
from microbag.errors import DomainError, Forbidden, NotFound

PDF = b"%PDF-1.4\n% a tiny test report\n%%EOF\n"
MERCH = Principal(3, "merch@seller.test", "merchandiser", None)
SALES = Principal(2, "sales@seller.test", "sales", None)


def buyer_a(world) -> Principal:  # Atelier Petit: region europe
    return Principal(99, "buyer@a.test", "buyer", world.company_a)


def buyer_b(world) -> Principal:  # Big Store: region us
    return Principal(98, "buyer@b.test", "buyer", world.company_b)


def add(s, **kw):
    args = {
        "region": "all",
        "kind": "test_report",
        "title": "Lead and cadmium test",
        "filename": "report.pdf",
        "content_type": "application/pdf",
        "data": PDF,
    }
    args.update(kw)
    if "style_id" not in args and "sku_code" not in args:
        args["sku_code"] = "MC-001-GLD"
    return service.add_document(s, MERCH, **args)


def clutch_style(s) -> int:
    return int(s.scalar(select(Style.id).where(Style.code == "MC-001")))


def test_buyers_see_their_market_and_all(db, world):
    with db.session(write=True) as s:
        style_id = clutch_style(s)
        add(s, region="all", title="REACH SVHC statement", kind="reach_svhc", style_id=style_id)
        add(s, region="europe", title="EU declaration", kind="declaration_of_conformity")
        add(s, region="us", title="Prop 65 warning", kind="prop65_warning")
        add(s, region="us", title="CPSIA", kind="cpsia", sku_code="MC-001-BLK")
    with db.session() as s:
        a = {d.title for d in service.documents_for_sku(s, buyer_a(world), "MC-001-GLD")}
        b = {d.title for d in service.documents_for_sku(s, buyer_b(world), "MC-001-GLD")}
        staff = service.documents_for_sku(s, MERCH, "MC-001-GLD")
        style_docs = service.documents_for_style(s, clutch_style(s))
    assert a == {"REACH SVHC statement", "EU declaration"}
    assert b == {"REACH SVHC statement", "Prop 65 warning"}
    assert {d.title for d in staff} == a | b
    # The style's document is listed once for the whole style; the SKU ones name their SKU.
    assert sorted((d.title, d.sku) for d in style_docs) == [
        ("CPSIA", "MC-001-BLK"),
        ("EU declaration", "MC-001-GLD"),
        ("Prop 65 warning", "MC-001-GLD"),
        ("REACH SVHC statement", None),
    ]


def test_a_buyer_never_gets_another_markets_file(db, world):
    with db.session(write=True) as s:
        us = add(s, region="us", title="Prop 65 warning", kind="prop65_warning").id
        every = add(s, region="all", title="Care label", kind="care_label").id
    with db.session() as s:
        assert service.get_document(s, buyer_b(world), us).data == PDF
        assert service.get_document(s, buyer_a(world), every).data == PDF
        with pytest.raises(NotFound):
            service.get_document(s, buyer_a(world), us)
        with pytest.raises(NotFound):
            service.get_document(s, buyer_a(world), 10**12)
        assert service.get_document(s, MERCH, us).sha256
    # A discontinued SKU's documents disappear for buyers with the SKU.
    with db.session(write=True) as s:
        s.scalar(select(Sku).where(Sku.code == "MC-001-GLD")).lifecycle = "discontinued"
    with db.session() as s:
        with pytest.raises(NotFound):
            service.get_document(s, buyer_b(world), every)
        with pytest.raises(NotFound):
            service.documents_for_sku(s, buyer_b(world), "MC-001-GLD")


def test_expired_documents_are_flagged(db, world):
    with db.session(write=True) as s:
        add(s, title="Old", issued_on=date(2024, 1, 1), valid_until=date(2025, 1, 1))
        add(s, title="Current", issued_on=date(2026, 1, 1), valid_until=date(2027, 1, 1))
        add(s, title="Open-ended")
    with db.session() as s:
        docs = service.documents_for_sku(s, buyer_a(world), "MC-001-GLD", today=date(2026, 6, 1))
    assert {d.title: d.expired for d in docs} == {
        "Old": True,
        "Current": False,
        "Open-ended": False,
    }


def test_uploads_are_validated(db, world):
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as err:
            add(
                s,
                region="mars",
                title="",
                data=b"\x89PNG\r\n\x1a\n",
                valid_until=date(2020, 1, 1),
                issued_on=date(2021, 1, 1),
            )
        codes = {i.code for i in err.value.items}
        assert codes == {
            "unknown_region",
            "invalid_title",
            "invalid_validity",
            "document_type_mismatch",
        }
        with pytest.raises(DomainError) as err:
            add(s, data=b"%PDF-" + b"0" * (10 * 1024 * 1024))
        assert err.value.status == 413
        with pytest.raises(DomainError) as err:
            add(s, style_id=clutch_style(s), sku_code="MC-001-GLD")  # both: which one?
        assert err.value.items[0].code == "invalid_target"
        with pytest.raises(NotFound):
            add(s, sku_code="NOPE-1")
        with pytest.raises(NotFound):
            add(s, style_id=999_999)
        with pytest.raises(Forbidden):
            service.add_document(
                s,
                SALES,
                sku_code="MC-001-GLD",
                region="all",
                kind="care_label",
                title="x",
                filename="x.pdf",
                content_type="application/pdf",
                data=PDF,
            )
        # Names are made harmless and get the content's extension.
        doc = add(s, filename="../../etc/passwd")
        assert doc.filename == "passwd.pdf"
    with db.session() as s:
        assert s.scalar(select(ComplianceDocument.filename)) == doc.filename


def test_delete_and_cascade(db, world):
    with db.session(write=True) as s:
        doc = add(s)
        assert service.delete_document(s, MERCH, doc.id) == (None, "MC-001-GLD")
        with pytest.raises(NotFound):
            service.delete_document(s, MERCH, doc.id)
        with pytest.raises(Forbidden):
            service.delete_document(s, SALES, add(s).id)


# ---- the API -------------------------------------------------------------------------------------


def upload(client, world, email="merch@seller.test", content=PDF, **fields):
    data = {"sku": "MC-001-GLD", "region": "us", "kind": "prop65_warning", "title": "Prop 65"}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(
        "/api/v1/compliance-documents",
        data=data,
        files={"file": ("prop65.pdf", content, "application/pdf")},
        headers=world.auth(email),
    )


def test_api_upload_list_download_delete(client, world):
    r = upload(client, world, valid_until="2020-12-31", issued_on="2020-01-01")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["sku"] == "MC-001-GLD" and body["expired"] is True and body["region"] == "us"
    doc_url = body["download_url"]
    b, a = world.auth("viewer@b.test"), world.auth("viewer@a.test")
    listed = client.get("/api/v1/skus/MC-001-GLD/compliance-documents", headers=b)
    assert listed.status_code == 200 and [d["title"] for d in listed.json()] == ["Prop 65"]
    assert client.get("/api/v1/skus/MC-001-GLD/compliance-documents", headers=a).json() == []
    got = client.get(doc_url, headers=b)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert client.get(doc_url, headers=a).status_code == 404
    assert client.delete(doc_url, headers=world.auth("sales@seller.test")).status_code == 403
    assert client.delete(doc_url, headers=world.auth("merch@seller.test")).status_code == 204
    assert client.get(doc_url, headers=b).status_code == 404


def test_api_refuses_bad_uploads(client, world):
    assert upload(client, world, email="owner@a.test").status_code == 403
    r = upload(client, world, content=b"GIF89a....")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "document_type_mismatch"
    assert upload(client, world, region="mars").status_code == 422
    assert upload(client, world, sku=None).json()["errors"][0]["code"] == "invalid_target"
    assert upload(client, world, sku="NOPE-1").status_code == 404
    big = upload(client, world, content=b"%PDF-" + b"0" * (10 * 1024 * 1024 + 10))
    assert big.status_code == 413
    assert big.json()["errors"][0]["code"] == "document_too_large"
