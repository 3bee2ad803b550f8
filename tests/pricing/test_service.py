"""Pricing use cases against the database: price lists, terms per SKU, resolution."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from microbag.buyers.models import Company
from microbag.errors import DomainError
from microbag.pricing import service
from microbag.pricing.models import PriceTier
from microbag.pricing.policies import Tier


def error_codes(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [i.code for i in exc.value.items]


def company(s, company_id: int) -> Company:
    return s.get(Company, company_id)


def test_resolution_prefers_company_then_segment_then_default(db, world):
    with db.session(write=True) as s:
        a = company(s, world.company_a)
        assert service.price_list_for_company(s, a).id == world.price_lists["EUR"]
        seg = service.create_price_list(s, name="Boutiques EUR", currency="EUR", segment="boutique")
        assert service.price_list_for_company(s, a).id == seg.id
        own = service.create_price_list(
            s, name="Atelier Petit", currency="EUR", company_id=world.company_a
        )
        assert service.price_list_for_company(s, a).id == own.id
        # A department store in USD is untouched by boutique or EUR lists.
        b = company(s, world.company_b)
        assert service.price_list_for_company(s, b).id == world.price_lists["USD"]
        service.update_price_list(s, own.id, {"is_active": False})
        assert service.effective_price_list(s, world.company_a).id == seg.id


def test_one_rule_chooses_the_list_for_pricing_and_for_placement(db, world):
    """The choice is defined once (``chosen_price_list_id``): a query over every company,
    ``price_list_for_company`` and order placement's read of the buyer all agree."""
    from microbag.accounts.principal import Principal
    from microbag.orders.placement import buyer_context

    def chosen(s) -> dict[int, int | None]:
        rows = s.execute(select(Company.id, service.chosen_price_list_id()).order_by(Company.id))
        return dict(rows.all())

    def agree(s) -> dict[int, int | None]:
        by_query = chosen(s)
        for company_id, list_id in by_query.items():
            found = service.price_list_for_company(s, company(s, company_id))
            assert (found.id if found else None) == list_id, company_id
            principal = Principal(user_id=0, email="x@test", role="buyer", company_id=company_id)
            assert buyer_context(s, principal).price_list_id == list_id, company_id
        return by_query

    with db.session(write=True) as s:
        before = agree(s)
        assert before[world.company_a] == world.price_lists["EUR"]
        assert before[world.company_b] == world.price_lists["USD"]
        seg = service.create_price_list(s, name="Boutiques EUR", currency="EUR", segment="boutique")
        own = service.create_price_list(
            s, name="Hudson own", currency="USD", company_id=world.company_b
        )
        after = agree(s)
        assert after[world.company_a] == seg.id and after[world.company_b] == own.id
        service.update_price_list(s, world.price_lists["JPY"], {"is_active": False})
        assert agree(s)[world.company_prepaid] is None


def test_effective_price_list_is_404_when_none_applies(db, world):
    with db.session(write=True) as s:
        service.update_price_list(s, world.price_lists["JPY"], {"is_active": False})
        with pytest.raises(DomainError) as exc:
            service.effective_price_list(s, world.company_prepaid)
        assert exc.value.status == 404 and error_codes(exc) == ["no_price_list"]


def test_create_price_list_reports_every_broken_rule(db, world):
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            service.create_price_list(
                s,
                name="Bad",
                currency="EURO",
                company_id=world.company_a,
                segment="nope",
                min_order_value_minor=-1,
            )
        assert error_codes(exc) == [
            "unknown_currency",
            "ambiguous_assignment",
            "unknown_segment",
            "currency_mismatch",
            "negative_minimum",
        ]
        with pytest.raises(DomainError) as exc:
            service.create_price_list(s, name="Bad", currency="ABC", company_id=999_999)
        assert error_codes(exc) == ["unknown_currency", "unknown_company"]
        with pytest.raises(DomainError) as exc:
            service.create_price_list(s, name="eur lower", currency="eur")
        assert error_codes(exc) == ["unknown_currency"]


def test_names_are_unique_and_one_active_list_per_assignment(db, world):
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            service.create_price_list(s, name="Default EUR", currency="GBP")
        assert exc.value.status == 409 and error_codes(exc) == ["price_list_name_taken"]
        with pytest.raises(DomainError) as exc:
            service.create_price_list(s, name="Second default", currency="EUR")
        assert exc.value.status == 409 and error_codes(exc) == ["duplicate_assignment"]
        # An inactive second list is fine (prepared in advance), and so is another currency.
        spare = service.create_price_list(s, name="Next year", currency="EUR", is_active=False)
        service.create_price_list(s, name="Default GBP", currency="GBP")
        with pytest.raises(DomainError) as exc:
            service.update_price_list(s, spare.id, {"is_active": True})
        assert error_codes(exc) == ["duplicate_assignment"]


