"""A company's tax identity against the database: set and clear it through the service
(every problem at once, audited), the staff PATCH and the company JSON, the buyer's own
company (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from microbag.audit.models import AuditEntry
from microbag.buyers import service
from microbag.buyers.tax import today_utc
from microbag.errors import DomainError
from tests.orders.conftest import who

__all__ = ["who"]

pytestmark = pytest.mark.db

ADMIN, SALES, MERCH = "admin@seller.test", "sales@seller.test", "merch@seller.test"


def codes(response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def company_entries(db, company_id: int) -> list[AuditEntry]:
    with db.session() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "company", AuditEntry.company_id == company_id)
                .order_by(AuditEntry.id)
            )
        )


def in_days(days: int):
    return today_utc() + timedelta(days=days)


# ---- service ---------------------------------------------------------------------------------


def test_set_and_clear_a_vat_number_audited(db, world, who):
    with db.session(write=True) as s:
        company = service.set_tax_identity(
            s,
            world.company_a,
            vat_number="fr 40 303 265 045",
            resale_certificate_number=None,
            resale_certificate_state=None,
            resale_certificate_expires=None,
            actor=who(SALES),
        )
        assert company.vat_number == "FR40303265045"
    with db.session() as s:
        assert service.get_company(s, world.company_a).vat_number == "FR40303265045"
    (entry,) = company_entries(db, world.company_a)
    assert (entry.action, entry.actor_label) == ("updated", SALES)
    assert entry.before == {"vat_number": None}
    assert entry.after == {"vat_number": "FR40303265045"}
    with db.session(write=True) as s:
        service.set_tax_identity(
            s,
            world.company_a,
            vat_number="",
            resale_certificate_number=None,
            resale_certificate_state=None,
            resale_certificate_expires=None,
            actor=who(SALES),
        )
    with db.session() as s:
        assert service.get_company(s, world.company_a).vat_number is None
    assert len(company_entries(db, world.company_a)) == 2


def test_set_tax_identity_reports_every_problem_and_changes_nothing(db, world, who):
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.set_tax_identity(
            s,
            world.company_a,
            vat_number="DE136695976",  # a German number for a French company
            resale_certificate_number="CA 1",
            resale_certificate_state="ZZ",
            resale_certificate_expires=in_days(-1),
            actor=who(SALES),
        )
    assert exc.value.status == 422
    assert [i.code for i in exc.value.items] == [
        "vat_country_mismatch",
        "invalid_resale_certificate",
        "invalid_resale_state",
        "resale_certificate_expired",
    ]
    with db.session() as s:
        company = service.get_company(s, world.company_a)
        assert (company.vat_number, company.resale_certificate_number) == (None, None)
    assert company_entries(db, world.company_a) == []
    with db.session(write=True) as s, pytest.raises(DomainError) as missing:
        service.set_tax_identity(
            s,
            999_999,
            vat_number=None,
            resale_certificate_number=None,
            resale_certificate_state=None,
            resale_certificate_expires=None,
            actor=None,
        )
    assert missing.value.status == 404


def test_a_stored_certificate_that_has_expired_stays_until_replaced(db, world, who):
    past = in_days(-10)
    with db.session(write=True) as s:
        # stored while it was valid (the check's "today" passed in)
        service.set_tax_identity(
            s,
            world.company_b,
            vat_number=None,
            resale_certificate_number="SR-1",
            resale_certificate_state="NY",
            resale_certificate_expires=past,
            actor=who(ADMIN),
            today=past - timedelta(days=30),
        )
    with db.session(write=True) as s:
        # other changes of the company still save; the certificate is shown as expired
        service.update_company(s, world.company_b, {"credit_limit_minor": 1}, actor=who(ADMIN))
        company = service.get_company(s, world.company_b)
        assert service.resale_certificate_expired(company)
        status = service.tax_status_of(company)
        assert status.resale == f"resale certificate NY-SR-1 expired {past.isoformat()}"
        assert status.warning == f"The resale certificate expired on {past.isoformat()}."


def test_changing_the_country_rechecks_the_vat_number(db, world, who):
    with db.session(write=True) as s:
        service.update_company(
            s, world.company_a, {"vat_number": "FR40303265045"}, actor=who(SALES)
        )
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.update_company(s, world.company_a, {"country": "DE"}, actor=who(SALES))
    assert [i.code for i in exc.value.items] == ["vat_country_mismatch"]
    with db.session(write=True) as s:
        service.update_company(
            s, world.company_a, {"country": "DE", "vat_number": "DE136695976"}, actor=who(SALES)
        )
    with db.session() as s:
        company = service.get_company(s, world.company_a)
        assert (company.country, company.vat_number) == ("DE", "DE136695976")


# ---- API -------------------------------------------------------------------------------------


def test_staff_patch_sets_checks_and_clears_the_tax_identity(client, world):
    url = f"/api/v1/companies/{world.company_b}"
    expires = in_days(400)
    r = client.patch(
        url,
        json={
            "resale_certificate_number": "ca-123",
            "resale_certificate_state": "ca",
            "resale_certificate_expires": expires.isoformat(),
        },
        headers=world.auth(SALES),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["resale_certificate_number"] == "CA-123"
    assert body["resale_certificate_state"] == "CA"
    assert body["resale_certificate_expires"] == expires.isoformat()
    assert body["resale_certificate_expired"] is False
    assert body["vat_number"] is None
    # a PATCH of one part keeps the others; every problem at once
    r = client.patch(
        url,
        json={"vat_number": "US12345", "resale_certificate_state": "XX", "locale": "xx_XX_bad"},
        headers=world.auth(SALES),
    )
    assert r.status_code == 422
    assert sorted(codes(r)) == ["invalid_resale_state", "unknown_locale", "unsupported_vat_country"]
    r = client.patch(url, json={"resale_certificate_expires": None}, headers=world.auth(SALES))
    assert r.status_code == 422 and codes(r) == ["resale_certificate_incomplete"]
    r = client.patch(
        url,
        json={"resale_certificate_expires": in_days(-1).isoformat()},
        headers=world.auth(SALES),
    )
    assert r.status_code == 422 and codes(r) == ["resale_certificate_expired"]
    # the merchandiser reads but does not change companies
    r = client.patch(url, json={"vat_number": None}, headers=world.auth(MERCH))
    assert r.status_code == 403
    # clearing
    r = client.patch(
        url,
        json={
            "resale_certificate_number": None,
            "resale_certificate_state": "",
            "resale_certificate_expires": None,
        },
        headers=world.auth(ADMIN),
    )
    assert r.status_code == 200, r.text
    assert r.json()["resale_certificate_number"] is None
    assert r.json()["resale_certificate_expires"] is None


def test_vat_number_over_the_api_and_in_the_buyers_own_company(client, world):
    url = f"/api/v1/companies/{world.company_a}"
    r = client.patch(url, json={"vat_number": "FR40303265046"}, headers=world.auth(SALES))
    assert r.status_code == 422 and codes(r) == ["invalid_vat_number"]
    assert "France" in r.json()["errors"][0]["message"]
    assert r.json()["errors"][0]["field"] == "vat_number"
    r = client.patch(url, json={"vat_number": "DE136695976"}, headers=world.auth(SALES))
    assert r.status_code == 422 and codes(r) == ["vat_country_mismatch"]
    r = client.patch(url, json={"vat_number": "FR 40 303 265 045"}, headers=world.auth(SALES))
    assert r.status_code == 200 and r.json()["vat_number"] == "FR40303265045"
    listed = client.get("/api/v1/companies", params={"q": "Atelier"}, headers=world.auth(SALES))
    assert listed.json()["items"][0]["vat_number"] == "FR40303265045"
    mine = client.get("/api/v1/my/company", headers=world.auth("owner@a.test"))
    assert mine.status_code == 200
    assert mine.json()["vat_number"] == "FR40303265045"
    assert mine.json()["resale_certificate_expired"] is False
    other = client.get("/api/v1/my/company", headers=world.auth("owner@b.test"))
    assert other.json()["vat_number"] is None
