"""The audit log over HTTP: who may read it, the filters, paging and the CSV export."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from microbag.audit.exporter import COLUMNS

from .changes import make_changes

ADMIN, SALES, MERCH = "admin@seller.test", "sales@seller.test", "merch@seller.test"


def test_buyers_may_not_read_the_log(client, world):
    for email in ("owner@a.test", "buyer@b.test"):
        assert client.get("/api/v1/audit", headers=world.auth(email)).status_code == 403
        r = client.get("/api/v1/audit/export", headers=world.auth(email))
        assert r.status_code == 403
    assert client.get("/api/v1/audit").status_code == 401


def test_admins_see_everything_newest_first(client, db, world):
    make_changes(db, world)
    r = client.get("/api/v1/audit", headers=world.auth(ADMIN))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 4
    assert [(e["entity"], e["action"]) for e in body["items"]] == [
        ("user", "updated"),
        ("stock_level", "updated"),
        ("stock_level", "updated"),
        ("company", "updated"),
    ]
    company = body["items"][-1]
    assert company["actor"] == SALES and company["company_id"] == world.company_a
    assert company["before"] == {"credit_limit_minor": 5_000_000}
    assert company["after"] == {"credit_limit_minor": 6_000_000}


def test_other_staff_do_not_see_user_entries(client, db, world):
    make_changes(db, world)
    r = client.get("/api/v1/audit", headers=world.auth(MERCH))
    assert r.status_code == 200 and r.json()["total"] == 3
    assert "user" not in {e["entity"] for e in r.json()["items"]}
    r = client.get("/api/v1/audit", params={"entity": "user"}, headers=world.auth(MERCH))
    assert r.json()["total"] == 0
    r = client.get("/api/v1/audit/export", headers=world.auth(MERCH))
    assert ",user," not in r.text


def test_filters_and_paging(client, db, world):
    make_changes(db, world)
    h = world.auth(ADMIN)

    def ids(**params):
        r = client.get("/api/v1/audit", params=params, headers=h)
        assert r.status_code == 200, r.text
        return [(e["entity"], e["entity_id"]) for e in r.json()["items"]]

    assert ids(entity="stock_level") == [
        ("stock_level", "MT-001-RED@MAIN"),
        ("stock_level", "MC-001-GLD@MAIN"),
    ]
    assert ids(entity="stock_level", entity_id="MC-001-GLD@MAIN") == [
        ("stock_level", "MC-001-GLD@MAIN")
    ]
    assert ids(actor="CLI") == [("stock_level", "MT-001-RED@MAIN")]
    assert ids(actor="seller.test", company_id=world.company_a) == [
        ("company", str(world.company_a))
    ]
    assert ids(company_id=world.company_b) == []
    assert ids(action="created") == []
    assert len(ids(since="2000-01-01", until="2999-12-31")) == 4
    assert ids(until="2000-01-01") == []
    assert ids(actor="%") == []  # LIKE wildcards are matched literally
    page = client.get("/api/v1/audit", params={"page_size": 3, "page": 2}, headers=h).json()
    assert (page["total"], len(page["items"]), page["items"][0]["entity"]) == (4, 1, "company")


def test_invalid_filters_are_422(client, world):
    h = world.auth(ADMIN)
    r = client.get(
        "/api/v1/audit", params={"since": "2026-12-05", "until": "2026-12-01"}, headers=h
    )
    assert r.status_code == 422
    assert [e["code"] for e in r.json()["errors"]] == ["invalid_date_range"]
    for params in ({"entity": "Price List"}, {"company_id": 0}, {"since": "yesterday"}):
        assert client.get("/api/v1/audit", params=params, headers=h).status_code == 422


def test_csv_export_one_row_per_changed_field(client, db, world):
    make_changes(db, world)
    r = client.get(
        "/api/v1/audit/export", params={"entity": "stock_level"}, headers=world.auth(ADMIN)
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="audit-')
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == COLUMNS
    by_column = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [
        (x["entity_id"], x["actor"], x["field"], x["before"], x["after"]) for x in by_column
    ] == [
        ("MT-001-RED@MAIN", "cli", "on_hand", "100", "80"),
        ("MC-001-GLD@MAIN", MERCH, "on_hand", "100", "120"),
    ]
    assert by_column[1]["actor_user_id"] and by_column[0]["actor_user_id"] == ""


def test_xlsx_export(client, db, world):
    make_changes(db, world)
    r = client.get("/api/v1/audit/export", params={"format": "xlsx"}, headers=world.auth(ADMIN))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS and len(rows) == 5  # four entries, one changed field each
    assert {row[COLUMNS.index("field")] for row in rows[1:]} == {
        "credit_limit_minor",
        "on_hand",
        "role",
    }
