"""Suggested orders for a company against the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from microbag.accounts.principal import Principal
from microbag.errors import DomainError
from microbag.history.models import SalesLine
from microbag.suggestions import company, delivery
from microbag.suggestions.company import SuggestionParams, suggest_for_company
from microbag.suggestions.engine import BuyerProfile, SuggestionModel

from .company_world import NOT_ORDERABLE, ORDERABLE, TODAY, StubModel, blocked_world

__all__ = ["blocked_world"]

SALES = Principal(1, "sales@seller.test", "sales", None)
MERCH = Principal(2, "merch@seller.test", "merchandiser", None)


def everything() -> list[tuple[str, int]]:
    return [(code, 10) for code in sorted(NOT_ORDERABLE) + sorted(ORDERABLE)]


def test_never_offers_a_sku_the_buyer_cannot_order(db, blocked_world):
    stub = StubModel(everything())
    with db.session() as s:
        result = suggest_for_company(
            s, blocked_world.company_a, SuggestionParams(top=50), model=stub
        )
    # The engine was told exactly the orderable SKUs...
    assert stub.calls[0]["allowed"] == ORDERABLE
    assert stub.calls[0]["buyer_ref"] == str(blocked_world.company_a)
    # ...and what it returned beyond them never reaches the buyer.
    offered = {line.sku for line in result.lines} | {x.sku for x in result.left_out}
    assert offered <= ORDERABLE
    assert not offered & NOT_ORDERABLE
    assert result.not_orderable == len(NOT_ORDERABLE) - 1  # NOLIST-RED is not on the list at all
    why = {x.sku: x.reason for x in result.blocked}
    assert why["EMPTY-RED"].startswith("no stock, and none incoming by")
    assert why["EXP-RED"].startswith("test_report for europe expired on")
    assert set(why) == {"EMPTY-RED", "EXP-RED"}  # OFF-RED is not on sale: counted only


def test_the_real_engine_offers_only_orderable_skus(db, blocked_world):
    """Company A bought the blocked SKUs most; the engine still only ranks what it may order."""
    ref = str(blocked_world.company_a)
    rows = []
    for week in range(12):
        day = TODAY - timedelta(weeks=week + 1)
        for code in (*sorted(NOT_ORDERABLE), "MT-001-RED"):
            rows.append((ref, code, day, f"I{week}", 24))
    purchases = pl.DataFrame(
        rows, schema=["buyer_ref", "sku", "day", "invoice", "units"], orient="row"
    )
    profiles = {ref: BuyerProfile(ref, "europe", "boutique")}
    model = SuggestionModel.fit(purchases, profiles, TODAY, learn=False)
    with db.session() as s:
        result = suggest_for_company(
            s, blocked_world.company_a, SuggestionParams(top=20), model=model
        )
    offered = {line.sku for line in result.lines}
    assert "MT-001-RED" in offered
    assert offered <= ORDERABLE


def test_a_required_document_missing_blocks_the_sku(db, blocked_world):
    stub = StubModel(everything())
    required = {"europe": ("test_report",)}
    with db.session() as s:
        suggest_for_company(s, blocked_world.company_a, model=stub, required_documents=required)
    # Only MC-001-BLK carries a valid European test report.
    assert stub.calls[0]["allowed"] == {"MC-001-BLK"}


def test_quantities_follow_terms_and_say_why(db, blocked_world):
    stub = StubModel([("MC-001-GLD", 5), ("INC-RED", 100)], obey=True)
    with db.session() as s:
        result = suggest_for_company(s, blocked_world.company_a, model=stub)
    by_sku = {line.sku: line for line in result.lines}
    gld = by_sku["MC-001-GLD"]
    assert gld.units % 6 == 0 and gld.units >= 6
    assert gld.reasons == ("reordered MC-001-GLD often",)
    assert any("minimum order quantity" in r or "minimum order value" in r for r in gld.rules)
    inc = by_sku["INC-RED"]
    assert inc.units == 60  # only the incoming batch, by the ship window
    assert "trimmed to the 60 available by the ship window" in inc.rules
    assert inc.rules[-1].startswith("0 in stock now; the rest arrives by")
    assert result.total_minor == sum(x.total_minor for x in result.lines)
    assert result.total_minor >= result.minimum_minor or result.below_minimum


def test_budget_and_credit_cap_the_total(db, blocked_world):
    stub = StubModel([("MC-001-GLD", 60), ("MT-001-RED", 60)], obey=True)
    with db.session() as s:
        result = suggest_for_company(
            s, blocked_world.company_a, SuggestionParams(budget_minor=100_000), model=stub
        )
    assert result.total_minor <= 100_000
    assert result.cap_kind == "budget"


def test_bad_params_are_422(db, world):
    with db.session() as s, pytest.raises(DomainError) as exc:
        suggest_for_company(s, world.company_a, SuggestionParams(top=0, horizon_weeks=99))
    assert {i.code for i in exc.value.items} == {"invalid_top", "invalid_horizon"}


def _import_customer(s, ref: str) -> None:
    s.add(
        SalesLine(
            batch_id=1,
            source="test",
            external_invoice="X1",
            sku_code="MT-001-RED",
            quantity=12,
            unit_price_minor=100,
            currency="GBP",
            invoiced_at=datetime(2024, 5, 1, 10, tzinfo=UTC),
            customer_ref=ref,
            country="GB",
            region="europe",
        )
    )
    s.flush()


def test_linked_customer_history_is_pooled(db, blocked_world):
    a = blocked_world.company_a
    with db.session(write=True) as s:
        _import_customer(s, "17850")
        with pytest.raises(DomainError) as exc:
            delivery.link_customer(s, SALES, a, "99999")
        assert exc.value.items[0].code == "unknown_customer_ref"
        with pytest.raises(DomainError) as exc:
            delivery.link_customer(s, MERCH, a, "17850")
        assert exc.value.status == 403
        delivery.link_customer(s, SALES, a, "17850")
        delivery.link_customer(s, SALES, a, "17850")  # again: no change
        with pytest.raises(DomainError) as exc:
            delivery.link_customer(s, SALES, blocked_world.company_b, "17850")
        assert exc.value.items[0].code == "customer_ref_linked"
    stub = StubModel([("MT-001-RED", 12)], obey=True)
    with db.session() as s:
        result = suggest_for_company(s, a, model=stub)
        linked = delivery.linked_customers(s, a)
    assert stub.calls[0]["also_refs"] == ("17850",)
    assert result.linked_refs == ("17850",)
    assert linked[0].customer_ref == "17850" and linked[0].sales_lines == 1
    with db.session(write=True) as s:
        delivery.unlink_customer(s, SALES, a, "17850")
        assert company.linked_refs(s, a) == []


def test_sent_suggestions_are_the_companys_own(db, blocked_world):
    stub = StubModel([("MC-001-GLD", 12)], obey=True)
    a, b = blocked_world.company_a, blocked_world.company_b
    with db.session(write=True) as s:
        suggestion = suggest_for_company(s, a, model=stub)
        sent = delivery.send_suggestion(s, SALES, suggestion, "For the spring window")
        sent_id = sent.id
    buyer_a = Principal(10, "buyer@a.test", "buyer", a)
    buyer_b = Principal(11, "buyer@b.test", "buyer", b)
    with db.session() as s:
        rows, total = delivery.list_sent(s, buyer_a, a)
        assert total == 1 and rows[0].lines[0]["sku"] == "MC-001-GLD"
        assert rows[0].lines[0]["reasons"] == ["reordered MC-001-GLD often"]
        assert delivery.get_sent(s, buyer_a, sent_id).note == "For the spring window"
        with pytest.raises(DomainError) as exc:
            delivery.get_sent(s, buyer_b, sent_id)
        assert exc.value.status == 404
        with pytest.raises(DomainError):
            delivery.list_sent(s, buyer_b, a)


def test_model_cache_is_per_database(db, monkeypatch):
    built = []

    def fit(session):
        built.append(1)
        return StubModel([])

    monkeypatch.setattr(company, "fit_model", fit)
    company.forget_models()
    with db.session() as s:
        first = company.model_for(s)
        assert company.model_for(s) is first
    assert built == [1]
    with db.session(write=True) as s:  # the history changes: refitted
        _import_customer(s, "12345")
    with db.session() as s:
        assert company.model_for(s) is not first
    assert built == [1, 1]
    company.forget_models()


def test_no_history_gives_an_empty_suggestion_with_a_note(db, world):
    company.forget_models()
    with db.session() as s:
        result = suggest_for_company(s, world.company_a)
    assert result.lines == ()
    assert result.notes[0].startswith("No sales history to suggest from yet")
