"""Staged catalog imports live in the database: owner, size, expiry and clean-up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from microbag.accounts.models import User
from microbag.catalog import staging
from microbag.catalog.models import StagedImport
from microbag.timeutil import utcnow


def _user_ids(db) -> list[int]:
    with db.session() as s:
        return list(s.scalars(select(User.id).order_by(User.id)))


def _count(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(StagedImport)))


def test_stage_keeps_owner_size_and_expiry(db, world):
    merch, other = _user_ids(db)[:2]
    with db.session(write=True) as s:
        token = staging.stage(s, merch, b"a,b\n1,2\n", "catalog.csv")
    with db.session() as s:
        row = s.scalars(select(StagedImport)).one()
        assert (row.user_id, row.filename, row.size_bytes) == (merch, "catalog.csv", 8)
        assert row.created_at <= utcnow() < row.expires_at
        assert timedelta(hours=5) < row.expires_at - row.created_at <= timedelta(hours=6)
        assert staging.staged(s, merch, token) == (b"a,b\n1,2\n", "catalog.csv")
        assert staging.staged(s, other, token) is None  # not theirs
        assert staging.staged(s, merch, "x" * 32) is None
        assert staging.staged(s, merch, "../../etc/passwd") is None


def test_expired_files_are_not_found_and_are_swept(db, world):
    merch = _user_ids(db)[0]
    with db.session(write=True) as s:
        old = staging.stage(s, merch, b"old", "old.csv")
    with db.session(write=True) as s:
        s.execute(update(StagedImport).values(expires_at=utcnow() - timedelta(seconds=1)))
    with db.session() as s:
        assert staging.staged(s, merch, old) is None
    with db.session(write=True) as s:
        staging.stage(s, merch, b"new", "new.csv")  # staging sweeps the expired
    assert _count(db) == 1


def test_a_user_keeps_only_their_newest_files(db, world):
    merch, other = _user_ids(db)[:2]
    with db.session(write=True) as s:
        theirs = staging.stage(s, other, b"x", "x.csv")
    tokens = []
    for n in range(staging.MAX_PER_USER + 3):
        with db.session(write=True) as s:
            tokens.append(staging.stage(s, merch, b"%d" % n, f"{n}.csv"))
    with db.session() as s:
        kept = [t for t in tokens if staging.staged(s, merch, t) is not None]
        assert kept == tokens[-staging.MAX_PER_USER :]
        assert staging.staged(s, other, theirs) is not None


def test_unstage_removes_only_the_owners_file(db, world):
    merch, other = _user_ids(db)[:2]
    with db.session(write=True) as s:
        token = staging.stage(s, merch, b"x", "x.csv")
        staging.unstage(s, other, token)
    assert _count(db) == 1
    with db.session(write=True) as s:
        staging.unstage(s, merch, token)
    assert _count(db) == 0
