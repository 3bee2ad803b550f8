"""Suggested orders over the HTTP API: the buyer's own, staff per company, send, cart, quote."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from microbag.history.models import SalesLine
from microbag.suggestions import company

from .company_world import NOT_ORDERABLE, ORDERABLE, StubModel, blocked_world

__all__ = ["blocked_world"]


@pytest.fixture
def stub(monkeypatch):
    model = StubModel([("MC-001-GLD", 10), ("OFF-RED", 50), ("MT-001-RED", 30), ("EXP-RED", 12)])
    monkeypatch.setattr(company, "model_for", lambda session: model)
    return model


def test_buyer_gets_own_orderable_suggestion_with_reasons(client, blocked_world, stub):
    r = client.get(
        "/api/v1/suggestions?top=10&horizon_weeks=6", headers=blocked_world.auth("viewer@a.test")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["company_id"] == blocked_world.company_a
    skus = [x["sku"] for x in body["lines"]]
    assert set(skus) <= ORDERABLE and not set(skus) & NOT_ORDERABLE
    assert skus[:2] == ["MC-001-GLD", "MT-001-RED"]
    first = body["lines"][0]
    assert first["reasons"] == ["reordered MC-001-GLD often"]
    assert first["units"] % 6 == 0
    assert first["rules"]  # raised to the MOQ / the minimum order value
    assert first["unit_price"]["currency"] == "EUR"
    assert body["horizon_weeks"] == 6
    assert stub.calls[0]["buyer_ref"] == str(blocked_world.company_a)


def test_budget_is_kept_and_bad_params_are_422(client, blocked_world, stub):
    auth = blocked_world.auth("buyer@a.test")
    r = client.get("/api/v1/suggestions?budget_minor=50000", headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["total"]["amount_minor"] <= 50_000
    assert r.json()["cap_kind"] == "budget"
    r = client.get("/api/v1/suggestions?top=0", headers=auth)
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"]


def test_staff_reads_any_company_and_buyers_cannot(client, blocked_world, stub):
    path = f"/api/v1/companies/{blocked_world.company_a}/suggestions"
    r = client.get(path, headers=blocked_world.auth("merch@seller.test"))
    assert r.status_code == 200, r.text
    assert r.json()["company"] == "Atelier Petit (Paris)"
    assert client.get(path, headers=blocked_world.auth("owner@a.test")).status_code == 403
    r = client.get(
        "/api/v1/companies/999/suggestions", headers=blocked_world.auth("sales@seller.test")
    )
    assert r.status_code == 404


def test_send_then_the_buyer_sees_it_and_others_do_not(client, blocked_world, stub):
    a = blocked_world.company_a
    r = client.post(
        f"/api/v1/companies/{a}/suggestions/send",
        json={"top": 5, "note": "Spring reorder"},
        headers=blocked_world.auth("sales@seller.test"),
    )
    assert r.status_code == 201, r.text
    sent = r.json()
    assert sent["note"] == "Spring reorder" and sent["sent_by"] == "sales@seller.test"
    r = client.post(
        f"/api/v1/companies/{a}/suggestions/send",
        json={},
        headers=blocked_world.auth("merch@seller.test"),
    )
    assert r.status_code == 403
    mine = client.get("/api/v1/suggestions/sent", headers=blocked_world.auth("viewer@a.test"))
    assert mine.json()["total"] == 1
    assert mine.json()["items"][0]["lines"][0]["reasons"] == ["reordered MC-001-GLD often"]
    one = client.get(
        f"/api/v1/suggestions/sent/{sent['id']}", headers=blocked_world.auth("buyer@a.test")
    )
    assert one.status_code == 200
    other = client.get(
        f"/api/v1/suggestions/sent/{sent['id']}", headers=blocked_world.auth("buyer@b.test")
    )
    assert other.status_code == 404
    assert other.json()["errors"][0]["code"] == "unknown_suggestion"
    theirs = client.get("/api/v1/suggestions/sent", headers=blocked_world.auth("buyer@b.test"))
    assert theirs.json()["total"] == 0
    staff = client.get(
        f"/api/v1/companies/{a}/suggestions/sent", headers=blocked_world.auth("merch@seller.test")
    )
    assert staff.json()["items"][0]["id"] == sent["id"]


def test_to_cart_and_to_quote_in_one_step(client, blocked_world, stub):
    auth = blocked_world.auth("buyer@a.test")
    r = client.post("/api/v1/suggestions/to-cart", json={"top": 5}, headers=auth)
    assert r.status_code == 200, r.text
    cart = r.json()
    assert [x["sku"] for x in cart["lines"]] == ["MC-001-GLD", "MT-001-RED"]
    assert cart["ok"] is True, cart["errors"]
    assert cart["total"]["currency"] == "EUR"
    # Only some lines, from the live suggestion.
    r = client.post("/api/v1/suggestions/to-cart", json={"skus": ["MT-001-RED"]}, headers=auth)
    assert [x["sku"] for x in r.json()["lines"]] == ["MT-001-RED"]
    r = client.post("/api/v1/suggestions/to-quote", json={"skus": ["MT-001-RED"]}, headers=auth)
    assert r.status_code == 201, r.text
    quote = r.json()
    assert quote["status"] == "requested"
    assert [x["sku"] for x in quote["lines"]] == ["MT-001-RED"]
    assert quote["notes"] == "From your suggested order."
    viewer = client.post(
        "/api/v1/suggestions/to-quote", json={}, headers=blocked_world.auth("viewer@a.test")
    )
    assert viewer.status_code == 403


def test_a_sent_suggestion_becomes_a_cart(client, blocked_world, stub):
    sent = client.post(
        f"/api/v1/companies/{blocked_world.company_a}/suggestions/send",
        json={"top": 1},
        headers=blocked_world.auth("sales@seller.test"),
    ).json()
    r = client.post(
        "/api/v1/suggestions/to-cart",
        json={"sent_id": sent["id"]},
        headers=blocked_world.auth("owner@a.test"),
    )
    assert r.status_code == 200, r.text
    assert [x["sku"] for x in r.json()["lines"]] == ["MC-001-GLD"]
    r = client.post(
        "/api/v1/suggestions/to-cart",
        json={"sent_id": sent["id"]},
        headers=blocked_world.auth("owner@b.test"),
    )
    assert r.status_code == 404


def test_customer_links_over_the_api(client, db, blocked_world, stub):
    with db.session(write=True) as s:
        s.add(
            SalesLine(
                batch_id=1,
                source="test",
                external_invoice="X1",
                sku_code="MT-001-RED",
                quantity=12,
                unit_price_minor=100,
                currency="GBP",
                invoiced_at=datetime(2024, 5, 1, tzinfo=UTC),
                customer_ref="17850",
                region="europe",
            )
        )
    a = blocked_world.company_a
    sales = blocked_world.auth("sales@seller.test")
    r = client.post(
        f"/api/v1/companies/{a}/customer-links", json={"customer_ref": "17850"}, headers=sales
    )
    assert r.status_code == 201, r.text
    assert r.json()[0]["customer_ref"] == "17850" and r.json()[0]["sales_lines"] == 1
    r = client.post(
        f"/api/v1/companies/{a}/customer-links", json={"customer_ref": "nope"}, headers=sales
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "unknown_customer_ref"
    client.get("/api/v1/suggestions", headers=blocked_world.auth("buyer@a.test"))
    assert stub.calls[-1]["also_refs"] == ("17850",)
    r = client.delete(f"/api/v1/companies/{a}/customer-links/17850", headers=sales)
    assert r.status_code == 204
    r = client.get(f"/api/v1/companies/{a}/customer-links", headers=sales)
    assert r.json() == []
