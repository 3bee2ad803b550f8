"""Pure catalog rules: size classes, vocabularies, lifecycle, dimensions, holds, editions."""

from __future__ import annotations

from datetime import date

import pytest

from microbag.catalog import policies as p


@pytest.mark.parametrize(
    ("dims", "expected"),
    [
        ((100, 60, 30), "nano"),
        ((101, 60, 30), "micro"),
        ((160, 100, 40), "micro"),
        ((161, 100, 40), "mini"),
        ((230, 150, 60), "mini"),
        ((231, 150, 60), "small"),
        ((600, 600, 600), "small"),
        ((1, 1, 1), "nano"),
    ],
)
def test_size_class_boundaries(dims, expected):
    assert p.size_class(*dims) == expected


def test_size_class_uses_the_longest_side_whatever_the_orientation():
    assert p.size_class(40, 161, 30) == "mini"
    assert p.size_class(30, 40, 101) == "micro"


def test_6pm_aidie_mini_flap_crossbody_is_mini():
    # 6 3/4 x 5 x 2 3/4 inches, from the real 6pm data set's description.
    assert p.size_class(171, 127, 70) == "mini"


def test_main_bag_types_are_the_four_of_the_brief():
    assert p.MAIN_BAG_TYPES == ("micro_tote", "mini_crossbody", "belt_bag", "micro_clutch")
    assert set(p.MAIN_BAG_TYPES) <= set(p.BAG_TYPES)


def test_open_bag_type_vocabulary_takes_any_lowercase_slug():
    assert p.vocabulary_error("bag_type", "pouch") is None
    assert p.vocabulary_error("bag_type", "heart_shaped") is None
    for bad in ("Pouch", "pouch bag", "", "x" * 33, "1pouch", "pouch!"):
        error = p.vocabulary_error("bag_type", bad)
        assert error is not None and error.field == "bag_type", bad


def test_closed_vocabularies():
    for material in ("calfskin", "lambskin", "vegan_leather", "recycled_fabric", "canvas"):
        assert p.vocabulary_error("material", material) is None
    assert {"nylon", "pvc", "satin", "raffia"} <= set(p.MATERIALS)
    error = p.vocabulary_error("material", "unobtainium")
    assert error is not None and error.code == "unknown_material"
    assert p.PRICE_TIERS == ("luxury", "premium", "mass")
    assert p.OCCASIONS == ("casual", "formal", "festival", "commute", "bridal")
    assert p.vocabulary_error("occasion", "funeral") is not None
    assert p.vocabulary_error("price_tier", "cheap") is not None
    assert p.vocabulary_error("holds", "laptop") is not None


def test_material_aliases_and_normalisation():
    assert p.normalize_material("PU") == "vegan_leather"
    assert p.normalize_material("Vegan Leather") == "vegan_leather"
    assert p.normalize_material("recycled-fabric") == "recycled_fabric"
    assert p.normalize_slug("  Mini Crossbody ") == "mini_crossbody"


@pytest.mark.parametrize("season", ["SS26", "AW25", "holiday", "holiday26", "resort", "all_season"])
def test_valid_seasons(season):
    assert p.is_season(season)
    assert p.vocabulary_error("season", season) is None


@pytest.mark.parametrize("season", ["ss26", "SS2026", "summer", "", "AW", "holiday2026"])
def test_invalid_seasons(season):
    assert not p.is_season(season)


def test_season_normalisation():
    assert p.normalize_season("ss26") == "SS26"
    assert p.normalize_season("FW26") == "AW26"
    assert p.normalize_season("Holiday") == "holiday"


def test_lifecycle_transitions():
    assert p.lifecycle_error("draft", "active") is None
    assert p.lifecycle_error("active", "discontinued") is None
    assert p.lifecycle_error("discontinued", "active") is None
    assert p.lifecycle_error("active", "active") is None
    for current, target in [
        ("active", "draft"),
        ("discontinued", "draft"),
        ("draft", "discontinued"),
    ]:
        error = p.lifecycle_error(current, target)
        assert error is not None and error.code == "invalid_lifecycle_transition"


def test_dimension_sanity():
    assert p.dimension_errors(1, 600, 300, 0) == []
    assert p.dimension_errors(100, 100, 100, 5000) == []
    errors = p.dimension_errors(0, -5, 601, 5001)
    assert [e.field for e in errors] == ["width_mm", "height_mm", "depth_mm", "weight_g"]
    assert "negative or zero" in errors[1].message
    assert "absurd" in errors[2].message


def test_holds_grow_with_the_bag():
    tiny, phone = p.suggest_holds(60, 50, 25)  # a nano novelty bag
    assert tiny == [] and phone is None
    lipstick_only, _ = p.suggest_holds(95, 40, 32)
    assert lipstick_only == ["lipstick"]
    clutch, phone = p.suggest_holds(160, 100, 40)
    assert clutch == ["cards", "keys", "lipstick", "airpods", "phone"]
    assert phone == 150
    crossbody, phone = p.suggest_holds(200, 130, 60)
    assert "sunglasses" in crossbody and "phone" in crossbody and phone == 190


def test_no_phone_when_too_narrow_or_too_short():
    assert p.suggest_holds(200, 80, 40)[1] is None  # inner 70 mm < phone width 72
    assert p.suggest_holds(135, 100, 40)[1] is None  # inner 125 mm < shortest phone


def test_limited_edition_needs_drop_date_and_size():
    assert p.limited_edition_errors(True, date(2026, 5, 1), 500) == []
    codes = {e.code for e in p.limited_edition_errors(True, None, None)}
    assert codes == {"drop_date_required", "edition_size_required"}
    assert [e.code for e in p.limited_edition_errors(True, date(2026, 5, 1), 0)] == [
        "invalid_edition_size"
    ]
    assert [e.field for e in p.limited_edition_errors(False, date(2026, 5, 1), None)] == [
        "drop_date"
    ]
    assert p.limited_edition_errors(False, None, None) == []


def test_codes_and_search_text():
    assert p.is_code("MC-001-GLD") and p.is_code("9945780") and p.is_code("a.b_c")
    assert not p.is_code("-x") and not p.is_code("a b") and not p.is_code("a/b")
    assert not p.is_code("x" * 65)
    assert p.search_text("MC-001-GLD", "Gala  Clutch", "micro_clutch") == (
        "mc-001-gld gala clutch micro clutch"
    )
