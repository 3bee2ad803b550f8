"""The portal fixtures of tests/web (signed-in clients, Debian's Chromium) for the suggested
order pages, and a stand-in ranking model so the pages' tests do not depend on fitting."""

from __future__ import annotations

import pytest

from microbag.suggestions import company
from tests.suggestions.company_world import StubModel, blocked_world
from tests.web.conftest import (
    _cheap_argon2,
    browser_page,
    browser_type_launch_args,
    new_client,
    pytest_collection_modifyitems,
    signed_in,
)

__all__ = [
    "_cheap_argon2",
    "blocked_world",
    "browser_page",
    "browser_type_launch_args",
    "new_client",
    "pytest_collection_modifyitems",
    "signed_in",
]


@pytest.fixture
def stub(monkeypatch):
    model = StubModel([("MC-001-GLD", 10), ("OFF-RED", 50), ("MT-001-RED", 30), ("EXP-RED", 12)])
    monkeypatch.setattr(company, "model_for", lambda session: model)
    return model
