"""Sign-in throttling after repeated failures, per e-mail and per client address."""

from __future__ import annotations

from datetime import timedelta

from microbag.timeutil import utcnow
from microbag.web import throttle

from .conftest import sign_in

WRONG = "definitely wrong"


def test_five_failures_for_one_email_block_even_the_right_password(world, new_client):
    c = new_client()
    for _ in range(throttle.MAX_FAILURES_PER_EMAIL):
        assert sign_in(c, "buyer@a.test", WRONG).status_code == 401
    r = sign_in(c, "buyer@a.test")
    assert r.status_code == 429
    assert "Too many failed sign-in attempts" in r.text
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60 + 1
    # Another account from the same address is not blocked yet.
    assert sign_in(c, "buyer@b.test").status_code == 303


def test_a_success_clears_the_email_failures(world, new_client):
    c = new_client()
    for _ in range(throttle.MAX_FAILURES_PER_EMAIL - 1):
        sign_in(c, "owner@a.test", WRONG)
    assert sign_in(c, "owner@a.test").status_code == 303
    other = new_client()
    for _ in range(throttle.MAX_FAILURES_PER_EMAIL - 1):
        assert sign_in(other, "owner@a.test", WRONG).status_code == 401
    assert sign_in(other, "owner@a.test").status_code == 303


def test_many_failures_from_one_address_block_it(world, db):
    now = utcnow()
    with db.session(write=True) as s:
        for i in range(throttle.MAX_FAILURES_PER_IP):
            throttle.record_failure(s, f"user{i}@x.test", "10.0.0.9", now=now)
    with db.session() as s:
        blocked = throttle.check(s, "fresh@x.test", "10.0.0.9", now=now)
        other = throttle.check(s, "fresh@x.test", "10.0.0.10", now=now)
    assert blocked is not None and blocked.reason == "ip"
    assert other is None


def test_failures_older_than_the_window_do_not_count(world, db):
    start = utcnow()
    with db.session(write=True) as s:
        for _ in range(throttle.MAX_FAILURES_PER_EMAIL):
            throttle.record_failure(s, "buyer@a.test", "1.2.3.4", now=start)
    with db.session() as s:
        now_blocked = throttle.check(s, "Buyer@A.test ", "9.9.9.9", now=start)
        later = throttle.check(
            s, "buyer@a.test", "9.9.9.9", now=start + throttle.WINDOW + timedelta(seconds=1)
        )
    assert now_blocked is not None and now_blocked.reason == "email"
    assert later is None