def test_update_assignment_replaces_company_and_segment_together(db, world):
    with db.session(write=True) as s:
        pl = service.create_price_list(
            s, name="Atelier", currency="EUR", company_id=world.company_a, min_order_value_minor=5
        )
        pl = service.update_price_list(s, pl.id, {"segment": "brand"})
        assert (pl.company_id, pl.segment, service.assignment_of(pl)) == (None, "brand", "segment")
        pl = service.update_price_list(s, pl.id, {"name": None, "min_order_value_minor": 700})
        assert (pl.name, pl.min_order_value_minor, pl.segment) == ("Atelier", 700, "brand")
        with pytest.raises(DomainError) as exc:
            service.update_price_list(s, pl.id, {"company_id": world.company_b})
        assert error_codes(exc) == ["currency_mismatch"]
        with pytest.raises(DomainError) as exc:
            service.update_price_list(s, pl.id, {"company_id": None, "segment": None})
        assert error_codes(exc) == ["duplicate_assignment"]
        with pytest.raises(DomainError) as exc:
            service.update_price_list(s, pl.id, {"bogus": 1})
        assert exc.value.status == 422


def test_currency_is_locked_once_the_list_has_items(db, world):
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            service.update_price_list(s, world.price_lists["EUR"], {"currency": "GBP"})
        assert exc.value.status == 409 and error_codes(exc) == ["currency_locked"]
        empty = service.create_price_list(s, name="Empty", currency="EUR", segment="brand")
        assert service.update_price_list(s, empty.id, {"currency": "GBP"}).currency == "GBP"


def test_set_item_terms_creates_and_replaces(db, world):
    eur = world.price_lists["EUR"]
    with db.session(write=True) as s:
        item = service.set_item_terms(
            s, eur, "MC-001-GLD", moq=12, case_pack=12, tiers=[Tier(48, 3000), Tier(12, 4000)]
        )
        assert [(t.min_quantity, t.unit_price_minor) for t in item.tiers] == [
            (12, 4000),
            (48, 3000),
        ]
        # Same breaks again with other prices: replaced, not duplicated.
        service.set_item_terms(
            s, eur, "MC-001-GLD", moq=12, case_pack=12, tiers=[Tier(12, 3900), Tier(48, 2900)]
        )
        terms = service.terms_for(s, service.get_price_list(s, eur), [world.skus["MC-001-GLD"]])
        (t,) = terms.values()
        assert (t.moq, t.case_pack, t.tiers) == (12, 12, (Tier(12, 3900), Tier(48, 2900)))
        assert s.scalar(select(func.count()).select_from(PriceTier)) == 3 * 4 * 3 - 1
        rows, total = service.list_items(s, eur)
        assert total == 4 and [code for code, _ in rows] == sorted(code for code, _ in rows)


def test_set_item_terms_reports_every_invariant_and_changes_nothing(db, world):
    eur = world.price_lists["EUR"]
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            service.set_item_terms(
                s,
                eur,
                "MC-001-GLD",
                moq=10,
                case_pack=6,
                tiers=[Tier(12, 100), Tier(18, 120), Tier(20, -1)],
            )
        assert exc.value.status == 422
        assert set(error_codes(exc)) == {
            "moq_not_case_pack_multiple",
            "first_tier_above_moq",
            "price_rises_with_quantity",
            "negative_price",
            "tier_not_case_pack_multiple",
        }
        terms = service.terms_for(s, service.get_price_list(s, eur), [world.skus["MC-001-GLD"]])
        assert next(iter(terms.values())).moq == 6
        with pytest.raises(DomainError) as exc:
            service.set_item_terms(s, eur, "NOPE", moq=6, case_pack=6, tiers=[Tier(6, 1)])
        assert exc.value.status == 404 and error_codes(exc) == ["unknown_sku"]
        with pytest.raises(DomainError) as exc:
            service.set_item_terms(s, 999_999, "MC-001-GLD", moq=6, case_pack=6, tiers=[])
        assert exc.value.status == 404 and error_codes(exc) == ["unknown_price_list"]


def test_remove_item(db, world):
    usd = world.price_lists["USD"]
    with db.session(write=True) as s:
        service.remove_item(s, usd, "CB-001-TAN")
        assert service.list_items(s, usd)[1] == 3
        assert service.list_items(s, usd, sku="CB-001-TAN") == ([], 0)
        with pytest.raises(DomainError) as exc:
            service.remove_item(s, usd, "CB-001-TAN")
        assert error_codes(exc) == ["unknown_item"]
        price_list = service.get_price_list(s, usd)
        assert service.terms_for(s, price_list, [world.skus["CB-001-TAN"]]) == {}
        assert service.item_counts(s, [usd, world.price_lists["EUR"]]) == {
            usd: 3,
            world.price_lists["EUR"]: 4,
        }


def test_list_price_lists_filters(db, world):
    with db.session(write=True) as s:
        service.create_price_list(s, name="Zeta boutiques", currency="EUR", segment="boutique")
        rows, total = service.list_price_lists(s)
        assert total == 4
        assert [p.name for p in rows] == [
            "Default EUR",
            "Zeta boutiques",
            "Default JPY",
            "Default USD",
        ]
        assert service.list_price_lists(s, currency="EUR")[1] == 2
        assert service.list_price_lists(s, segment="boutique")[1] == 1
        assert service.list_price_lists(s, company_id=world.company_a)[1] == 0
        assert service.list_price_lists(s, active=False)[1] == 0
        assert [p.name for p in service.list_price_lists(s, offset=1, limit=1)[0]] == [
            "Zeta boutiques"
        ]
