"""The 6pm handbags scrape (real data): its Mini/Micro/Nano bags import and size-class well."""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction

from sqlalchemy import select

from microbag.catalog import policies
from microbag.catalog.exporter import export_catalog
from microbag.catalog.importer import import_catalog
from microbag.catalog.models import Style
from microbag.catalog.rows import COLUMNS

MM_PER_INCH = 25.4
_NUMBER = r"(\d+(?:\s+\d+\s*[⁄/]\s*\d+)?|\d+\s*[⁄/]\s*\d+)"


def inches(text: str, label: str) -> int | None:
    m = re.search(label + r":\s*" + _NUMBER + r"\s*in", text)
    if not m:
        return None
    total = Fraction(0)
    for part in m.group(1).split():
        total += Fraction(part.replace("⁄", "/")) if "/" in part or "⁄" in part else int(part)
    return round(float(total) * MM_PER_INCH)


def grams(text: str) -> int:
    m = re.search(r"Weight:\s*(?:(\d+)\s*lbs?)?\s*(?:(\d+(?:\.\d+)?)\s*oz)?", text)
    if not m or not (m.group(1) or m.group(2)):
        return 0
    return round(int(m.group(1) or 0) * 453.6 + float(m.group(2) or 0) * 28.35)


def material(description: str) -> str:
    d = description.lower()
    for word, value in (
        ("polyurethane", "vegan_leather"),
        (" pu ", "vegan_leather"),
        ("pvc", "pvc"),
        ("nylon", "nylon"),
        ("leather", "calfskin"),
        ("canvas", "canvas"),
        ("straw", "straw"),
        ("cotton", "cotton"),
    ):
        if word in d:
            return value
    return "polyester"


def bag_type(name: str) -> str:
    n = name.lower()
    for word, value in (
        ("crossbody", "mini_crossbody"),
        ("tote", "micro_tote"),
        ("clutch", "micro_clutch"),
        ("belt", "belt_bag"),
        ("satchel", "top_handle"),
    ):
        if word in n:
            return value
    return "pouch"


def six_pm_rows(path) -> list[dict[str, object]]:
    with open(path, encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))[1:]
    out: dict[tuple[str, str], dict[str, object]] = {}
    for r in records:
        brand, name, colour, description, sku_field = r[0], r[1], r[2], r[4], r[6]
        if not re.search(r"\b(mini|micro|nano)\b", name, re.I):
            continue
        number = re.sub(r"\D", "", sku_field)
        width, height = inches(description, "Bottom Width"), inches(description, "Height")
        depth = inches(description, "Depth") or 30  # a flat bag: assume 3 cm
        if not number or not width or not height:
            continue
        color = re.sub(r"[^a-z0-9]+", "_", colour.lower()).strip("_")[:32] or "assorted"
        if not color[0].isalpha():
            color = "c_" + color[:30]
        code = f"6PM-{number}"
        out.setdefault(
            (code, color),
            {
                "style_code": code,
                "style_name": f"{brand} {name}"[:200],
                "bag_type": bag_type(name),
                "width_mm": width,
                "height_mm": height,
                "depth_mm": depth,
                "weight_g": min(grams(description), policies.WEIGHT_MAX_G),
                "price_tier": "mass",
                "season": "SS24",
                "sku": f"{code}-{len([k for k in out if k[0] == code]) + 1:02d}",
                "color": color,
                "material": material(description),
            },
        )
    return list(out.values())


def test_6pm_mini_bags_import_with_believable_size_classes(db, shared_data):
    rows = six_pm_rows(shared_data / "6pm-handbags" / "handbags.csv")
    assert len(rows) >= 20
    # One row per (style, colour); a style's rows must agree, so keep the first style data.
    first: dict[str, dict[str, object]] = {}
    for row in rows:
        base = first.setdefault(str(row["style_code"]), row)
        for key in ("style_name", "bag_type", "width_mm", "height_mm", "depth_mm", "weight_g"):
            row[key] = base[key]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    with db.session(write=True) as s:
        report = import_catalog(s, buf.getvalue().encode(), "6pm.csv")
    assert report.skus_created == len(rows)
    with db.session() as s:
        styles = list(s.scalars(select(Style)))
        for style in styles:
            dims = (style.width_mm, style.height_mm, style.depth_mm)
            assert style.size_class == policies.size_class(*dims)
        classes = {s.size_class for s in styles}
        assert "mini" in classes
        aidie = [s for s in styles if "Aidie Mini Flap Crossbody" in s.name]
        for style in aidie:  # 6 3/4 x 5 x 2 3/4 in
            assert (style.width_mm, style.size_class) == (171, "mini")
    out = io.BytesIO()
    with db.session() as s:
        export_catalog(s, "csv", out)
    exported = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert exported[0] == list(COLUMNS) and len(exported) == len(rows) + 1
    with db.session(write=True) as s:
        again = import_catalog(s, out.getvalue(), "again.csv")
    assert again.skus_updated == len(rows) and again.skus_created == 0
    second = io.BytesIO()
    with db.session() as s:
        export_catalog(s, "csv", second)
    assert second.getvalue().decode().splitlines() == out.getvalue().decode().splitlines()
