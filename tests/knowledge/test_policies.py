"""A fact's value as form fields and back (the staff page's generic form), and the demo
generator reading the same file."""

from __future__ import annotations

import pytest

from microbag.knowledge.facts import shipped_knowledge, thaw
from microbag.knowledge.policies import field_of_problem, form_fields, value_from_form

KNOWLEDGE = shipped_knowledge()


@pytest.mark.parametrize("key", [f.key for f in KNOWLEDGE.facts()])
def test_every_fact_round_trips_through_its_form(key):
    value = thaw(KNOWLEDGE.fact(key).value)
    fields = form_fields(value)
    assert fields and len({f.name for f in fields}) == len(fields)
    rebuilt, errors = value_from_form(value, {f.name: f.value for f in fields})
    assert errors == {} and rebuilt == value


def test_labels_and_kinds():
    fields = {f.name: f for f in form_fields(thaw(KNOWLEDGE.fact("price_model.boutique").value))}
    assert fields["typical_moq"].kind == "integer" and fields["tier_mix.luxury"].kind == "number"
    assert fields["tier_mix.luxury"].label == "Tier mix Luxury"
    months = form_fields(thaw(KNOWLEDGE.fact("month_demand").value))
    assert [f.label for f in months][:2] == ["Jan", "Feb"]
    bounds = form_fields(thaw(KNOWLEDGE.fact("range_defaults.price_tier").value))
    assert [f.label for f in bounds][:2] == ["Luxury min", "Luxury max"]
    words = form_fields(["bridal", "casual"])
    assert [(f.name, f.kind, f.value) for f in words] == [("items", "words", "bridal, casual")]


def test_bad_numbers_are_named_by_field():
    _value, errors = value_from_form({"a": 1.0, "n": 2}, {"a": "x", "n": "2.5"})
    assert errors == {"a": "Enter a number.", "n": "Enter a whole number."}
    assert value_from_form({"a": 1.0}, {"a": "1,5"}) == ({"a": 1.5}, {})


def test_problems_map_to_their_form_field():
    names = {"tier_mix.luxury", "typical_moq", "pricing"}
    assert field_of_problem("value.tier_mix.luxury", names) == "tier_mix.luxury"
    assert field_of_problem("value.tier_mix", names) is None
    assert field_of_problem("value.3", {"items"}) == "items"
    assert (
        field_of_problem("value.micro_tote.0", {"micro_tote.0", "micro_tote.1"}) == "micro_tote.0"
    )


def test_the_demo_generator_reads_the_knowledge_file():
    from microbag.demo import market, regions

    assert regions.SEGMENT_TYPES == thaw(KNOWLEDGE.table("segment_types"))
    assert regions.REGION_FAMILIES == thaw(KNOWLEDGE.table("region_color_families"))
    assert regions.REGION_MATERIALS == thaw(KNOWLEDGE.table("region_materials"))
    assert market.BAG_TYPES["micro_clutch"].occasions == thaw(
        KNOWLEDGE.fact("type_occasions.micro_clutch").value
    )
    assert list(market.MONTH_DEMAND) == thaw(KNOWLEDGE.fact("month_demand").value)
    assert (
        regions.SEGMENTS["ecommerce"].reorder_days
        == KNOWLEDGE.price_model("ecommerce").restock_days
    )
