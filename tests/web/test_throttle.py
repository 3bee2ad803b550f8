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


def test_parallel_wrong_passwords_are_counted_before_checking(world, live_server, monkeypatch):
    """12 wrong passwords for one e-mail sent at once: at most 5 get their password checked;
    the rest are refused with 429 (the attempt is counted before the slow check)."""
    import re
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    import microbag.web.auth as auth

    checked: list[str] = []
    real = auth.authenticate_password

    def slow_check(session, email, password):  # argon2id at production cost takes this long
        checked.append(email)
        time.sleep(0.3)
        return real(session, email, password)

    monkeypatch.setattr(auth, "authenticate_password", slow_check)
    attempts = 12
    start = threading.Barrier(attempts)

    def attempt(_n: int) -> int:
        with httpx.Client(base_url=live_server, timeout=30) as c:
            form = c.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token
            start.wait(timeout=30)
            data = {"email": "buyer@a.test", "password": WRONG, "csrf_token": token.group(1)}
            return c.post("/login", data=data).status_code

    with ThreadPoolExecutor(attempts) as pool:
        codes = list(pool.map(attempt, range(attempts)))
    assert sorted(codes) == [401] * throttle.MAX_FAILURES_PER_EMAIL + [429] * (
        attempts - throttle.MAX_FAILURES_PER_EMAIL
    ), codes
    assert len(checked) == throttle.MAX_FAILURES_PER_EMAIL
