"""Helpers for catalog tests: a database fingerprint to prove imports changed nothing."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from microbag.catalog.models import Sku, Style, StyleOccasion


def catalog_fingerprint(db) -> str:
    """A hash of every catalog row: equal before and after means nothing was written."""
    digest = hashlib.sha256()
    with db.session() as s:
        for model in (Style, Sku, StyleOccasion):
            table = model.__table__
            for row in s.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture
def fingerprint():
    return catalog_fingerprint
