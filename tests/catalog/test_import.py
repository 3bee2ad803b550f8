"""Catalog import: every bad row reported with its row number and reason, all or nothing."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from microbag.catalog.importer import import_catalog
from microbag.catalog.models import Sku, Style
from microbag.errors import DomainError

HEADER = [
    "style_code",
    "style_name",
    "bag_type",
    "width_mm",
    "height_mm",
    "depth_mm",
    "weight_g",
    "price_tier",
    "season",
    "occasions",
    "sku",
    "color",
    "material",
    "hardware",
    "retail_price",
    "currency",
]


def row(**overrides) -> dict[str, str]:
    base = {
        "style_code": "BB-200",
        "style_name": "Carnaval Belt Bag",
        "bag_type": "belt_bag",
        "width_mm": "190",
        "height_mm": "110",
        "depth_mm": "45",
        "weight_g": "180",
        "price_tier": "mass",
        "season": "SS26",
        "occasions": "festival;casual",
        "sku": "BB-200-RED",
        "color": "red",
        "material": "nylon",
        "hardware": "silver",
        "retail_price": "39.90",
        "currency": "USD",
    }
    base.update(overrides)
    return base


def to_csv(rows: list[dict[str, str]], header: list[str] = HEADER, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return out.getvalue().encode()


def to_xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(db, data: bytes, filename: str = "catalog.csv", dry_run: bool = False):
    with db.session(write=True) as s:
        return import_catalog(s, data, filename, dry_run=dry_run)


def rejected(db, data: bytes, filename: str = "catalog.csv") -> list:
    with pytest.raises(DomainError) as err:
        run(db, data, filename)
    return err.value.items


def by_line(items) -> dict[int | None, set[str]]:
    out: dict[int | None, set[str]] = {}
    for item in items:
        out.setdefault(item.line, set()).add(item.code)
    return out


def test_good_csv_creates_styles_and_skus(db, world):
    data = to_csv([row(), row(sku="BB-200-BLK", color="black", material="PU", retail_price="")])
    data = data.replace(b"BLK,black,PU,silver,,USD", b"BLK,black,PU,silver,,")
    report = run(db, data)
    assert (report.styles_created, report.skus_created, report.skus_updated) == (1, 2, 0)
    with db.session() as s:
        style = s.scalar(select(Style).where(Style.code == "BB-200"))
        assert style.size_class == "mini" and style.lifecycle == "draft"
        assert style.occasion_names == ["casual", "festival"]
        assert "phone" in style.holds
        black = s.scalar(select(Sku).where(Sku.code == "BB-200-BLK"))
        assert black.material == "vegan_leather" and black.lifecycle == "draft"
        red = s.scalar(select(Sku).where(Sku.code == "BB-200-RED"))
        assert red.attributes["retail_price"] == {"amount_minor": 3990, "currency": "USD"}
        assert "carnaval" in red.search_text


def test_dry_run_reports_and_writes_nothing(db, world, fingerprint):
    before = fingerprint(db)
    report = run(db, to_csv([row()]), dry_run=True)
    assert report.dry_run and not report.applied and report.skus_created == 1
    assert fingerprint(db) == before


def test_existing_skus_are_updated(db, world):
    data = to_csv(
        [
            row(
                style_code="MC-001",
                style_name="Gala Micro Clutch II",
                bag_type="micro_clutch",
                width_mm="160",
                height_mm="100",
                depth_mm="40",
                sku="MC-001-GLD",
                color="gold",
                material="lambskin",
            )
        ]
    )
    report = run(db, data)
    assert (report.styles_updated, report.skus_updated, report.skus_created) == (1, 1, 0)
    with db.session() as s:
        gold = s.scalar(select(Sku).where(Sku.code == "MC-001-GLD"))
        assert gold.material == "lambskin" and gold.style.name == "Gala Micro Clutch II"
        assert gold.lifecycle == "active"  # no lifecycle column: unchanged
        black = s.scalar(select(Sku).where(Sku.code == "MC-001-BLK"))
        assert "gala micro clutch ii" in black.search_text  # not in the file, refreshed


def test_semicolon_csv_with_bom_and_xlsx(db, world):
    data = b"\xef\xbb\xbf" + to_csv([row()], delimiter=";")
    assert run(db, data).skus_created == 1
    xlsx = to_xlsx(
        [
            HEADER,
            [row(sku="BB-200-TAN", color="tan")[h] for h in HEADER[:3]]
            + [190, 110, 45.0, 180]
            + [row()[h] for h in HEADER[7:10]]
            + ["BB-200-TAN", "tan", "canvas", "", 39.9, "USD"],
        ]
    )
    report = run(db, xlsx, "catalog.xlsx")
    assert report.format == "xlsx" and report.skus_created == 1 and report.styles_updated == 1


def test_missing_columns_are_reported_once_by_name(db, world, fingerprint):
    before = fingerprint(db)
    header = [h for h in HEADER if h not in ("material", "season")]
    items = rejected(db, to_csv([row(), row(sku="X-2")], header=header))
    assert [i.code for i in items] == ["missing_columns"]
    assert items[0].line == 1
    assert "material" in items[0].message and "season" in items[0].message
    assert fingerprint(db) == before


def test_unknown_and_duplicate_columns(db, world):
    items = rejected(db, to_csv([row()], header=[*HEADER, "colour"]))
    assert {i.code for i in items} == {"unknown_columns"} and "colour" in items[0].message
    items = rejected(db, to_csv([row()], header=[*HEADER, "sku"]))
    assert {i.code for i in items} == {"duplicate_columns"}


def test_every_bad_row_is_reported_and_nothing_is_written(db, world, fingerprint):
    before = fingerprint(db)
    with db.session() as s:
        skus_before = s.scalar(select(func.count(Sku.id)))
    rows = [
        row(),  # 2: fine (but must not be written)
        row(sku="R3", width_mm="abc"),  # bad number
        row(sku="R4", height_mm="12.5"),  # not whole millimetres
        row(style_code="S5", sku="R5", depth_mm="-40"),  # negative dimension
        row(style_code="S6", sku="R6", width_mm="9000"),  # absurd dimension
        row(style_code="S7", sku="R7", weight_g="70000"),  # absurd weight
        row(sku="R8", currency="XYZ"),  # unknown currency
        row(sku="BB-200-RED"),  # duplicate of row 2
        row(style_code="S10", sku="R10", style_name='=HYPERLINK("http://x")'),  # formula
        row(style_code="S11", sku="R11", color="+cmd"),  # formula
        row(style_code="S12", sku="R12", hardware="@SUM(A1)"),  # formula
        row(style_code="S13", sku="R13", material="-2+3"),  # formula
        row(style_code="S14", sku="R14", material="unobtainium"),  # unknown vocabulary
        row(style_code="S15", sku="R15", price_tier="cheap"),
        row(style_code="S16", sku="R16", occasions="casual;funeral"),
        row(style_code="S17", sku="R17", season="summer"),
        row(style_code="S18", sku="R18", bag_type="Belt Bag!"),
        row(style_code="S19", sku="", color=""),  # missing values
        row(style_code="S20", sku="R20", retail_price="12.345", currency="USD"),
    ]
    items = rejected(db, to_csv(rows))
    lines = by_line(items)
    expected = {
        3: "invalid_number",
        4: "invalid_number",
        5: "invalid_dimension",
        6: "invalid_dimension",
        7: "invalid_weight",
        8: "unknown_currency",
        9: "duplicate_sku",
        10: "formula_cell",
        11: "formula_cell",
        12: "formula_cell",
        13: "formula_cell",
        14: "unknown_material",
        15: "unknown_price_tier",
        16: "unknown_occasion",
        17: "invalid_season",
        18: "invalid_bag_type",
        19: "missing_value",
        20: "invalid_price",
    }
    for line, code in expected.items():
        assert code in lines.get(line, set()), (line, code, lines.get(line))
    assert 2 not in lines  # the good row has no error
    for item in items:
        assert item.message.startswith(f"row {item.line}:"), item.message
        assert item.field, item
    dup = next(i for i in items if i.code == "duplicate_sku")
    assert "row 2" in dup.message
    assert fingerprint(db) == before
    with db.session() as s:
        assert s.scalar(select(func.count(Sku.id))) == skus_before


def test_negative_number_is_a_dimension_error_not_a_formula(db, world):
    items = rejected(db, to_csv([row(width_mm="-5")]))
    assert [i.code for i in items] == ["invalid_dimension"]
    assert "negative" in items[0].message and items[0].field == "width_mm"


def test_escaped_cells_are_literal_text(db, world):
    run(db, to_csv([row(style_name="'=Not a formula", hardware="")]))
    with db.session() as s:
        assert s.scalar(select(Style.name).where(Style.code == "BB-200")) == "=Not a formula"


def test_rows_of_one_style_must_agree(db, world):
    items = rejected(db, to_csv([row(), row(sku="BB-200-BLK", width_mm="191")]))
    assert [(i.code, i.line, i.field) for i in items] == [("style_mismatch", 3, "width_mm")]


def test_sku_of_another_style_and_lifecycle_moves(db, world):
    items = rejected(db, to_csv([row(sku="MC-001-GLD")]))
    assert [i.code for i in items] == ["sku_of_other_style"]
    header = [*HEADER, "sku_lifecycle"]
    data = to_csv(
        [
            row(
                style_code="MC-001",
                style_name="Gala Micro Clutch",
                bag_type="micro_clutch",
                width_mm="160",
                height_mm="100",
                depth_mm="40",
                sku="MC-001-GLD",
                color="gold",
                material="calfskin",
                sku_lifecycle="draft",
            )
        ],
        header=header,
    )
    assert [i.code for i in rejected(db, data)] == ["invalid_lifecycle_transition"]


def test_limited_edition_rules(db, world):
    header = [*HEADER, "limited_edition", "drop_date", "edition_size"]
    items = rejected(db, to_csv([row(limited_edition="yes")], header=header))
    assert {i.code for i in items} == {"drop_date_required", "edition_size_required"}
    items = rejected(db, to_csv([row(limited_edition="no", edition_size="50")], header=header))
    assert [i.code for i in items] == ["not_limited_edition"]
    items = rejected(db, to_csv([row(limited_edition="maybe")], header=header))
    assert [i.code for i in items] == ["invalid_boolean"]
    items = rejected(
        db,
        to_csv(
            [row(limited_edition="yes", drop_date="01/05/2026", edition_size="50")], header=header
        ),
    )
    assert [i.code for i in items] == ["invalid_date"]
    report = run(
        db,
        to_csv(
            [row(limited_edition="yes", drop_date="2026-05-01", edition_size="500")], header=header
        ),
    )
    assert report.styles_created == 1


def test_absent_optional_columns_keep_existing_values(db, world):
    header = [*HEADER, "description", "lining"]
    run(db, to_csv([row(description="Hand-stitched", lining="satin")], header=header))
    run(db, to_csv([row(style_name="Carnaval Belt Bag II")]))
    with db.session() as s:
        style = s.scalar(select(Style).where(Style.code == "BB-200"))
        assert style.description == "Hand-stitched" and style.lining == "satin"
        assert style.name == "Carnaval Belt Bag II"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x00\x01garbage\xff\xfe" * 50, "catalog.xlsx"),
        (b"PK\x03\x04 this is not really a zip", "catalog.xlsx"),
        (b"PK\x03\x04" + b"\x00" * 200, "upload.bin"),
        (b"just text named like a workbook", "catalog.xlsx"),
    ],
)
def test_corrupt_xlsx_is_a_clear_error(db, world, fingerprint, data, name):
    before = fingerprint(db)
    items = rejected(db, data, name)
    assert [i.code for i in items] == ["unreadable_file"]
    assert "XLSX" in items[0].message
    assert fingerprint(db) == before


def test_zip_that_is_not_a_workbook_and_truncated_workbook(db, world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert [i.code for i in rejected(db, buf.getvalue(), "c.xlsx")] == ["unreadable_file"]
    good = to_xlsx([HEADER, list(row().values())])
    assert [i.code for i in rejected(db, good[: len(good) // 2], "c.xlsx")] == ["unreadable_file"]


def test_unreadable_csv_inputs(db, world):
    assert rejected(db, b"")[0].code == "unreadable_file"
    assert rejected(db, "style_code\n".encode("utf-16"))[0].code == "unreadable_file"
    assert rejected(db, b"\xff\xfe\xfa not utf8")[0].code == "unreadable_file"
    assert rejected(db, to_csv([]))[0].code == "no_rows"


def test_formula_in_xlsx_cell_is_rejected(db, world):
    values = list(row().values())
    values[1] = "=1+1"
    items = rejected(db, to_xlsx([HEADER, values]), "c.xlsx")
    assert [(i.code, i.line, i.field) for i in items] == [("formula_cell", 2, "style_name")]
