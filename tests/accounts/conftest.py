"""Fixtures shared by the accounts, buyers, pricing and stock tests."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import pytest

import tests.factories as factories
from microbag.accounts.service import hash_password


@lru_cache(maxsize=8)
def _cached_hash(password: str) -> str:
    return hash_password(password)


@pytest.fixture(autouse=True)
def fast_password_hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """build_world hashes the same password for ten users; argon2id is slow by design
    (~0.3 s each on a busy CI machine), so hash it once. Each hash stays a real argon2id
    hash of the same password, so logging in behaves exactly the same."""
    monkeypatch.setattr(factories, "hash_password", _cached_hash)
    yield
