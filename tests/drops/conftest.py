"""Fixtures of the drops tests: principals, a drop of the test world's SKUs, moving a
drop's embargo into the past (the clock cannot be moved for placement's gate)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import update

from microbag.accounts.service import Principal, get_user_by_email, principal_of
from microbag.db import Database
from microbag.drops import service
from microbag.drops.models import Drop
from microbag.drops.schemas import DropIn, DropSkuIn, RequestLineIn
from microbag.timeutil import utcnow


@pytest.fixture
def who(db: Database) -> Callable[[str], Principal]:
    def get(email: str) -> Principal:
        with db.session() as s:
            return principal_of(get_user_by_email(s, email))

    return get


@pytest.fixture
def make_drop(db: Database, who) -> Callable[..., int]:
    """An open drop of MC-001-GLD (edition 36, cap 24, case pack 6) and optionally
    MT-001-RED, its embargo an hour ahead; returns its id."""

    def make(*, edition: int = 36, cap: int = 24, regions: tuple[str, ...] = (), **extra) -> int:
        skus = [DropSkuIn(sku="MC-001-GLD", edition_size=edition, buyer_cap=cap, case_pack=6)]
        skus += extra.pop("more", [])
        data = DropIn(
            name="Gala Gold Edition",
            embargo_at=utcnow() + timedelta(hours=1),
            regions=list(regions),
            skus=skus,
            **extra,
        )
        with db.session(write=True) as s:
            drop = service.create_drop(s, who("merch@seller.test"), data)
            service.open_drop(s, who("merch@seller.test"), drop.id)
            return drop.id

    return make


@pytest.fixture
def request_units(db: Database, who) -> Callable[[str, int, list[tuple[str, int]]], None]:
    def send(email: str, drop_id: int, lines: list[tuple[str, int]]) -> None:
        with db.session(write=True) as s:
            service.set_requests(
                s, who(email), drop_id, [RequestLineIn(sku=k, quantity=q) for k, q in lines]
            )

    return send


@pytest.fixture
def pass_embargo(db: Database) -> Callable[[int], None]:
    def move(drop_id: int) -> None:
        with db.session(write=True) as s:
            s.execute(
                update(Drop)
                .where(Drop.id == drop_id)
                .values(embargo_at=utcnow() - timedelta(seconds=1))
            )

    return move
