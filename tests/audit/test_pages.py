"""The staff audit page: every staff role reads it (user entries for admins only), the
filters, errors next to a mistyped filter, each field's before and after, the exports."""

from __future__ import annotations

import html
import re

from tests.web.staff.conftest import field_errors

from .changes import make_changes


def entry_rows(page: str) -> list[str]:
    return re.findall(r'<tr data-entry="\d+">(.*?)</tr>', page, re.S)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_admin_reads_every_entry_with_before_and_after(signed_in, db, world):
    make_changes(db, world)
    admin = signed_in("admin@seller.test")
    page = admin.get("/staff/audit")
    assert page.status_code == 200
    assert 'href="/staff/audit" aria-current="page"' in page.text  # the staff navigation
    rows = [text_of(r) for r in entry_rows(page.text)]
    assert len(rows) == 4
    assert "admin@seller.test" in rows[0] and "Role : sales → merchandiser" in rows[0]
    assert "cli" in rows[1] and "On hand : 100 → 80" in rows[1]
    assert "Atelier Petit (Paris)" in rows[3]
    assert "Credit limit (minor units) : 5000000 → 6000000" in rows[3]


def test_merchandisers_and_sales_read_it_without_user_entries(signed_in, db, world):
    make_changes(db, world)
    for email in ("merch@seller.test", "sales@seller.test"):
        client = signed_in(email)
        page = client.get("/staff/audit")
        assert page.status_code == 200 and 'href="/staff/audit"' in page.text
        rows = entry_rows(page.text)
        assert len(rows) == 3 and not any("Role" in text_of(r) for r in rows)
    buyer = signed_in("owner@a.test")
    assert buyer.get("/staff/audit", follow_redirects=False).status_code in (303, 403)


def test_filters_narrow_the_entries_and_keep_their_values(signed_in, db, world):
    make_changes(db, world)
    admin = signed_in("admin@seller.test")
    page = admin.get("/staff/audit", params={"entity": "stock_level", "actor": "merch"})
    rows = [text_of(r) for r in entry_rows(page.text)]
    assert len(rows) == 1 and "MC-001-GLD@MAIN" in rows[0]
    assert '<option value="stock_level" selected>' in page.text
    assert 'name="actor" type="text" value="merch"' in page.text
    export = re.search(r'href="(/staff/audit/export\?[^"]*format=csv)"', page.text)
    assert export is not None
    r = admin.get(html.unescape(export.group(1)))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert len(lines) == 2 and "MC-001-GLD@MAIN" in lines[1] and "merch@seller.test" in lines[1]
    page = admin.get("/staff/audit", params={"company": str(world.company_a)})
    assert len(entry_rows(page.text)) == 1
    page = admin.get("/staff/audit", params={"since": "2999-01-01"})
    assert entry_rows(page.text) == [] and "No entries match these filters." in page.text


def test_mistyped_filters_are_shown_next_to_their_field(signed_in, db, world):
    make_changes(db, world)
    admin = signed_in("admin@seller.test")
    page = admin.get("/staff/audit", params={"since": "5 Dec", "company": "abc"})
    assert page.status_code == 422
    assert field_errors(page.text, "f-since") == "Enter a date as YYYY-MM-DD."
    assert field_errors(page.text, "f-company") == "Enter a company number."
    assert len(entry_rows(page.text)) == 4  # the readable filters still apply (none here)
    page = admin.get("/staff/audit", params={"since": "2026-12-05", "until": "2026-12-01"})
    assert page.status_code == 422
    assert "must not be before" in field_errors(page.text, "f-until")


def test_xlsx_export_from_the_page(signed_in, db, world):
    make_changes(db, world)
    r = signed_in("sales@seller.test").get("/staff/audit/export", params={"format": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
