"""The shipped knowledge file loads and validates; bad files and edits name the fact and field."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microbag.buyers.policies import SEGMENTS
from microbag.knowledge.facts import (
    Knowledge,
    ShareBounds,
    parse_knowledge,
    season_names,
    shipped_knowledge,
    thaw,
)
from microbag.knowledge.tables import TABLES, KnowledgeError


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return shipped_knowledge()


def problems(exc: pytest.ExceptionInfo[KnowledgeError]) -> list[tuple[str, str]]:
    return [(p.key, p.field) for p in exc.value.problems]


def fact_toml(key: str, value: str, source: str = "seller") -> str:
    return f'[[fact]]\nkey = "{key}"\nsource = "{source}"\nvalue = {value}\n'


def with_file(*facts: str) -> str:
    """The shipped file's text with extra [[fact]] entries appended."""
    from importlib import resources

    text = resources.files("microbag.knowledge").joinpath("brief.toml").read_text("utf-8")
    return text + "\n" + "\n".join(facts)


def test_shipped_file_is_versioned_and_covers_every_table(knowledge):
    assert knowledge.version
    assert {f.table for f in knowledge.facts()} == set(TABLES)
    assert all(
        f.source == "seller" or f.source.startswith("brief: Table ") for f in knowledge.facts()
    )
    assert shipped_knowledge() is knowledge  # cached


def test_weights_are_relative_to_the_rows_favourite(knowledge):
    for segment in SEGMENTS:
        weights = [
            knowledge.type_weight(segment, t) for t in knowledge.table("segment_types")[segment]
        ]
        assert max(weights) == 1.0 and all(0 <= w <= 1 for w in weights)
    assert knowledge.type_weight("boutique", "micro_clutch") == 1.0  # Table 4: luxury boutiques
    assert knowledge.color_weight("europe", "neutral") == 1.0  # Table 11
    assert knowledge.color_weight("japan_korea", "pastel") == 1.0
    assert knowledge.hardware_weight("middle_east", "gold") == 1.0
    assert knowledge.color_weight("europe", "vivid") < 0.5
    assert knowledge.type_weight("boutique", "no_such_type") == 0.0


def test_rows_not_in_the_brief_get_the_average_or_neutral(knowledge):
    rows = knowledge.table("region_color_families")
    mean = sum(knowledge.color_weight(r, "neutral") for r in rows) / len(rows)
    assert knowledge.color_weight("other", "neutral") == pytest.approx(mean)
    assert knowledge.color_weight(None, "neutral") == pytest.approx(mean)
    # Materials are sparse: a material the region does not name is neutral (1.0 raw).
    assert knowledge.material_weight("us", "canvas") == 1.0
    assert knowledge.material_weight("europe", "calfskin") == 1.0
    assert (
        knowledge.material_weight("europe", "pvc")
        < knowledge.material_weight("europe", "canvas")
        < 1
    )


def test_occasions_per_season_and_catalog_season_codes(knowledge):
    assert knowledge.occasions("spring")[0] == "bridal"
    assert knowledge.occasions("summer")[0] == "festival"
    assert knowledge.occasions("winter")[0] == "formal"
    assert knowledge.occasions("SS26") == ("bridal", "festival", "casual")
    assert set(knowledge.occasions("AW26")) == {"formal", "commute", "casual"}
    assert season_names("holiday26") == ("winter",)
    assert season_names("all_season") == ("spring", "summer", "autumn", "winter")
    assert knowledge.occasions("nonsense") == ()


def test_price_models_and_range_defaults(knowledge):
    model = knowledge.price_model("distributor")
    assert (
        model.pricing == "volume_driven"
        and model.typical_moq > knowledge.price_model("boutique").typical_moq
    )
    assert sum(model.tier_mix.values()) == pytest.approx(1)
    assert 0 <= model.discount_depth <= 1
    blended = knowledge.price_model(None)
    assert sum(blended.tier_mix.values()) == pytest.approx(1)
    defaults = knowledge.range_defaults()
    assert defaults.bounds("bag_type", "micro_tote") == ShareBounds(0.1, 0.35)
    assert defaults.bounds("bag_type", "wristlet") == ShareBounds(0.0, 1.0)
    assert (
        sum(b.min for b in defaults.price_tier.values())
        <= 1
        <= sum(b.max for b in defaults.price_tier.values())
    )
    low, high = defaults.occasion["bridal"]
    assert low <= high


def test_styling_bundles_suppliers_and_ecommerce(knowledge):
    pairs = knowledge.styling_pairs()
    assert any(p.bag_type == "micro_clutch" and p.occasion == "formal" for p in pairs)  # Table 6
    assert ("micro_tote", "micro_clutch") in knowledge.bundle_pairs()  # Table 7
    criteria = knowledge.supplier_criteria()
    assert criteria["transparency"].weight > criteria["customization"].weight  # Table 15
    assert set(knowledge.ecommerce_factors()) == {
        "photography",
        "sku_management",
        "promotions",
        "campaigns",
    }


def test_a_fact_says_where_it_comes_from(knowledge):
    fact = knowledge.fact("segment_types.boutique")
    assert fact.source == "brief: Table 4, Table 9" and fact.from_brief
    assert fact.table_title == "Bag types by buyer segment"
    assert thaw(fact.value)["micro_clutch"] == 1.25
    with pytest.raises(TypeError):
        fact.value["micro_clutch"] = 9  # read-only: the cached knowledge is shared
    with pytest.raises(KeyError, match=r"no fact 'nope\.x'"):
        knowledge.fact("nope.x")


