"""Portal pages re-run after a transient database failure, like the API (issue 8): a form
post (with its CSRF token) is replayed and has one effect; a failure that persists shows
the try-again page with ``Retry-After``."""

from __future__ import annotations

import psycopg
import pytest

from microbag.buyers import service as buyers_service
from tests.conftest import PG_URL
from tests.test_request_retry import _companies, _deadlock

from .staff.conftest import post

SALES = "sales@seller.test"
FORM_COMPANY = {
    "name": "Souk Minis (Dubai)",
    "segment": "boutique",
    "country": "AE",
    "region": "",
    "currency": "AED",
    "locale": "ar_AE",
    "payment_terms_days": "30",
    "credit_limit": "20000",
    "is_active": "1",
}


@pytest.fixture
def failing(monkeypatch, app):
    """``buyers.service.create_company`` writes, then fails with a deadlock, ``fail`` times."""
    app.state.db.retry_backoff_s = 0.001
    real = buyers_service.create_company
    calls = {"n": 0, "fail": 1}

    def create_company(*args, **kwargs):
        calls["n"] += 1
        company = real(*args, **kwargs)
        if calls["n"] <= calls["fail"]:
            raise _deadlock()
        return company

    monkeypatch.setattr(buyers_service, "create_company", create_company)
    return calls


def test_a_portal_form_post_is_rerun_and_has_one_effect(db, signed_in, failing):
    sales = signed_in(SALES)
    failing["fail"] = 1
    r = post(sales, "/staff/companies/new", FORM_COMPANY)
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/staff/companies/")
    assert failing["n"] == 2
    assert _companies(db, "Souk Minis (Dubai)") == 1


def test_a_portal_form_post_that_keeps_failing_shows_the_try_again_page(db, signed_in, failing):
    sales = signed_in(SALES)
    failing["fail"] = 99
    r = post(sales, "/staff/companies/new", FORM_COMPANY)
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "1"
    assert r.headers["content-type"].startswith("text/html")
    assert "Temporarily unavailable" in r.text and "Nothing was changed" in r.text
    assert failing["n"] == sales.app.state.db.retry_attempts
    assert _companies(db, "Souk Minis (Dubai)") == 0


@pytest.mark.skipif(not PG_URL, reason="a cut connection needs a PostgreSQL server")
def test_a_page_answers_after_a_database_restart(db, signed_in, app):
    """The first statement after the restart is the session lookup, in the portal's
    middleware before any route: the request is re-run from there too."""
    app.state.db.retry_backoff_s = 0.001
    sales = signed_in(SALES)
    assert sales.get("/staff/companies").status_code == 200
    with psycopg.connect(PG_URL, autocommit=True) as conn:  # outside the app's pool
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None and row[0] >= 1
    r = sales.get("/staff/companies")
    assert r.status_code == 200, r.text
    assert "Souk Minis" not in r.text and "Big Store" in r.text
