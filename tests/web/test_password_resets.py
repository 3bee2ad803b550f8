"""Password resets: a new password ends the user's portal sessions; a reset by staff
(the CLI, the staff page) also revokes their API tokens unless told to keep them."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.factories import PASSWORD

from .conftest import csrf_from, sign_in

ADMIN = "admin@seller.test"
SALES = "sales@seller.test"
BUYER_A = "buyer@a.test"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def cli(cli_db, world, monkeypatch):
    from microbag.cli import app

    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input)

    return run


def test_set_password_by_cli_ends_sessions_and_revokes_tokens(cli, db, world, new_client):
    browser = new_client()
    assert sign_in(browser, BUYER_A).status_code == 303
    token = world.auth(BUYER_A)
    api = new_client()
    assert api.get("/api/v1/me", headers=token).status_code == 200
    r = cli("users", "set-password", "--email", BUYER_A, input=NEW_PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert "API tokens revoked" in r.output
    assert browser.get("/catalog", follow_redirects=False).status_code == 303
    assert api.get("/api/v1/me", headers=token).status_code == 401
    assert sign_in(new_client(), BUYER_A, PASSWORD).status_code == 401
    assert sign_in(new_client(), BUYER_A, NEW_PASSWORD).status_code == 303


def test_set_password_keep_tokens_still_ends_sessions(cli, db, world, new_client):
    browser = new_client()
    assert sign_in(browser, BUYER_A).status_code == 303
    token = world.auth(BUYER_A)
    r = cli("users", "set-password", "--email", BUYER_A, "--keep-tokens", input=NEW_PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert browser.get("/catalog", follow_redirects=False).status_code == 303
    assert new_client().get("/api/v1/me", headers=token).status_code == 200


def test_staff_page_resets_a_password_with_or_without_tokens(db, world, new_client):
    admin = new_client()
    assert sign_in(admin, ADMIN).status_code == 303
    buyer = new_client()
    assert sign_in(buyer, BUYER_A).status_code == 303
    token = world.auth(BUYER_A)

    def reset(email: str, **extra: str):
        csrf = csrf_from(admin.get("/staff/users").text)
        data = {"csrf_token": csrf, "email": email, "password": NEW_PASSWORD, **extra}
        return admin.post("/staff/users/password", data=data, follow_redirects=False)

    r = reset(BUYER_A, keep_tokens="1")
    assert r.status_code == 303, r.text
    assert buyer.get("/catalog", follow_redirects=False).status_code == 303
    assert new_client().get("/api/v1/me", headers=token).status_code == 200
    r = reset(BUYER_A)
    assert r.status_code == 303
    assert new_client().get("/api/v1/me", headers=token).status_code == 401
    weak = reset(BUYER_A, password="short")
    assert weak.status_code == 422
    unknown = reset("nobody@x.test")
    assert unknown.status_code == 404 or "no user" in unknown.text.lower()
    sales = new_client()
    assert sign_in(sales, SALES).status_code == 303
    csrf = csrf_from(sales.get("/staff/orders").text)
    r = sales.post(
        "/staff/users/password",
        data={"csrf_token": csrf, "email": BUYER_A, "password": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 403
