"""Text search: the trigram index agrees with a plain LIKE, and follows every change."""

from __future__ import annotations

from sqlalchemy import insert, select, text, update

from microbag.accounts.principal import Principal
from microbag.catalog import search, service
from microbag.catalog.listing import SkuFilters
from microbag.catalog.models import Sku

STAFF = Principal(1, "admin@seller.test", "admin", None)


def found(db, q: str) -> list[str]:
    with db.session() as s:
        return [i.code for i in service.list_skus(s, STAFF, SkuFilters(q=q)).items]


def test_index_exists(db):
    with db.session() as s:
        if db.is_sqlite:
            assert s.execute(text("SELECT 1 FROM sqlite_master WHERE name='skus_fts'")).first()
        else:
            assert s.execute(
                text("SELECT 1 FROM pg_indexes WHERE indexname='ix_skus_search_text_trgm'")
            ).first()


def test_core_inserts_and_updates_are_searchable(db, world):
    # Bulk loaders write with Core, bypassing the ORM: the index must still follow.
    with db.session(write=True) as s:
        style_id = s.scalar(select(Sku.style_id).where(Sku.code == "MC-001-GLD"))
        s.execute(
            insert(Sku),
            [
                {
                    "code": "MC-001-ZZZ",
                    "style_id": style_id,
                    "color": "zebra",
                    "material": "satin",
                    "hardware": "",
                    "search_text": "mc-001-zzz gala zebra satin",
                    "lifecycle": "active",
                    "attributes": {},
                }
            ],
        )
    assert found(db, "zebra") == ["MC-001-ZZZ"]
    with db.session(write=True) as s:
        s.execute(
            update(Sku).where(Sku.code == "MC-001-ZZZ").values(search_text="mc-001-zzz okapi")
        )
    assert found(db, "zebra") == []
    assert found(db, "okapi") == ["MC-001-ZZZ"]


def test_fallback_without_index_gives_the_same_results(db, world):
    queries = ["gala", "gala gold", "calf", "tote red", "nothing-like-this", "mc"]
    indexed = {q: found(db, q) for q in queries}
    if db.is_sqlite:
        with db.engine.begin() as conn:
            search.drop_text_search(conn)
        search._fts_present.clear()
        assert {q: found(db, q) for q in queries} == indexed
        with db.engine.begin() as conn:
            search.install_text_search(conn)
    assert indexed["gala gold"] == ["MC-001-GLD"]
    assert indexed["calf"] == ["MC-001-BLK", "MC-001-GLD"]
    assert indexed["nothing-like-this"] == []


def test_quotes_and_operators_in_queries_are_plain_text(db, world):
    for q in ['"gala', "gala OR tote", "NEAR(gala tote)", "gala*", "-gala", "tote)"]:
        found(db, q)  # no error from the FTS query syntax
    assert found(db, "gala OR tote") == []
