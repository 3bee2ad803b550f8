"""Attribute extraction: rules are data, checked on real descriptions (UCI and 6pm)."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path

import pytest

from microbag.trends.attributes import (
    catalog_bag_type,
    extract,
    extract_fields,
    load_rules,
    normalize_text,
    parse_rules,
    price_tier,
    vocabulary,
)

BAG_WORDS = re.compile(r"\b(BAG|TOTE|SHOPPER|PURSE|WALLET)\b")


@pytest.fixture(scope="module")
def uci_descriptions() -> list[str]:
    """Distinct descriptions of one real month (a small slice of the data set)."""
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / "online-retail-uci" / "online_retail_2011-11.csv.gz"
    if not path.is_file():
        pytest.skip("real data sets not present")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return sorted({r["Description"] for r in csv.DictReader(f) if r["Description"]})


@pytest.fixture(scope="module")
def sixpm_products() -> dict[str, list[str]]:
    """6pm product name -> row (13 fields: see its SOURCE.txt's CAUTION)."""
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / "6pm-handbags" / "handbags.csv"
    if not path.is_file():
        pytest.skip("real data sets not present")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    products: dict[str, list[str]] = {}
    for r in rows:
        assert len(r) == 13
        products.setdefault(r[1], r)
    return products


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JUMBO BAG RED RETROSPOT", {"bag_type": "bag", "size_class": "large", "color": "red"}),
        ("Aidie Mini Flap Crossbody", {"bag_type": "crossbody", "size_class": "mini"}),
        ("LUNCH BAG RED RETROSPOT", {"bag_type": "lunch_bag", "color": "red"}),
        ("TURQ ICE CREAM BUM BAG ", {"bag_type": "belt_bag", "color": "turquoise"}),
        ("LETS GO SHOPPING COTTON TOTE BAG", {"bag_type": "tote", "material": "cotton"}),
        ("SUMMER DAISIES BAG CHARM", {"bag_type": "bag_charm"}),
        ("PEG BAG APPLES DESIGN", {}),
        ("WHITE HANGING HEART T-LIGHT HOLDER", {"color": "white"}),
        (
            "Micro Nylon Belt Bag in Navy",
            {"bag_type": "belt_bag", "size_class": "micro", "color": "blue", "material": "nylon"},
        ),
        (
            "Nano Bucket, faux-leather, bridal",
            {
                "bag_type": "bucket",
                "size_class": "nano",
                "material": "vegan_leather",
                "occasion": ["bridal"],
            },
        ),
    ],
)
def test_examples(text: str, expected: dict[str, object]) -> None:
    assert extract(text) == expected


def test_masks_keep_patterns_from_becoming_colors() -> None:
    assert "color" not in extract("AIRLINE BAG VINTAGE JET SET")
    assert (
        extract("Rose Gold Chain Clutch").get("color") is None
        or extract("Rose Gold Chain Clutch").get("color") != "gold"
    )
    assert extract("PVC tote with leather trim")["material"] == "pvc"


def test_name_before_description() -> None:
    # The description mentions a "crossbody strap"; the product name says backpack.
    attrs = extract_fields("Lexington Shoulder Backpack", "Dark Clay", "with a crossbody strap")
    assert attrs["bag_type"] == "backpack" and attrs["color"] == "brown"


def test_real_uci_descriptions(uci_descriptions: list[str]) -> None:
    assert "JUMBO BAG RED RETROSPOT" in uci_descriptions
    assert extract("JUMBO BAG RED RETROSPOT") == {
        "bag_type": "bag",
        "size_class": "large",
        "color": "red",
    }
    bags = [d for d in uci_descriptions if BAG_WORDS.search(d)]
    assert len(bags) >= 100
    typed = [d for d in bags if "bag_type" in extract(d)]
    # Nearly every line that names a bag gets a type (masks drop peg bags, marbles...).
    assert len(typed) / len(bags) >= 0.9
    lunch = [d for d in uci_descriptions if d.startswith("LUNCH BAG")]
    assert lunch and all(extract(d)["bag_type"] == "lunch_bag" for d in lunch)
    jumbo = [d for d in uci_descriptions if re.match(r"JUMBO +BAG", d)]
    assert jumbo and all(extract(d).get("size_class") == "large" for d in jumbo)
    # Products that are no bags stay without a type.
    not_bags = [
        d
        for d in uci_descriptions
        if not re.search(
            r"BAG|TOTE|SHOPPER|PURSE|WALLET|POUCH|CASE|BACKPACK|RUCKSACK|CHARM|SATCHEL|CLUTCH|HOLDALL",
            d,
        )
    ]
    wrongly = [d for d in not_bags if "bag_type" in extract(d)]
    assert len(wrongly) <= len(not_bags) * 0.01, wrongly[:10]


def test_real_6pm_products(sixpm_products: dict[str, list[str]]) -> None:
    aidie = sixpm_products["Aidie Mini Flap Crossbody"]
    attrs = extract_fields(aidie[1], aidie[2], aidie[4])
    assert attrs == {
        "bag_type": "crossbody",
        "size_class": "mini",
        "color": "black",
        "material": "pvc",  # "Polyvinyl chloride construction", not the metal logo
    }
    typed = sum("bag_type" in extract_fields(r[1], r[2], r[4]) for r in sixpm_products.values())
    assert typed / len(sixpm_products) >= 0.95
    small_names = {
        name: r
        for name, r in sixpm_products.items()
        if re.search(r"\b(mini|micro|nano)\b", name, re.I)
    }
    assert len(small_names) >= 20
    for name, r in small_names.items():
        size = extract_fields(r[1], r[2], r[4]).get("size_class")
        assert size in ("mini", "micro", "nano"), name
    materials = [extract_fields(r[1], r[2], r[4]).get("material") for r in sixpm_products.values()]
    assert sum(m is not None for m in materials) / len(materials) >= 0.85


def test_rules_are_data_and_validated(tmp_path: Path) -> None:
    rules = load_rules()
    assert "crossbody" in vocabulary("bag_type") and "red" in vocabulary("color")
    custom = {
        "attributes": {
            "color": {"pick": "position", "rules": [{"value": "teal", "patterns": ["teal"]}]}
        }
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(custom))
    assert extract("TEAL BAG", load_rules(str(path))) == {"color": "teal"}
    assert extract("TEAL BAG", rules)["color"] == "turquoise"
    with pytest.raises(ValueError, match="bad pattern"):
        parse_rules({"attributes": {"color": {"rules": [{"value": "x", "patterns": ["(oops"]}]}}})
    with pytest.raises(ValueError, match="pick"):
        parse_rules({"attributes": {"color": {"pick": "random", "rules": []}}})


def test_helpers() -> None:
    assert normalize_text("Crème Cross-Body  BAG") == "creme cross body bag"
    assert catalog_bag_type("mini_crossbody") == "crossbody"
    assert catalog_bag_type("pouch") == "pouch"
    assert price_tier(250, "GBP") == "mass"
    assert price_tier(9_000, "GBP") == "premium"
    assert price_tier(500_000, "HKD") == "luxury"
    assert price_tier(100, "XAF") is None
