"""Text search takes the user's ``%``, ``_`` and ``\\`` literally (never as LIKE wildcards)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, update

from microbag.accounts.principal import Principal
from microbag.catalog import service
from microbag.catalog.listing import SkuFilters
from microbag.catalog.models import Sku, Style

STAFF = Principal(1, "admin@seller.test", "admin", None)

# code -> search text (written with Core, as bulk loaders do)
TEXTS = {
    "MC-001-PCT": "mc-001-pct gala 100% silk",
    "MC-001-THN": "mc-001-thn gala 1000 silk",
    "MC-001-UND": "mc-001-und gala wave_b",
    "MC-001-AXB": "mc-001-axb gala wavexb",
    "MC-001-BSL": "mc-001-bsl gala dots\\dash",
    "MC-001-SPC": "mc-001-spc gala cross body",
}


@pytest.fixture
def texts(db, world):
    with db.session(write=True) as s:
        style_id = s.scalar(select(Sku.style_id).where(Sku.code == "MC-001-GLD"))
        s.execute(
            insert(Sku),
            [
                {
                    "code": code,
                    "style_id": style_id,
                    "color": "x",
                    "material": "y",
                    "hardware": "",
                    "search_text": search_text,
                    "lifecycle": "active",
                    "attributes": {},
                }
                for code, search_text in TEXTS.items()
            ],
        )
    return db


def found(db, q: str) -> list[str]:
    with db.session() as s:
        items = service.list_skus(s, STAFF, SkuFilters(q=q), page_size=200).items
        return sorted(i.code for i in items)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("100%", ["MC-001-PCT"]),  # not 1000
        ("%", ["MC-001-PCT"]),  # not every SKU
        ("0%", ["MC-001-PCT"]),  # short words take the LIKE path
        ("wave_b", ["MC-001-UND"]),  # "_" is not "any one character"
        ("s\\d", ["MC-001-BSL"]),  # the escape character itself
        ("\\", ["MC-001-BSL"]),
        ("cross_body", ["MC-001-SPC"]),  # search texts spell "_" as a space
    ],
)
def test_wildcards_are_matched_literally(texts, q, expected):
    assert found(texts, q) == expected


def test_a_lone_underscore_finds_only_texts_with_one(texts):
    with texts.session() as s:
        text_of = dict(s.execute(select(Sku.code, Sku.search_text)).all())
    hits = found(texts, "_")
    assert "MC-001-UND" in hits
    assert all("_" in text_of[code] for code in hits)
    assert len(hits) < len(text_of)  # before: "_" matched any character, so every SKU


def test_staff_style_list_matches_percent_and_underscore_literally(db, world):
    with db.session(write=True) as s:
        first = s.scalars(select(Style.id).order_by(Style.id)).first()
        s.execute(update(Style).where(Style.id == first).values(name="50% off_cut clutch"))
    with db.session() as s:
        for q in ("50%", "%", "off_cut", "_"):
            items, total = service.list_styles(s, q=q)
            assert [i.id for i in items] == [first], q
            assert total == 1
        items, total = service.list_styles(s, q="5_%")
        assert total == 0
