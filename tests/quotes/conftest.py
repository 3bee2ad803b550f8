"""Fixtures for quote tests: principals by e-mail and quotes at each step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache

import pytest

from microbag.accounts.service import Principal, hash_password, principal_for_token
from microbag.db import Database
from microbag.quotes import service
from microbag.quotes.models import Quote

from .. import factories
from ..factories import World

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 500
PDF = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n%%EOF\n"


@lru_cache(maxsize=8)
def _hash_once(password: str) -> str:
    return hash_password(password)


@pytest.fixture(autouse=True)
def _one_argon2_hash_per_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """build_world hashes every user's password; the same real hash serves them all."""
    monkeypatch.setattr(factories, "hash_password", _hash_once)


@pytest.fixture
def who(db: Database, world: World) -> Callable[[str], Principal]:
    """``who("buyer@a.test")`` -> that user's Principal."""

    def get(email: str) -> Principal:
        with db.session() as s:
            p = principal_for_token(s, world.tokens[email])
        assert p is not None
        return p

    return get


@pytest.fixture
def make_quote(db: Database, who: Callable[[str], Principal]) -> Callable[..., int]:
    """Create a quote as buyer@a.test (2 lines, below MOQ); optionally answer it."""

    def make(
        *,
        email: str = "buyer@a.test",
        kind: str = "quote",
        answered: bool = False,
        prices: tuple[int, int] = (3_900, 4_100),
        valid_days: int = 30,
    ) -> int:
        with db.session(write=True) as s:
            q = service.request_quote(
                s,
                who(email),
                [{"sku": "MC-001-GLD", "quantity": 2}, {"sku": "MT-001-RED", "quantity": 3}],
                kind=kind,
                customization={"logo": "blind deboss on the flap"} if kind == "oem" else None,
            )
            quote_id = q.id
        if answered:
            with db.session(write=True) as s:
                service.answer_quote(
                    s,
                    who("sales@seller.test"),
                    quote_id,
                    [
                        {"line_no": 1, "unit_price_minor": prices[0]},
                        {"line_no": 2, "unit_price_minor": prices[1]},
                    ],
                    lead_time_days=21,
                    valid_until=service.today_utc() + timedelta(days=valid_days),
                    note="blind deboss included",
                )
        return quote_id

    return make


def expire(db: Database, quote_id: int) -> None:
    """Move an answered quote's validity into the past (as if time had passed)."""
    with db.session(write=True) as s:
        q = s.get(Quote, quote_id)
        assert q is not None and q.status == "answered"
        q.valid_until = service.today_utc() - timedelta(days=1)
