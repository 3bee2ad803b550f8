"""Drops on the database (SQLite and PostgreSQL): the embargo gate while ordering,
requests, and the allocation into orders in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from microbag.buyers.models import Company
from microbag.drops import allocation, service
from microbag.drops.models import DropAllocation, DropRequest
from microbag.drops.schemas import DropPatch
from microbag.errors import DomainError, Forbidden, NotFound
from microbag.orders import service as orders
from microbag.orders.models import Order
from microbag.orders.schemas import OrderLineIn
from microbag.timeutil import utcnow

GOLD = "MC-001-GLD"


def _place(db, who, email: str, qty: int = 12):
    with db.session(write=True) as s:
        order, _ = orders.place_order(s, who(email), [OrderLineIn(sku=GOLD, quantity=qty)])
        return order.id


def _codes(exc: DomainError) -> list[str]:
    return [e.code for e in exc.items]


# ---- the gate ----------------------------------------------------------------------------------


def test_ordering_a_drop_sku_before_the_embargo_fails_and_after_the_allocation_works(
    db, world, who, make_drop, request_units, pass_embargo
):
    drop_id = make_drop()
    with pytest.raises(DomainError) as caught:
        _place(db, who, "buyer@a.test")
    assert _codes(caught.value) == ["drop_embargo"]
    assert "available from" in caught.value.items[0].message
    request_units("buyer@a.test", drop_id, [(GOLD, 12)])
    pass_embargo(drop_id)
    with pytest.raises(DomainError) as waiting:  # past the embargo, not allocated yet
        _place(db, who, "buyer@b.test")
    assert _codes(waiting.value) == ["drop_embargo"]
    with db.session(write=True) as s:
        allocation.allocate(s, who("admin@seller.test"), drop_id)
    assert _place(db, who, "buyer@b.test", 12) > 0  # eligible (no rule): what is left


def test_an_ineligible_company_may_not_order_after_the_drop(
    db, world, who, make_drop, request_units, pass_embargo
):
    drop_id = make_drop(regions=("europe",))
    request_units("buyer@a.test", drop_id, [(GOLD, 6)])
    pass_embargo(drop_id)
    with db.session(write=True) as s:
        allocation.allocate(s, who("merch@seller.test"), drop_id)
    with pytest.raises(DomainError) as caught:
        _place(db, who, "buyer@b.test")
    assert _codes(caught.value) == ["drop_not_eligible"]
    assert _place(db, who, "buyer@a.test", 12) > 0


def test_a_closed_drop_holds_nothing(db, world, who, make_drop):
    drop_id = make_drop()
    with db.session(write=True) as s:
        service.close_drop(s, who("admin@seller.test"), drop_id)
    assert _place(db, who, "buyer@a.test") > 0


# ---- requests ----------------------------------------------------------------------------------


def test_requests_are_changed_and_withdrawn_per_company(db, world, who, make_drop, request_units):
    drop_id = make_drop()
    request_units("buyer@a.test", drop_id, [(GOLD, 12)])
    request_units("owner@a.test", drop_id, [(GOLD, 18)])  # the same company changes it
    request_units("buyer@b.test", drop_id, [(GOLD, 6)])
    with db.session() as s:
        mine = service.company_requests(s, drop_id, world.company_a)
        assert [(r.quantity, r.company_id) for r in mine] == [(18, world.company_a)]
        assert len(service.all_requests(s, drop_id)) == 2
    with db.session(write=True) as s:
        service.withdraw(s, who("buyer@a.test"), drop_id)
    with db.session() as s:
        assert service.company_requests(s, drop_id, world.company_a) == []
        assert [r.company_id for r in service.all_requests(s, drop_id)] == [world.company_b]


def test_request_rules_are_checked(db, world, who, make_drop, request_units, pass_embargo):
    drop_id = make_drop()
    with pytest.raises(DomainError) as caught:
        request_units("buyer@a.test", drop_id, [(GOLD, 10)])
    assert _codes(caught.value) == ["case_pack"]
    with pytest.raises(DomainError) as caught:
        request_units("buyer@a.test", drop_id, [(GOLD, 30)])
    assert _codes(caught.value) == ["drop_cap"]
    with pytest.raises(DomainError) as caught:
        request_units("buyer@a.test", drop_id, [("CB-001-TAN", 6)])
    assert _codes(caught.value) == ["unknown_sku"]
    with pytest.raises(Forbidden):
        request_units("viewer@a.test", drop_id, [(GOLD, 6)])
    pass_embargo(drop_id)
    with pytest.raises(DomainError) as caught:
        request_units("buyer@a.test", drop_id, [(GOLD, 6)])
    assert _codes(caught.value) == ["drop_requests_closed"]
    assert caught.value.status == 409


def test_an_ineligible_company_sees_no_drop(db, world, who, make_drop, request_units):
    drop_id = make_drop(regions=("europe",))
    with pytest.raises(NotFound):
        request_units("buyer@b.test", drop_id, [(GOLD, 6)])
    with db.session() as s:
        assert service.list_drops(s, who("buyer@b.test"))[1] == 0
        assert service.list_drops(s, who("buyer@a.test"))[1] == 1
        with pytest.raises(NotFound):
            service.get_drop(s, who("viewer@b.test"), drop_id)


def test_a_draft_is_invisible_to_buyers_and_editable_by_staff(db, world, who):
    from microbag.drops.schemas import DropIn, DropSkuIn

    with db.session(write=True) as s:
        drop = service.create_drop(
            s,
            who("admin@seller.test"),
            DropIn(
                name="Draft",
                embargo_at=utcnow() + timedelta(days=2),
                skus=[DropSkuIn(sku=GOLD, edition_size=24)],
            ),
        )
        assert drop.skus[0].case_pack == 6  # the default list's case pack
        assert drop.skus[0].buyer_cap == 24
        service.update_drop(
            s, who("merch@seller.test"), drop.id, DropPatch(name="Renamed", segments=["boutique"])
        )
        drop_id = drop.id
    with db.session() as s:
        with pytest.raises(NotFound):
            service.get_drop(s, who("buyer@a.test"), drop_id)
        assert service.get_drop(s, who("sales@seller.test"), drop_id).segments == ["boutique"]
    with pytest.raises(Forbidden), db.session(write=True) as s:
        service.open_drop(s, who("sales@seller.test"), drop_id)


def test_a_drop_refuses_bad_skus_and_rules(db, world, who):
    from microbag.drops.schemas import DropIn, DropSkuIn

    data = DropIn(
        name="Bad",
        embargo_at=utcnow() + timedelta(days=2),
        segments=["spaceport"],
        skus=[DropSkuIn(sku="NOPE-1", edition_size=24), DropSkuIn(sku=GOLD, edition_size=25)],
    )
    with db.session(write=True) as s, pytest.raises(DomainError) as caught:
        service.create_drop(s, who("admin@seller.test"), data)
    assert _codes(caught.value) == ["invalid_segment"]
    data.segments = []
    with db.session(write=True) as s, pytest.raises(DomainError) as caught:
        service.create_drop(s, who("admin@seller.test"), data)
    assert sorted(_codes(caught.value)) == ["case_pack", "invalid_cap", "unknown_sku"]


# ---- allocation --------------------------------------------------------------------------------


def test_allocation_places_one_order_per_requester_and_tells_them(
    db, world, who, make_drop, request_units, pass_embargo, monkeypatch
):
    told: list[tuple[int, dict]] = []
    monkeypatch.setattr(
        allocation.notifications,
        "notify_company",
        lambda session, *, company_id, kind, context: told.append((company_id, dict(context))),
    )
    drop_id = make_drop(edition=24)
    request_units("buyer@a.test", drop_id, [(GOLD, 24)])
    request_units("buyer@b.test", drop_id, [(GOLD, 24)])
    pass_embargo(drop_id)
    with db.session(write=True) as s:
        shares, outcomes = allocation.allocate(s, who("admin@seller.test"), drop_id)
    assert sum(sh.allocated for sh in shares) == 24
    assert [o.status for o in outcomes] == ["ordered", "ordered"]
    with db.session() as s:
        placed = {
            o.company_id: (o.lines[0].sku_code, o.lines[0].quantity)
            for o in s.scalars(select(Order))
        }
        assert placed == {world.company_a: (GOLD, 12), world.company_b: (GOLD, 12)}
        allocated = {r.company_id: r.allocated for r in s.scalars(select(DropRequest))}
        assert allocated == {world.company_a: 12, world.company_b: 12}
        assert service.get_drop(s, who("admin@seller.test"), drop_id).status == "allocated"
    assert sorted(c for c, _ in told) == [world.company_a, world.company_b]
    context = dict(told)[world.company_a]
    assert context["drop_id"] == drop_id and context["order_id"] > 0
    assert context["lines"] == [{"sku": GOLD, "requested": 24, "allocated": 12}]


def test_past_purchases_weigh_the_shares(db, world, who, make_drop, request_units, pass_embargo):
    from tests.factories import add_history_order

    with db.session(write=True) as s:  # company B bought 300 units (13,500 EUR) lately
        add_history_order(
            s,
            world.company_b,
            world.skus["MT-001-RED"],
            "MT-001-RED",
            300,
            utcnow() - timedelta(days=30),
        )
    drop_id = make_drop(edition=36)
    request_units("buyer@a.test", drop_id, [(GOLD, 24)])
    request_units("buyer@b.test", drop_id, [(GOLD, 24)])
    pass_embargo(drop_id)
    with db.session() as s:
        preview = allocation.preview(s, who("merch@seller.test"), drop_id)
    assert {sh.company_id: sh.allocated for sh in preview} == {
        world.company_a: 12,  # the minimum, then nothing: no purchases in 12 months
        world.company_b: 24,  # the minimum, then the rest up to its request
    }
    assert {sh.company_id: sh.weight_minor > 0 for sh in preview} == {
        world.company_a: False,
        world.company_b: True,
    }


def test_one_buyers_failed_order_loses_nothing_else(
    db, world, who, make_drop, request_units, pass_embargo
):
    drop_id = make_drop(edition=24)
    request_units("buyer@a.test", drop_id, [(GOLD, 12)])
    request_units("buyer@b.test", drop_id, [(GOLD, 12)])
    with db.session(write=True) as s:  # company A's credit is gone
        s.execute(update(Company).where(Company.id == world.company_a).values(credit_limit_minor=1))
    pass_embargo(drop_id)
    with db.session(write=True) as s:
        _shares, outcomes = allocation.allocate(s, who("admin@seller.test"), drop_id)
    by_company = {o.company_id: o for o in outcomes}
    assert by_company[world.company_a].status == "failed"
    assert "credit" in by_company[world.company_a].reason
    assert by_company[world.company_b].status == "ordered"
    with db.session() as s:
        assert [o.company_id for o in s.scalars(select(Order))] == [world.company_b]
        rows = {
            a.company_id: (a.status, a.order_id is not None)
            for a in s.scalars(select(DropAllocation))
        }
        assert rows == {world.company_a: ("failed", False), world.company_b: ("ordered", True)}


def test_allocation_is_all_or_nothing_on_an_unexpected_error(
    db, world, who, make_drop, request_units, pass_embargo, monkeypatch
):
    drop_id = make_drop(edition=24)
    request_units("buyer@a.test", drop_id, [(GOLD, 12)])
    request_units("buyer@b.test", drop_id, [(GOLD, 12)])
    pass_embargo(drop_id)
    calls = []

    def broken(session, *, company_id, kind, context):
        calls.append(company_id)
        if len(calls) == 2:
            raise RuntimeError("mail queue broken")

    monkeypatch.setattr(allocation.notifications, "notify_company", broken)
    with pytest.raises(RuntimeError), db.session(write=True) as s:
        allocation.allocate(s, who("admin@seller.test"), drop_id)
    with db.session() as s:
        assert s.scalars(select(Order)).all() == []
        assert s.scalars(select(DropAllocation)).all() == []
        assert service.get_drop(s, who("admin@seller.test"), drop_id).status == "open"


def test_allocating_before_the_embargo_or_twice_is_refused(
    db, world, who, make_drop, request_units, pass_embargo
):
    drop_id = make_drop()
    request_units("buyer@a.test", drop_id, [(GOLD, 6)])
    with db.session(write=True) as s, pytest.raises(DomainError) as caught:
        allocation.allocate(s, who("admin@seller.test"), drop_id)
    assert _codes(caught.value) == ["drop_embargo_not_reached"]
    pass_embargo(drop_id)
    with db.session(write=True) as s:
        allocation.allocate(s, who("admin@seller.test"), drop_id)
    with db.session(write=True) as s, pytest.raises(DomainError) as caught:
        allocation.allocate(s, who("admin@seller.test"), drop_id)
    assert _codes(caught.value) == ["drop_already_allocated"]
    with pytest.raises(Forbidden), db.session(write=True) as s:
        allocation.allocate(s, who("sales@seller.test"), drop_id)
