"""Staff edits over the shipped knowledge: validated like the file, reset, stale edits."""

from __future__ import annotations

import pytest

from microbag.errors import NotFound
from microbag.knowledge import service
from microbag.knowledge.facts import shipped_knowledge, thaw
from microbag.knowledge.models import KnowledgeEdit
from microbag.knowledge.tables import KnowledgeError

KEY = "segment_types.boutique"


def boutique_row(**changes: float) -> dict[str, float]:
    return thaw(shipped_knowledge().fact(KEY).value) | changes


def test_without_edits_the_effective_knowledge_is_the_shipped_file(db):
    with db.session() as s:
        assert service.effective_knowledge(s) is shipped_knowledge()
        views = service.fact_views(s)
    assert len(views) == len(shipped_knowledge().facts())
    assert not any(v.edited for v in views)


def test_an_edit_is_saved_as_the_sellers_and_reset(db):
    with db.session(write=True) as s:
        view = service.edit_fact(s, KEY, boutique_row(belt_bag=2.5), "merch@microbag.example")
    assert view.edited and view.edited_by == "merch@microbag.example"
    assert view.fact.source == "seller" and view.shipped is not None
    assert view.shipped.source == "brief: Table 4, Table 9"
    with db.session() as s:
        knowledge = service.effective_knowledge(s)
        assert knowledge.type_weight("boutique", "belt_bag") == 1.0
        assert knowledge.fact(KEY).source == "seller"
        assert service.fact_view(s, KEY).edited_at is not None
    with db.session(write=True) as s:  # a second edit replaces the first
        service.edit_fact(s, KEY, boutique_row(belt_bag=0.1), "admin@microbag.example")
    with db.session(write=True) as s:
        assert s.query(KnowledgeEdit).count() == 1
        restored = service.reset_fact(s, KEY)
    assert restored is not None and not restored.edited
    with db.session() as s:
        assert service.effective_knowledge(s).fact(KEY) == shipped_knowledge().fact(KEY)


def test_a_bad_edit_is_refused_and_never_saved(db):
    with db.session(write=True) as s, pytest.raises(KnowledgeError) as exc:
        service.edit_fact(s, KEY, boutique_row(belt_bag=9.0), "merch@microbag.example")
    assert exc.value.problems[0].field == "value.belt_bag"
    with db.session(write=True) as s, pytest.raises(KnowledgeError):
        service.edit_fact(s, "segment_types.wholesaler", {}, "merch@microbag.example")
    with db.session() as s:
        assert s.query(KnowledgeEdit).count() == 0


def test_the_seller_may_add_a_fact_to_an_open_table_and_remove_it(db):
    key = "bundle_pairs.crossbody_with_pouch"
    with db.session(write=True) as s:
        view = service.edit_fact(s, key, ["mini_crossbody", "pouch"], "merch@microbag.example")
    assert view.shipped is None and view.fact.value == ("mini_crossbody", "pouch")
    with db.session() as s:
        assert ("mini_crossbody", "pouch") in service.effective_knowledge(s).bundle_pairs()
    with db.session(write=True) as s:
        assert service.reset_fact(s, key) is None
    with db.session(write=True) as s, pytest.raises(NotFound):
        service.reset_fact(s, key)
    with db.session() as s, pytest.raises(NotFound):
        service.fact_view(s, key)


def test_a_stale_edit_is_left_out_with_its_reason_and_others_still_apply(db):
    with db.session(write=True) as s:
        service.edit_fact(s, KEY, boutique_row(belt_bag=2.5), "merch@microbag.example")
        # As if saved against an older file whose row had other columns.
        s.add(
            KnowledgeEdit(
                key="segment_types.ecommerce",
                value={"micro_tote": 1.0},
                shipped_version="2025.1",
                edited_by="merch@microbag.example",
            )
        )
    with db.session() as s:
        knowledge = service.effective_knowledge(s)
        stale = service.fact_view(s, "segment_types.ecommerce")
    assert knowledge.type_weight("boutique", "belt_bag") == 1.0
    assert knowledge.fact("segment_types.ecommerce").source == "brief: Table 4, Table 9"
    assert not stale.edited and stale.ignored_edit and "columns differ" in stale.ignored_edit
