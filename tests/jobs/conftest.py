"""Job test helpers: handler kinds registered for a test only."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from microbag.jobs import registry


@pytest.fixture
def job_kind() -> Iterator[Callable[[str, registry.Handler], str]]:
    """Register ``handler`` under ``kind`` for this test (removed after)."""
    added: list[str] = []

    def add(kind: str, handler: registry.Handler) -> str:
        registry.HANDLERS[kind] = handler
        added.append(kind)
        return kind

    yield add
    for kind in added:
        registry.HANDLERS.pop(kind, None)
