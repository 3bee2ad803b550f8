"""The audit log's pure rules: only changed fields, plain JSON values, secrets redacted."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microbag.audit.policies import (
    MAX_TEXT,
    REDACTED,
    actor_text,
    changes,
    check_name,
    field_changes,
    hidden_entities,
    is_secret,
    plain,
)


def test_an_update_keeps_only_the_changed_fields():
    before = {"credit_limit_minor": 5_000_000, "payment_terms_days": 30, "name": "Atelier"}
    after = {"credit_limit_minor": 7_500_000, "payment_terms_days": 30, "name": "Atelier"}
    diff = changes(before, after)
    assert diff.before == {"credit_limit_minor": 5_000_000}
    assert diff.after == {"credit_limit_minor": 7_500_000}
    assert diff.fields() == ["credit_limit_minor"]


def test_a_field_on_one_side_only_counts_as_changed():
    diff = changes({"a": 1}, {"a": 1, "b": None})
    assert (diff.before, diff.after) == ({}, {"b": None})


def test_creation_and_deletion_leave_out_empty_values():
    created = changes(None, {"name": "Default EUR", "segment": None, "is_active": True})
    assert (created.before, created.after) == ({}, {"name": "Default EUR", "is_active": True})
    deleted = changes({"moq": 12, "tiers": [[12, 4500]], "note": None}, None)
    assert (deleted.before, deleted.after) == ({"moq": 12, "tiers": [[12, 4500]]}, {})


def test_one_and_true_are_different_values():
    diff = changes({"flag": 1}, {"flag": True})
    assert (diff.before, diff.after) == ({"flag": 1}, {"flag": True})
    assert changes({"tiers": [[6, 1]]}, {"tiers": [[6, True]]}).fields() == ["tiers"]


def test_secrets_are_compared_but_never_stored():
    diff = changes(
        {"password_hash": "$argon2id$old", "role": "buyer", "token_hash": "abc"},
        {"password_hash": "$argon2id$new", "role": "buyer", "token_hash": "abc"},
    )
    assert diff.before == {"password_hash": REDACTED} and diff.after == {"password_hash": REDACTED}
    assert "$argon2id" not in json.dumps([diff.before, diff.after])
    created = changes(None, {"email": "a@b.test", "password_hash": "$argon2id$x"})
    assert created.after == {"email": "a@b.test", "password_hash": REDACTED}
    # A secret that is unset on one side shows as none, not as redacted text.
    assert changes({"password_hash": None}, {"password_hash": "h"}).before == {
        "password_hash": None
    }


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("password_hash", True),
        ("token_hash", True),
        ("api_key", True),
        ("smtp_secret", True),
        ("hash", True),
        ("credit_limit_minor", False),
        ("email", False),
        ("hashtag", False),
    ],
)
def test_secret_field_names(name, secret):
    assert is_secret(name) is secret


def test_values_become_plain_json():
    moment = datetime(2026, 12, 5, 22, 0, tzinfo=UTC)
    assert plain(moment) == "2026-12-05T22:00:00+00:00"
    assert plain(date(2027, 3, 1)) == "2027-03-01"
    assert plain(Decimal("1.50")) == "1.50"
    assert plain({"b", "a"}) == ["a", "b"]
    assert plain(("x", 1)) == ["x", 1]
    assert plain({"k": (1, 2)}) == {"k": [1, 2]}
    long = plain("x" * (MAX_TEXT + 10))
    assert isinstance(long, str) and len(long) == MAX_TEXT + 1 and long.endswith("…")


def test_names_and_actor_labels():
    assert check_name("entity", "price_list_item") == "price_list_item"
    for bad in ("", "Price", "price-list", "x" * 41, "1st"):
        with pytest.raises(ValueError, match="snake_case"):
            check_name("entity", bad)
    assert actor_text("sales@seller.test", "") == "sales@seller.test"
    assert actor_text(None, "cli") == "cli"
    assert actor_text(None, "  ") == "system"


def test_only_admins_and_the_cli_see_user_entries():
    assert hidden_entities("admin") == frozenset()
    assert hidden_entities(None) == frozenset()
    assert hidden_entities("sales") == {"user"}
    assert hidden_entities("merchandiser") == {"user"}


def test_field_changes_read_as_text():
    rows = field_changes({"a": None, "b": True, "t": [[12, 4500]]}, {"a": 3, "t": [[24, 4200]]})
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("a", "(none)", "3"),
        ("b", "yes", "—"),
        ("t", "[[12, 4500]]", "[[24, 4200]]"),
    ]


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=5,
)
_records = st.dictionaries(
    st.sampled_from(["moq", "name", "password_hash", "token", "tiers", "is_active"]),
    _values,
    max_size=6,
)


# The machine is shared by parallel runs: generation can be slow, the rule is not.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records, _records)
def test_changes_invariants(before, after):
    diff = changes(before, after)

    # A field is kept exactly when one side lacks it or its JSON differs.
    def as_json(value):
        return json.dumps(plain(value), sort_keys=True)

    differing = {
        name
        for name in set(before) | set(after)
        if name not in before or name not in after or as_json(before[name]) != as_json(after[name])
    }
    assert set(diff.fields()) == differing
    assert set(diff.before) <= set(before) and set(diff.after) <= set(after)
    # Secrets never appear in clear.
    for side in (diff.before, diff.after):
        for name, value in side.items():
            if is_secret(name):
                assert value in (REDACTED, None)
    # Unchanged input means no change at all.
    assert changes(before, dict(before)).empty
