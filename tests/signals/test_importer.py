"""Signals: the CSV layout (upserts, bad rows named), resale listings, the API."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from microbag.db import Database
from microbag.errors import DomainError
from microbag.signals.importer import import_signal_csv
from microbag.signals.models import SignalImportBatch, SignalPoint
from microbag.signals.resale import import_resale_listings

LAYOUT = "date,metric,attribute,term,value,region,unit"


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def points(db: Database) -> dict[tuple, float]:
    with db.session() as s:
        return {
            (p.source, p.metric, p.attribute, p.term, p.region, p.period_start): p.value
            for p in s.scalars(select(SignalPoint))
        }


def test_csv_layout_and_upsert(db: Database, tmp_path: Path) -> None:
    first = write(
        tmp_path,
        "s1.csv",
        [
            LAYOUT,
            "2024-03-04,search_interest,keyword,Micro  Bag,72,europe,index",
            "2024-03-04,social_mentions,color,Red,1540,us,count",
            "2024-03-11,search_interest,keyword,micro bag,75,europe,index",
        ],
    )
    with db.session(write=True) as s:
        report = import_signal_csv(s, first, "trendwatch")
    assert (report.points_written, report.series) == (3, 2)
    assert (report.first_date, report.last_date) == (date(2024, 3, 4), date(2024, 3, 11))
    key = ("trendwatch", "search_interest", "keyword", "micro bag", "europe", date(2024, 3, 4))
    assert points(db)[key] == 72.0
    assert points(db)[("trendwatch", "social_mentions", "color", "red", "us", date(2024, 3, 4))]
    # A newer file replaces the values it repeats and adds the rest (no region: all).
    second = write(
        tmp_path,
        "s2.csv",
        ["date,metric,attribute,term,value", "2024-03-04,search_interest,keyword,micro bag,80"],
    )
    with db.session(write=True) as s:
        import_signal_csv(s, second, "trendwatch")
    with db.session(write=True) as s:
        import_signal_csv(
            s,
            write(
                tmp_path,
                "s3.csv",
                [LAYOUT, "2024-03-04,search_interest,keyword,micro bag,81,europe,index"],
            ),
            "trendwatch",
        )
    stored = points(db)
    assert stored[key] == 81.0 and len(stored) == 4
    assert (
        stored[("trendwatch", "search_interest", "keyword", "micro bag", "all", date(2024, 3, 4))]
        == 80
    )


def test_bad_rows_are_named_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.csv",
        [
            LAYOUT,
            "2024-03-04,search_interest,keyword,micro bag,72,europe,index",
            "2024-13-04,search_interest,keyword,micro bag,72,europe,index",  # line 3
            "2024-03-04,Search Interest!,keyword,micro bag,72,europe,index",  # line 4
            "2024-03-04,listings,planet,mars,3,all,count",  # line 5
            "2024-03-04,listings,color,red,-3,all,count",  # line 6
            "2024-03-04,listings,color,red,3,atlantis,count",  # line 7
            "2024-03-04,search_interest,keyword,Micro Bag,1,europe,index",  # line 8 duplicate
        ],
    )
    with pytest.raises(DomainError) as info, db.session(write=True) as s:
        import_signal_csv(s, bad, "trendwatch")
    found = {(i.line, i.code) for i in info.value.items}
    assert {
        (3, "invalid_date"),
        (4, "invalid_metric"),
        (5, "invalid_attribute"),
        (6, "invalid_value"),
        (7, "unknown_region"),
        (8, "duplicate_point"),
    } <= found
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SignalPoint)) == 0
        assert s.scalar(select(func.count()).select_from(SignalImportBatch)) == 0


def test_header_and_source_are_checked(db: Database, tmp_path: Path) -> None:
    with pytest.raises(DomainError) as info, db.session(write=True) as s:
        import_signal_csv(
            s, write(tmp_path, "h.csv", ["date,metric,value,colour", "x,y,1,z"]), "src"
        )
    assert info.value.items[0].code == "invalid_header" and "term" in info.value.items[0].message
    with pytest.raises(DomainError) as info, db.session(write=True) as s:
        import_signal_csv(s, write(tmp_path, "ok.csv", [LAYOUT]), "bad source!")
    assert info.value.items[0].code == "invalid_source"


@pytest.fixture
def resale_slice(shared_data: Path, tmp_path: Path) -> Path:
    """The first 400 real listings."""
    source = shared_data / "luxury-resale-handbags" / "listings_2024-05.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(400)]
    path = tmp_path / "listings.jsonl.gz"
    path.write_bytes(gzip.compress("".join(lines).encode()))
    return path


def test_real_resale_listings_become_weekly_signals(db: Database, resale_slice: Path) -> None:
    with db.session(write=True) as s:
        report = import_resale_listings(s, resale_slice, "luxury-resale")
    assert report.rows_read == 400 and report.points_written > 0
    stored = points(db)
    metrics = {k[1] for k in stored}
    assert metrics == {"listings", "median_price"}
    assert all(k[5].weekday() == 0 for k in stored)  # weeks start on Monday
    attributes = {k[2] for k in stored}
    assert {"bag_type", "color", "material", "price_tier"} <= attributes
    with db.session() as s:
        units = set(s.scalars(select(SignalPoint.unit).where(SignalPoint.metric == "median_price")))
    assert units == {"HKD"}
    # Importing the same listings again replaces, never doubles.
    with db.session(write=True) as s:
        import_resale_listings(s, resale_slice, "luxury-resale")
    assert points(db) == stored


def test_broken_listings_are_rejected(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"currency": "HKD", "price": 10, "trends": []}\nnot json\n[1]\n')
    with pytest.raises(DomainError) as info, db.session(write=True) as s:
        import_resale_listings(s, path, "x")
    assert {(i.line, i.code) for i in info.value.items} == {
        (2, "invalid_json"),
        (3, "invalid_listing"),
    }
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(b'{"a": 1}\n' * 5000)[:100])
    with pytest.raises(DomainError) as info, db.session(write=True) as s:
        import_resale_listings(s, cut, "x")
    assert "gzip" in info.value.items[0].message


def test_signals_api(client, db: Database, world, tmp_path: Path) -> None:
    lines = [LAYOUT] + [
        f"2024-03-{d:02d},search_interest,keyword,micro bag,{d},europe,index" for d in range(1, 29)
    ]
    with db.session(write=True) as s:
        import_signal_csv(s, write(tmp_path, "api.csv", lines), "trendwatch")
    staff = world.auth("merch@seller.test")
    resp = client.get(
        "/api/v1/signals", params={"metric": "search_interest", "page_size": 10}, headers=staff
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == 28 and len(body["items"]) == 10
    assert body["items"][0]["period_start"] == "2024-03-01" and body["items"][0]["unit"] == "index"
    since = client.get(
        "/api/v1/signals", params={"since": "2024-03-20", "until": "2024-03-25"}, headers=staff
    ).json()
    assert [i["value"] for i in since["items"]] == [20.0, 21.0, 22.0, 23.0, 24.0]
    assert (
        client.get("/api/v1/signals", params={"region": "mars"}, headers=staff).status_code == 422
    )
    assert client.get("/api/v1/signals", headers=world.auth("buyer@a.test")).status_code == 403
