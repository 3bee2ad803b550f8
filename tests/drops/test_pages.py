"""The drops pages over HTTP: staff create (form errors next to fields), open, move the
embargo, preview and allocate; buyers see eligible drops with a countdown, request,
withdraw, and after the drop their allocation and order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from microbag.timeutil import utcnow
from tests.web.conftest import csrf_from, sign_in


@pytest.fixture
def browser(app, world) -> Iterator[Callable[[str], TestClient]]:
    clients: list[TestClient] = []

    def make(email: str) -> TestClient:
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        assert sign_in(c, email).status_code == 303
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def _post(client: TestClient, page: str, url: str, data: dict) -> object:
    token = csrf_from(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def _create(staff: TestClient, **extra) -> int:
    embargo = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    data = {
        "name": "Gala Gold",
        "embargo": embargo,
        "sku_1": "MC-001-GLD",
        "edition_1": "24",
        "cap_1": "18",
        "open": "1",
        **extra,
    }
    r = _post(staff, "/staff/drops/new", "/staff/drops/new", data)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[3].split("?")[0])


def test_staff_form_shows_errors_next_to_fields(browser):
    staff = browser("merch@seller.test")
    r = _post(
        staff,
        "/staff/drops/new",
        "/staff/drops/new",
        {"name": "X", "embargo": "soon", "sku_1": "MC-001-GLD", "edition_1": "25"},
    )
    assert r.status_code == 422
    assert "Enter the embargo date and time (UTC)." in r.text
    r = _post(
        staff,
        "/staff/drops/new",
        "/staff/drops/new",
        {"name": "X", "embargo": "2030-01-01T10:00", "sku_1": "MC-001-GLD", "edition_1": "25"},
    )
    assert r.status_code == 422 and 'id="f-sku_1-error"' in r.text
    assert "not whole case packs of 6" in r.text


def test_sales_reads_but_may_not_create(browser):
    sales = browser("sales@seller.test")
    assert sales.get("/staff/drops").status_code == 200
    assert sales.get("/staff/drops/new").status_code == 403


def test_drop_pages_from_request_to_order(browser, world, pass_embargo):
    staff = browser("admin@seller.test")
    drop_id = _create(staff, region=["europe"])
    page = staff.get(f"/staff/drops/{drop_id}").text
    assert "Open" in page and "regions Europe" in page
    buyer = browser("buyer@a.test")
    listing = buyer.get("/drops").text
    assert "Gala Gold" in listing and "data-countdown" in listing
    assert "No drops for your company" in browser("buyer@b.test").get("/drops").text
    assert browser("buyer@b.test").get(f"/drops/{drop_id}").status_code == 404
    bad = _post(buyer, f"/drops/{drop_id}", f"/drops/{drop_id}/requests", {"qty_MC-001-GLD": "7"})
    assert bad.status_code == 422 and 'id="f-qty_MC-001-GLD-error"' in bad.text
    ok = _post(buyer, f"/drops/{drop_id}", f"/drops/{drop_id}/requests", {"qty_MC-001-GLD": "18"})
    assert ok.status_code == 303
    assert 'value="18"' in buyer.get(f"/drops/{drop_id}").text
    gone = _post(buyer, f"/drops/{drop_id}", f"/drops/{drop_id}/withdraw", {})
    assert gone.status_code == 303
    _post(buyer, f"/drops/{drop_id}", f"/drops/{drop_id}/requests", {"qty_MC-001-GLD": "12"})
    preview = staff.get(f"/staff/drops/{drop_id}/allocate").text
    assert 'id="not-yet"' in preview and "Atelier Petit" in preview
    pass_embargo(drop_id)
    preview = staff.get(f"/staff/drops/{drop_id}/allocate").text
    assert 'id="not-yet"' not in preview and "Allocate now" in preview
    r = _post(staff, f"/staff/drops/{drop_id}/allocate", f"/staff/drops/{drop_id}/allocate", {})
    assert r.status_code == 303
    detail = staff.get(f"/staff/drops/{drop_id}").text
    assert 'id="drop-allocations"' in detail and "/staff/orders/" in detail
    mine = buyer.get(f"/drops/{drop_id}").text
    assert 'id="order-link"' in mine and 'id="allocated-units">12<' in mine


def test_staff_move_the_embargo(browser):
    staff = browser("merch@seller.test")
    drop_id = _create(staff)
    later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    r = _post(
        staff, f"/staff/drops/{drop_id}", f"/staff/drops/{drop_id}/embargo", {"embargo": later}
    )
    assert r.status_code == 303
    assert "Embargo moved." in staff.get(f"/staff/drops/{drop_id}?done=embargo").text
