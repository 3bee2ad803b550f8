"""The staff reorder page: the suggestions table at a service level, draft purchase
orders in one step (merchandiser), from a range plan, read-only for sales, buyers out."""

from __future__ import annotations

from tests.web.conftest import _cheap_argon2, csrf_from, new_client, signed_in

from .test_drafts import add_plan, two_suppliers

__all__ = ["_cheap_argon2", "new_client", "signed_in"]


def test_merchandiser_sees_suggestions_and_creates_drafts(db, world, signed_in) -> None:
    two_suppliers(db, world)
    merch = signed_in("merch@seller.test")
    page = merch.get("/staff/reorder?service_level=95%25")
    assert page.status_code == 200, page.text
    assert 'id="reorder-lines"' in page.text and 'data-sku="MT-001-RED"' in page.text
    assert "VN-01" in page.text and 'id="create-drafts"' in page.text
    answer = merch.post(
        "/staff/reorder/drafts",
        data={
            "service_level": "0.95",
            "warehouse": "",
            "supplier": "",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    done = merch.get(answer.headers["location"])
    assert 'id="drafts-made"' in done.text and "/staff/purchase-orders/" in done.text
    assert "2 draft purchase orders made" in done.text


def test_bad_service_level_is_shown_and_sales_only_read(db, world, signed_in) -> None:
    two_suppliers(db, world)
    merch = signed_in("merch@seller.test")
    bad = merch.get("/staff/reorder?service_level=abc")
    assert bad.status_code == 200 and "Enter a service level" in bad.text
    sales = signed_in("sales@seller.test")
    page = sales.get("/staff/reorder")
    assert page.status_code == 200 and 'id="reorder-lines"' in page.text
    assert 'id="create-drafts"' not in page.text and 'id="plan-drafts-form"' not in page.text
    refused = sales.post("/staff/reorder/drafts", data={"csrf_token": csrf_from(page.text)})
    assert refused.status_code == 403


def test_range_plan_form(db, world, signed_in) -> None:
    two_suppliers(db, world)
    plan_id = add_plan(db, {"MT-001-RED": 37})
    merch = signed_in("merch@seller.test")
    token = csrf_from(merch.get("/staff/reorder").text)
    bad = merch.post("/staff/reorder/range-plan-drafts", data={"plan_id": "x", "csrf_token": token})
    assert bad.status_code == 422 and "Enter the number of a saved range plan" in bad.text
    answer = merch.post(
        "/staff/reorder/range-plan-drafts",
        data={"plan_id": str(plan_id), "plan_warehouse": "MAIN", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    done = merch.get(answer.headers["location"])
    assert "1 draft purchase order made" in done.text


def test_buyers_are_kept_out(db, world, signed_in) -> None:
    buyer = signed_in("buyer@a.test")
    r = buyer.get("/staff/reorder", follow_redirects=False)
    assert r.status_code in (303, 403)
