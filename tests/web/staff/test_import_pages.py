"""Bulk catalog import on the staff pages: preview every bad row, nothing written, then import."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from microbag.catalog.models import Sku, StagedImport, Style

from .conftest import post

HEADER = (
    "style_code,style_name,bag_type,width_mm,height_mm,depth_mm,price_tier,season,"
    "sku,color,material,style_lifecycle,sku_lifecycle"
)
GOOD = [
    "PC-500,Confetti Pouch,pouch,110,80,30,mass,SS27,PC-500-PNK,pink,nylon,active,active",
    "PC-500,Confetti Pouch,pouch,110,80,30,mass,SS27,PC-500-MNT,mint,nylon,active,active",
    "PC-500,Confetti Pouch,pouch,110,80,30,mass,SS27,PC-500-BLK,black,nylon,active,active",
]


def csv_file(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def bad_file() -> bytes:
    rows = list(GOOD)
    rows[0] = rows[0].replace(",110,", ",-5,")  # row 2: a negative width
    rows[2] = rows[2].replace(",nylon,", ",unobtainium,")  # row 4: unknown material
    return csv_file(rows)


@pytest.fixture
def _staging(db):
    """How many checked files are staged (in the database, for any app server)."""

    def count() -> int:
        with db.session() as s:
            return int(s.scalar(select(func.count()).select_from(StagedImport)))

    return count


def _upload(client, data: bytes, name: str = "catalog.csv", ctype: str = "text/csv"):
    return post(client, "/staff/catalog/import", files={"file": (name, data, ctype)})


def _skus(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Sku)))


def test_preview_lists_bad_rows_then_the_fixed_file_imports(signed_in, db, _staging):
    merch = signed_in("merch@seller.test")
    before = _skus(db)
    r = _upload(merch, bad_file())
    assert r.status_code == 422
    assert "nothing was imported" in r.text and "2 rows need a change" in r.text
    lines = re.findall(r'<tr data-line="(\d+)">', r.text)
    assert lines == ["2", "4"]
    assert "Width_mm -5 is negative or zero" in r.text
    assert "unobtainium" in r.text
    assert _skus(db) == before and _staging() == 0

    ok = _upload(merch, csv_file(GOOD))
    assert ok.status_code == 200
    assert "Every row passed the checks" in ok.text
    assert re.search(r'id="skus-summary">3 new, 0 updated', ok.text)
    assert _skus(db) == before  # still nothing written: only a preview
    assert _staging() == 1
    token = re.search(r'name="token" value="([^"]+)"', ok.text).group(1)
    done = post(merch, "/staff/catalog/import/apply", {"token": token})
    assert done.status_code == 200 and "Imported catalog.csv" in done.text
    assert _skus(db) == before + 3
    assert _staging() == 0  # the staged file is gone
    # The same token cannot import twice.
    again = post(merch, "/staff/catalog/import/apply", {"token": token})
    assert again.status_code == 409 and "no longer here" in again.text
    # The buyer's catalog shows the new SKUs.
    buyer = signed_in("buyer@a.test")
    assert buyer.get("/catalog/PC-500-MNT").status_code == 200
    assert "PC-500-PNK" in buyer.get("/catalog?q=confetti").text


def test_xlsx_and_unreadable_files(signed_in):
    merch = signed_in("admin@seller.test")
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in GOOD:
        sheet.append(row.split(","))
    out = io.BytesIO()
    book.save(out)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = _upload(merch, out.getvalue(), "catalog.xlsx", xlsx)
    assert r.status_code == 200 and "(XLSX)" in r.text
    broken = _upload(merch, b"PK\x03\x04 not really a workbook", "catalog.xlsx", xlsx)
    assert broken.status_code == 422 and "nothing was imported" in broken.text
    missing = post(merch, "/staff/catalog/import", {"x": "1"})
    assert missing.status_code == 422 and "Choose a CSV or XLSX file" in missing.text


def test_a_staged_file_belongs_to_its_user(signed_in, db):
    merch = signed_in("merch@seller.test")
    token = re.search(r'name="token" value="([^"]+)"', _upload(merch, csv_file(GOOD)).text)[1]
    admin = signed_in("admin@seller.test")
    r = post(admin, "/staff/catalog/import/apply", {"token": token})
    assert r.status_code == 409
    r = post(merch, "/staff/catalog/import/apply", {"token": "../../etc/passwd"})
    assert r.status_code == 409
    with db.session() as s:
        assert s.scalar(select(Style.id).where(Style.code == "PC-500")) is None


def test_only_catalog_roles_import(signed_in):
    sales = signed_in("sales@seller.test")
    assert sales.get("/staff/catalog/import").status_code == 403
    assert _upload(sales, csv_file(GOOD)).status_code == 403
    assert signed_in("buyer@a.test").get("/staff/catalog/import").status_code == 403


def test_an_upload_over_the_limit_is_refused_before_it_is_checked_or_stored(
    signed_in, _staging, monkeypatch
):
    from microbag.config import get_settings

    monkeypatch.setenv("MICROBAG_IMPORT_MAX_UPLOAD_BYTES", "1024")
    get_settings.cache_clear()
    try:
        merch = signed_in("merch@seller.test")
        big = csv_file(GOOD * 20)
        assert len(big) > 1024
        r = _upload(merch, big)
        assert r.status_code == 413
        assert _staging() == 0
        assert _upload(merch, csv_file(GOOD)).status_code == 200
        assert _staging() == 1
    finally:
        monkeypatch.delenv("MICROBAG_IMPORT_MAX_UPLOAD_BYTES")
        get_settings.cache_clear()
