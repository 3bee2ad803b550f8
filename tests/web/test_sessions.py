"""Server-side sessions: cookie attributes, new id at sign-in, ending sessions, principal."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from fastapi import Request
from sqlalchemy import delete, select, update

from microbag.accounts.models import ApiToken, User
from microbag.buyers.models import Company
from microbag.http import CurrentPrincipal
from microbag.timeutil import utcnow
from microbag.web import sessions
from microbag.web.models import WebSession

from .conftest import cookie_value, csrf_from, set_cookie, sign_in


def _session_rows(db) -> list[WebSession]:
    with db.session() as s:
        return list(s.scalars(select(WebSession)))


def test_sign_in_over_http_sets_plain_httponly_lax_cookie(world, new_client, db):
    c = new_client()
    r = sign_in(c, "buyer@a.test")
    assert r.status_code == 303
    assert r.headers["location"] == "/catalog"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("microbag_session=")
    low = cookie.lower()
    assert "httponly" in low and "samesite=lax" in low and "path=/" in low
    assert "secure" not in low and "domain" not in low


def test_sign_in_over_https_uses_host_prefixed_secure_cookie(world, new_client):
    c = new_client(base_url="https://testserver")
    r = sign_in(c, "buyer@a.test")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-microbag_session=")
    low = cookie.lower()
    assert "secure" in low and "httponly" in low and "path=/" in low and "domain" not in low
    # The secure cookie works for the next request over HTTPS.
    assert c.get("/catalog", follow_redirects=False).status_code != 303


def test_plain_cookie_is_ignored_over_https(world, new_client):
    http = new_client()
    sign_in(http, "buyer@a.test")
    raw = cookie_value(http)
    https = new_client(base_url="https://testserver")
    set_cookie(https, raw)
    r = https.get("/catalog", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_staff_land_on_staff_dashboard(world, new_client):
    c = new_client()
    r = sign_in(c, "admin@seller.test")
    assert r.headers["location"] == "/staff"
    page = c.get("/staff")
    assert page.status_code == 200 and "Staff dashboard" in page.text


def test_only_the_hash_of_the_session_id_is_stored(world, new_client, db):
    c = new_client()
    sign_in(c, "buyer@a.test")
    raw = cookie_value(c)
    assert raw and len(raw) >= 40
    rows = _session_rows(db)
    assert len(rows) == 1
    assert rows[0].session_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {rows[0].session_hash, rows[0].csrf_secret}


def test_each_sign_in_gets_a_new_session_id_and_ends_the_old_one(world, new_client, db):
    c = new_client()
    sign_in(c, "buyer@a.test")
    first = cookie_value(c)
    # Signed in, /login redirects; post the form again with the session's token.
    assert c.get("/login", follow_redirects=False).status_code == 303
    page = c.get("/catalog")
    token = csrf_from(page.text)
    r = c.post(
        "/login",
        data={"email": "buyer@a.test", "password": "correct horse battery", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    second = cookie_value(c)
    assert second and second != first
    hashes = {row.session_hash for row in _session_rows(db)}
    assert hashlib.sha256(first.encode()).hexdigest() not in hashes
    assert hashlib.sha256(second.encode()).hexdigest() in hashes


def test_planted_session_id_is_never_adopted(world, new_client, db):
    c = new_client()
    set_cookie(c, "attacker-chosen-value-000000000000000000000")
    r = sign_in(c, "buyer@a.test")
    assert r.status_code == 303
    assert cookie_value(c) != "attacker-chosen-value-000000000000000000000"


def test_deactivated_user_is_signed_out_at_once(signed_in, db):
    c = signed_in("buyer@a.test")
    assert c.get("/catalog", follow_redirects=False).status_code == 200
    with db.session(write=True) as s:
        s.execute(update(User).where(User.email == "buyer@a.test").values(is_active=False))
    r = c.get("/catalog", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert "microbag_session=" in r.headers.get("set-cookie", "")
    assert _session_rows(db) == []


def test_deleted_user_sessions_end(signed_in, db):
    c = signed_in("viewer@b.test")
    with db.session(write=True) as s:
        user_id = s.scalar(select(User.id).where(User.email == "viewer@b.test"))
        s.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
        s.execute(delete(User).where(User.id == user_id))
    r = c.get("/catalog", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert _session_rows(db) == []


def test_deactivated_company_ends_its_users_sessions(signed_in, world, db):
    c = signed_in("owner@a.test")
    with db.session(write=True) as s:
        s.execute(update(Company).where(Company.id == world.company_a).values(is_active=False))
    r = c.get("/catalog", follow_redirects=False)
    assert r.status_code == 303


def test_sign_out_deletes_the_session(signed_in, db):
    c = signed_in("buyer@a.test")
    raw = cookie_value(c)
    token = csrf_from(c.get("/catalog").text)
    r = c.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert _session_rows(db) == []
    # Even the old cookie value no longer works.
    set_cookie(c, raw)
    assert c.get("/catalog", follow_redirects=False).status_code == 303


def test_sign_out_by_get_is_not_possible(signed_in, db):
    c = signed_in("buyer@a.test")
    r = c.get("/logout", follow_redirects=False)
    assert r.status_code == 405
    assert len(_session_rows(db)) == 1


def test_expired_session_is_refused_and_removed(signed_in, db):
    c = signed_in("buyer@a.test")
    with db.session(write=True) as s:
        s.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = c.get("/catalog", follow_redirects=False)
    assert r.status_code == 303
    assert _session_rows(db) == []


def test_idle_expiry_slides_but_not_past_max_age(world, db):
    start = utcnow()
    with db.session(write=True) as s:
        uid = s.scalar(select(User.id).where(User.email == "buyer@a.test"))
        raw = sessions.start_session(s, uid, now=start)
    later = start + sessions.TOUCH_EVERY + timedelta(seconds=1)
    with db.session() as s:
        lookup = sessions.load_session(s, raw, default_locale="en_US", now=later)
    assert lookup.user is not None and lookup.action == "touch"
    assert lookup.user.locale == "fr_FR" and lookup.user.currency == "EUR"
    with db.session(write=True) as s:
        sessions.apply_housekeeping(s, lookup, now=later)
    row = _session_rows(db)[0]
    assert row.expires_at == later + sessions.IDLE_TIMEOUT
    # Just before the idle expiry there is nothing to write.
    with db.session() as s:
        quiet = sessions.load_session(s, raw, default_locale="en_US", now=later)
    assert quiet.action is None
    # Past the absolute lifetime the session is over however active it was.
    with db.session() as s:
        over = sessions.load_session(
            s, raw, default_locale="en_US", now=start + sessions.MAX_AGE + timedelta(seconds=1)
        )
    assert over.user is None and over.action == "end"


def test_session_principal_serves_the_shared_current_principal_dependency(app, signed_in):
    @app.get("/whoami-test")
    def whoami(principal: CurrentPrincipal, request: Request) -> dict[str, object]:
        return {"email": principal.email, "company_id": principal.company_id}

    c = signed_in("buyer@b.test")
    r = c.get("/whoami-test")
    assert r.status_code == 200 and r.json()["email"] == "buyer@b.test"


def test_session_cookie_does_not_authenticate_the_api(signed_in):
    c = signed_in("buyer@a.test")
    r = c.get("/api/v1/me")
    assert r.status_code == 401
    assert r.json()["errors"][0]["code"] == "unauthorized"


def test_anonymous_page_request_redirects_to_login_and_back(world, new_client):
    c = new_client()
    r = c.get("/catalog?color=gold", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/catalog%3Fcolor%3Dgold"
    page = c.get(r.headers["location"])
    r = c.post(
        "/login",
        data={
            "email": "buyer@a.test",
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
            "next": "/catalog?color=gold",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/catalog?color=gold"


def test_next_cannot_send_to_another_site(world, new_client):
    c = new_client()
    r = sign_in(c, "buyer@a.test", next="//evil.example/x")
    assert r.headers["location"] == "/catalog"


def test_htmx_request_without_session_gets_hx_redirect(world, new_client):
    c = new_client()
    r = c.get("/catalog", headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.status_code == 200
    assert r.headers["hx-redirect"].startswith("/login")


def test_wrong_password_is_refused_without_saying_which_part(world, new_client):
    c = new_client()
    r = sign_in(c, "buyer@a.test", password="wrong password!")
    assert r.status_code == 401
    assert "not right" in r.text
    r2 = sign_in(c, "nobody@nowhere.test", password="wrong password!")
    assert r2.status_code == 401
    assert "not right" in r2.text
    assert "microbag_session" not in c.cookies


def test_signing_in_sweeps_expired_sessions(world, new_client, db):
    first = new_client()
    sign_in(first, "buyer@a.test")
    with db.session(write=True) as s:
        s.execute(update(WebSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    sign_in(new_client(), "buyer@b.test")
    rows = _session_rows(db)
    assert len(rows) == 1 and rows[0].expires_at > utcnow()
