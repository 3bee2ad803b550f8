"""The cart under parallel requests of one session: no change is lost."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.factories import PASSWORD

SKUS = ["MC-001-GLD", "MC-001-BLK", "MT-001-RED", "CB-001-TAN"]


def _signed_in(base_url: str, email: str) -> tuple[dict[str, str], str]:
    """Sign in over real HTTP; the session cookie and its CSRF token."""
    with httpx.Client(base_url=base_url, timeout=30) as c:
        form = c.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        r = c.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert r.status_code == 303, r.text
        page = c.get("/cart").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf
        return dict(c.cookies), csrf.group(1)


def test_parallel_adds_to_one_cart_are_all_kept(world, live_server, db):
    cookies, csrf = _signed_in(live_server, "buyer@a.test")
    adds = 12
    start = threading.Barrier(adds)

    def add(n: int) -> int:
        with httpx.Client(base_url=live_server, cookies=cookies, timeout=30) as c:
            start.wait(timeout=30)
            r = c.post("/cart/add", data={"csrf_token": csrf, "sku": SKUS[n % 4], "quantity": "1"})
            return r.status_code

    with ThreadPoolExecutor(adds) as pool:
        codes = list(pool.map(add, range(adds)))
    assert codes == [303] * adds

    from sqlalchemy import select

    from microbag.web.models import WebSession

    with db.session() as s:
        (data,) = s.scalars(select(WebSession.data)).all()
    kept = {line["sku"]: line["quantity"] for line in data["cart"]}
    assert kept == {sku: adds // 4 for sku in SKUS}, kept
