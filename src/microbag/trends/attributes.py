"""Attribute extraction from free-text product descriptions, driven by rules as data.

The rules live in ``attribute_rules.json`` beside this module (see its ``_about`` and
docs/intelligence.md): per attribute, an ordered list of ``{value, patterns}`` and a
``pick`` mode. This module only interprets them, so adding a color or a bag type is a
data change. Everything here is pure (no database) and cached per rules file.

    >>> extract("JUMBO BAG RED RETROSPOT")
    {'bag_type': 'bag', 'size_class': 'large', 'color': 'red'}
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

# Single-valued attributes come back as a string; multi-valued ones ("pick": "all")
# as a sorted list.
Attributes = dict[str, Any]

ATTRIBUTES = ("bag_type", "size_class", "color", "material", "occasion")
_PICK_MODES = ("priority", "position", "all")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Rule:
    value: str | None
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class AttributeRules:
    name: str
    pick: str
    # One Rule per value (its patterns joined), in the order values first appear.
    rules: tuple[Rule, ...]
    # Any valued pattern at all: most texts name few attributes, so test this first.
    any_value: re.Pattern[str] | None = None

    @property
    def masks(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.value is None)

    @property
    def valued(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.value is not None)

    def values(self) -> list[str]:
        return [r.value for r in self.valued if r.value is not None]


@dataclass(frozen=True)
class RuleSet:
    strip: tuple[re.Pattern[str], ...]
    attributes: dict[str, AttributeRules]
    catalog_bag_types: dict[str, str]
    # currency -> {"premium": minor, "luxury": minor}
    price_tiers: dict[str, dict[str, int]]


def normalize_text(text: str) -> str:
    """``"Aidie Mini Flap Cross-Body"`` -> ``"aidie mini flap cross body"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", ascii_only.casefold()).strip()


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(rf"\b(?:{pattern})\b")
    except re.error as exc:
        raise ValueError(f"{where}: bad pattern {pattern!r}: {exc}") from exc


def parse_rules(data: dict[str, Any]) -> RuleSet:
    """Validate and compile a rules document (raises ValueError naming the bad part)."""
    attributes: dict[str, AttributeRules] = {}
    for name, spec in data.get("attributes", {}).items():
        pick = spec.get("pick", "priority")
        if pick not in _PICK_MODES:
            raise ValueError(f"attribute {name}: pick must be one of {_PICK_MODES}")
        # value -> its patterns, in first-seen order (a value may have several rules).
        grouped: dict[str | None, list[str]] = {}
        for i, rule in enumerate(spec.get("rules", [])):
            value = rule.get("value")
            if value is not None and not isinstance(value, str):
                raise ValueError(f"attribute {name} rule {i}: value must be text or null")
            patterns = rule.get("patterns", [])
            for pattern in patterns:
                _compile(pattern, f"attribute {name} rule {i}")
            grouped.setdefault(value, []).extend(patterns)
        rules = tuple(
            Rule(value, _compile("|".join(f"(?:{p})" for p in pats), f"attribute {name}"))
            for value, pats in grouped.items()
            if pats
        )
        valued = [f"(?:{p})" for value, pats in grouped.items() if value for p in pats]
        any_value = _compile("|".join(valued), f"attribute {name}") if valued else None
        attributes[name] = AttributeRules(name, pick, rules, any_value)
    strip = tuple(re.compile(p) for p in data.get("strip", []))
    catalog_types = {
        k: v for k, v in data.get("catalog_bag_types", {}).items() if not k.startswith("_")
    }
    tiers = {
        k: {tier: int(minor) for tier, minor in v.items()}
        for k, v in data.get("price_tiers", {}).items()
        if not k.startswith("_")
    }
    return RuleSet(strip, attributes, catalog_types, tiers)


@lru_cache(maxsize=8)
def load_rules(path: str | None = None) -> RuleSet:
    """The packaged rules, or those of ``path`` (a JSON file of the same layout)."""
    if path is None:
        text = resources.files("microbag.trends").joinpath("attribute_rules.json").read_text()
    else:
        text = Path(path).read_text(encoding="utf-8")
    return parse_rules(json.loads(text))


def _mask(text: str, rules: tuple[Rule, ...]) -> str:
    for rule in rules:
        text = rule.pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _pick(spec: AttributeRules, text: str) -> str | list[str] | None:
    if spec.any_value is None or not spec.any_value.search(text):
        return None
    text = _mask(text, spec.masks)
    if spec.pick == "all":
        found = {r.value for r in spec.valued if r.value and r.pattern.search(text)}
        return sorted(found) or None
    if spec.pick == "priority":
        for rule in spec.valued:
            if rule.pattern.search(text):
                return rule.value
        return None
    # "position": the earliest match; at the same start the longer one, then rule order.
    best: tuple[int, int, int] | None = None
    best_value: str | None = None
    for order, rule in enumerate(spec.valued):
        match = rule.pattern.search(text)
        if match is None:
            continue
        key = (match.start(), -(match.end() - match.start()), order)
        if best is None or key < best:
            best, best_value = key, rule.value
    return best_value


def _prepare(text: str, rules: RuleSet) -> str:
    normalized = normalize_text(text)
    for pattern in rules.strip:
        normalized = pattern.sub(" ", normalized)
    return normalized


def extract(text: str | None, rules: RuleSet | None = None) -> Attributes:
    """The attributes one text names; attributes it does not name are left out."""
    return extract_fields(text, rules=rules)


def extract_fields(*texts: str | None, rules: RuleSet | None = None) -> Attributes:
    """Attributes from several texts in precedence order (e.g. name, color, description).

    Each single-valued attribute comes from the first text that names it, so a
    product name's "Backpack" is not overruled by "crossbody strap" in the description;
    multi-valued ones collect from every text.
    """
    ruleset = rules or load_rules()
    prepared = [_prepare(t, ruleset) for t in texts if t]
    out: Attributes = {}
    for name, spec in ruleset.attributes.items():
        collected: set[str] = set()
        for text in prepared:
            value = _pick(spec, text)
            if value is None:
                continue
            if isinstance(value, list):
                collected.update(value)
                continue
            out[name] = value
            break
        if collected:
            out[name] = sorted(collected)
    return out


def price_tier(unit_price_minor: int, currency: str, rules: RuleSet | None = None) -> str | None:
    """luxury / premium / mass from a unit price; None for a currency without thresholds."""
    thresholds = (rules or load_rules()).price_tiers.get(currency)
    if thresholds is None:
        return None
    if unit_price_minor >= thresholds["luxury"]:
        return "luxury"
    if unit_price_minor >= thresholds["premium"]:
        return "premium"
    return "mass"


def catalog_bag_type(bag_type: str, rules: RuleSet | None = None) -> str:
    """A catalog bag type (``mini_crossbody``) in the extraction vocabulary (``crossbody``)."""
    return (rules or load_rules()).catalog_bag_types.get(bag_type, bag_type)


def vocabulary(attribute: str, rules: RuleSet | None = None) -> list[str]:
    """The values rules can produce for ``attribute`` (in rule order, no repeats)."""
    spec = (rules or load_rules()).attributes.get(attribute)
    if spec is None:
        return []
    return list(dict.fromkeys(spec.values()))