def test_edits_replace_a_fact_as_the_sellers(knowledge):
    row = thaw(knowledge.fact("segment_types.boutique").value) | {"belt_bag": 2.5}
    edited = knowledge.with_edits({"segment_types.boutique": row})
    assert edited.fact("segment_types.boutique").source == "seller"
    assert edited.type_weight("boutique", "belt_bag") == 1.0
    assert knowledge.type_weight("boutique", "belt_bag") < 1  # the original is untouched


BAD_PRICE_MODEL = {
    "pricing": "x",
    "tier_mix": {"luxury": 1.0},
    "typical_moq": 0,
    "discount_depth": 0.1,
    "restock_days": 20,
}
BAD_EDITS = [
    ("segment_types.wholesaler", {"micro_tote": 1.0}, "key", "unknown row 'wholesaler'"),
    ("colour_weights.europe", {}, "key", "unknown table"),
    ("region_color_families.europe", {"neutral": 7.0}, "value.neutral", "less than or equal to 5"),
    ("segment_tiers.boutique", {"luxury": 1, "mass": 1, "gold": 1}, "value.gold", "unknown price"),
    (
        "type_tiers.micro_tote",
        {"luxury": 0.5, "premium": 0.45, "mass": 0.25},
        "value",
        "sum to 1.2",
    ),
    ("price_model.boutique", BAD_PRICE_MODEL, "value.typical_moq", "greater than"),
    ("season_occasions.spring", ["bridal", "picnic"], "value.1", "unknown occasion 'picnic'"),
    ("range_defaults.price_tier", {"luxury": [0.6, 0.2]}, "value.luxury", "above max"),
    ("month_demand", [1.0] * 11, "value", "at least 12"),
    ("segment_types.boutique", {"micro_tote": 1.0}, "value", "columns differ"),
]


@pytest.mark.parametrize(("key", "value", "field", "words"), BAD_EDITS)
def test_a_bad_edit_is_refused_naming_fact_and_field(knowledge, key, value, field, words):
    with pytest.raises(KnowledgeError) as exc:
        knowledge.with_edits({key: value})
    found = exc.value.problems
    assert any(p.key == key and p.field == field and words in p.message for p in found), found
    assert key in str(exc.value)
    assert exc.value.status == 422 and exc.value.items[0].code == "invalid_fact"


def test_a_bad_file_lists_every_problem():
    text = with_file(
        fact_toml("segment_types.boutique", "{ micro_tote = 1.0 }"),
        fact_toml(
            "region_sizes.europe", "{ nano = 1, micro = 1, mini = 1, small = 1 }", "the internet"
        ),
    )
    with pytest.raises(KnowledgeError) as exc:
        parse_knowledge(text)
    assert ("segment_types.boutique", "key") in problems(exc)  # duplicate
    assert ("region_sizes.europe", "key") in problems(exc)
    assert "duplicate key" in str(exc.value)


def test_a_bad_source_and_missing_rows_are_reported():
    text = "version = '1'\n" + fact_toml("month_demand", "[1.0]", "a blog post")
    with pytest.raises(KnowledgeError) as exc:
        parse_knowledge(text)
    assert ("month_demand", "source") in problems(exc)
    assert ("month_demand", "value") in problems(exc)
    good = "version = '1'\n" + fact_toml("month_demand", str([1.0] * 12))
    with pytest.raises(KnowledgeError) as exc:
        parse_knowledge(good)
    assert ("segment_types.boutique", "key") in problems(exc)  # every segment needs a row
    assert ("price_model.ecommerce", "key") in problems(exc)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("version = ", "toml"),
        ("fact = []", "version"),
        ("version = '1'", "fact"),
        ("version = '1'\n[[fact]]\nkey = 'month_demand'\nvalue = 1\ncolour = 'x'\n", "entry"),
    ],
)
def test_malformed_files(text, field):
    with pytest.raises(KnowledgeError) as exc:
        parse_knowledge(text)
    assert exc.value.problems[0].field == field


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=13)
        | st.dictionaries(st.text(max_size=12), children, max_size=8)
    ),
    max_leaves=30,
)
KEYS = st.sampled_from([f.key for f in shipped_knowledge().facts()] + ["nope", "styling_pairs.x"])


@st.composite
def near_miss(draw: st.DrawFn) -> tuple[str, object]:
    """A shipped value with one entry replaced: mostly valid shapes, some broken ones."""
    fact = draw(st.sampled_from(shipped_knowledge().facts()))
    value = thaw(fact.value)
    if isinstance(value, dict) and value:
        value[draw(st.sampled_from(sorted(value)))] = draw(JSON | st.floats(0, 6))
    elif isinstance(value, list) and value:
        value[draw(st.integers(0, len(value) - 1))] = draw(JSON | st.floats(0, 6))
    return fact.key, value


@settings(max_examples=60, deadline=None, derandomize=True)
@given(edit=st.tuples(KEYS, JSON) | near_miss())
def test_any_json_edit_is_either_refused_or_valid(knowledge, edit):
    """Whatever staff send, the edit is refused with KnowledgeError or gives knowledge
    whose lookups all answer (no other exception, no half-valid state)."""
    key, value = edit
    try:
        edited = knowledge.with_edits({key: value})
    except KnowledgeError as exc:
        assert exc.problems and all(p.key and p.field for p in exc.problems)
        return
    assert edited.fact(key).source == "seller"
    for segment in (*SEGMENTS, None):
        edited.price_model(segment)
        edited.type_weight(segment, "micro_tote")
    edited.range_defaults()
    edited.styling_pairs()
    edited.occasions("SS26")
    edited.supplier_criteria()
    edited.ecommerce_factors()
