"""Buyer companies and users against the database; open unpaid orders and credit."""

from __future__ import annotations

import pytest

from microbag.buyers import service
from microbag.errors import DomainError
from microbag.orders.models import Order
from microbag.timeutil import utcnow


def error_codes(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [i.code for i in exc.value.items]


def add_orders(s, company_id: int, rows: list[tuple[str, bool, int]], currency: str = "EUR"):
    for status, paid, total in rows:
        s.add(
            Order(
                company_id=company_id,
                status=status,
                currency=currency,
                total_minor=total,
                paid_at=utcnow() if paid else None,
            )
        )
    s.flush()


def test_open_unpaid_total_counts_only_open_unpaid_orders(db, world):
    with db.session(write=True) as s:
        assert service.open_unpaid_total(s, world.company_a) == 0
        add_orders(
            s,
            world.company_a,
            [
                ("draft", False, 1),
                ("placed", False, 10),
                ("confirmed", False, 200),
                ("shipped", False, 3_000),
                ("delivered", False, 40_000),
                ("delivered", True, 500_000),
                ("cancelled", False, 6_000_000),
            ],
        )
        add_orders(s, world.company_b, [("placed", False, 7)], currency="USD")
        assert service.open_unpaid_total(s, world.company_a) == 43_210
        assert service.open_unpaid_totals(s, [world.company_a, world.company_b, 999]) == {
            world.company_a: 43_210,
            world.company_b: 7,
            999: 0,
        }
        a = service.get_company(s, world.company_a)
        assert service.available_credit_for(s, a) == 5_000_000 - 43_210


def test_create_company_derives_the_region(db, world):
    with db.session(write=True) as s:
        c = service.create_company(
            s, name="Seoul Select", segment="distributor", country="KR", currency="KRW"
        )
        assert (c.region, c.payment_terms_days, c.credit_limit_minor) == ("japan_korea", None, 0)
        d = service.create_company(
            s,
            name="Dubai Mall Boutique",
            segment="boutique",
            country="AE",
            region="other",
            currency="AED",
            payment_terms_days=45,
            credit_limit_minor=900_000,
            locale="ar_AE",
        )
        assert (d.region, service.terms_label(d)) == ("other", "net 45")


def test_create_company_reports_every_broken_rule(db, world):
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            service.create_company(
                s,
                name=" ",
                segment="kiosk",
                country="XX",
                region="mars",
                currency="EURO",
                payment_terms_days=181,
                credit_limit_minor=-1,
                locale="xx_XX",
            )
        assert error_codes(exc) == [
            "invalid_name",
            "unknown_segment",
            "unknown_country",
            "unknown_region",
            "unknown_currency",
            "invalid_payment_terms",
            "unknown_locale",
            "negative_credit_limit",
        ]
        with pytest.raises(DomainError) as exc:
            service.create_company(
                s, name="Big Store (NYC)", segment="brand", country="US", currency="USD"
            )
        assert exc.value.status == 409 and error_codes(exc) == ["company_name_taken"]


def test_update_company(db, world):
    with db.session(write=True) as s:
        c = service.update_company(s, world.company_a, {"country": "JP"})
        assert (c.country, c.region) == ("JP", "japan_korea")
        c = service.update_company(s, world.company_a, {"country": "MX", "region": "us"})
        assert c.region == "us"
        c = service.update_company(s, world.company_a, {"region": None})
        assert c.region == "latin_america"
        c = service.update_company(s, world.company_a, {"payment_terms_days": None, "name": None})
        assert c.is_prepaid and c.name == "Atelier Petit (Paris)"
        c = service.update_company(
            s, world.company_a, {"is_active": False, "credit_limit_minor": 0}
        )
        assert (c.is_active, c.credit_limit_minor) == (False, 0)
        with pytest.raises(DomainError) as exc:
            service.update_company(s, world.company_a, {"name": "Big Store (NYC)"})
        assert exc.value.status == 409
        with pytest.raises(DomainError) as exc:
            service.update_company(s, world.company_a, {"payment_terms_days": 365})
        assert error_codes(exc) == ["invalid_payment_terms"]
        with pytest.raises(DomainError) as exc:
            service.update_company(s, 999_999, {"name": "X"})
        assert exc.value.status == 404


def test_currency_is_locked_while_orders_use_credit(db, world):
    with db.session(write=True) as s:
        assert service.update_company(s, world.company_b, {"currency": "CAD"}).currency == "CAD"
        add_orders(s, world.company_a, [("placed", False, 100)])
        with pytest.raises(DomainError) as exc:
            service.update_company(s, world.company_a, {"currency": "GBP"})
        assert exc.value.status == 409 and error_codes(exc) == ["currency_locked"]
        # The same currency again is no change.
        assert service.update_company(s, world.company_a, {"currency": "EUR"}).currency == "EUR"


def test_list_companies_filters(db, world):
    with db.session() as s:
        rows, total = service.list_companies(s)
        assert total == 3
        assert [c.name for c in rows] == sorted(c.name for c in rows)
        assert [c.name for c in service.list_companies(s, segment="boutique")[0]] == [
            "Atelier Petit (Paris)"
        ]
        assert service.list_companies(s, region="us")[1] == 1
        assert service.list_companies(s, country="jp")[1] == 1
        assert service.list_companies(s, currency="USD")[1] == 1
        assert service.list_companies(s, text="STORE")[1] == 1
        assert service.list_companies(s, text="100%_")[1] == 0
        assert service.list_companies(s, active=False)[1] == 0


def test_company_users(db, world):
    with db.session(write=True) as s:
        rows, total = service.list_company_users(s, world.company_a)
        assert total == 3 and {u.role for u in rows} == {"owner", "buyer", "viewer"}
        user = service.add_company_user(
            s, world.company_a, email=" New@A.test ", role="buyer", name="New"
        )
        assert (user.email, user.company_id, user.password_hash) == (
            "new@a.test",
            world.company_a,
            None,
        )
        with pytest.raises(DomainError) as exc:
            service.add_company_user(s, world.company_a, email="x@a.test", role="admin")
        assert error_codes(exc) == ["invalid_role"]
        with pytest.raises(DomainError) as exc:
            service.add_company_user(s, world.company_b, email="new@a.test", role="viewer")
        assert exc.value.status == 409 and error_codes(exc) == ["email_taken"]
        with pytest.raises(DomainError) as exc:
            service.add_company_user(s, 999_999, email="y@a.test", role="viewer")
        assert exc.value.status == 404
        with pytest.raises(DomainError) as exc:
            service.list_company_users(s, 999_999)
        assert exc.value.status == 404
