"""Accounts over HTTP: /me, one's own tokens, staff users (admins only)."""

from __future__ import annotations

ADMIN, SALES, MERCH = "admin@seller.test", "sales@seller.test", "merch@seller.test"


def codes(response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def test_me_for_a_buyer_and_for_staff(client, world):
    r = client.get("/api/v1/me", headers=world.auth("viewer@a.test"))
    assert r.status_code == 200
    body = r.json()
    assert (body["email"], body["role"], body["is_staff"]) == ("viewer@a.test", "viewer", False)
    assert body["company"] == {"id": world.company_a, "name": "Atelier Petit (Paris)"}
    r = client.get("/api/v1/me", headers=world.auth(MERCH))
    assert (r.json()["role"], r.json()["company"], r.json()["is_staff"]) == (
        "merchandiser",
        None,
        True,
    )
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and codes(r) == ["unauthorized"]
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer mb_nope"}).status_code == 401


def test_tokens_create_once_list_and_revoke(client, world):
    h = world.auth("buyer@b.test")
    r = client.post("/api/v1/me/tokens", json={"name": "warehouse scanner"}, headers=h)
    assert r.status_code == 201
    created = r.json()
    token = created["token"]
    assert token.startswith(created["prefix"]) and created["revoked_at"] is None
    mine = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=mine).json()["email"] == "buyer@b.test"
    r = client.get("/api/v1/me/tokens", headers=h)
    assert r.json()["total"] == 2
    listed = r.json()["items"][0]
    assert listed["id"] == created["id"] and "token" not in listed
    assert set(listed) == {"id", "prefix", "name", "created_at", "last_used_at", "revoked_at"}
    # Another user, even of the same company, cannot revoke it: 404.
    r = client.post(f"/api/v1/me/tokens/{created['id']}/revoke", headers=world.auth("owner@b.test"))
    assert r.status_code == 404
    r = client.post(f"/api/v1/me/tokens/{created['id']}/revoke", headers=world.auth(ADMIN))
    assert r.status_code == 404
    r = client.post(f"/api/v1/me/tokens/{created['id']}/revoke", headers=h)
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=mine).status_code == 401
    assert client.get("/api/v1/me", headers=h).status_code == 200
    r = client.post("/api/v1/me/tokens/999999/revoke", headers=h)
    assert r.status_code == 404


def test_token_name_is_validated(client, world):
    h = world.auth(ADMIN)
    assert client.post("/api/v1/me/tokens", json={"name": "x" * 101}, headers=h).status_code == 422
    assert client.post("/api/v1/me/tokens", json={"name": "a\x00b"}, headers=h).status_code == 422
    assert client.post("/api/v1/me/tokens", json={}, headers=h).status_code == 201


def test_staff_users_admin_only(client, world):
    for email in (SALES, MERCH, "owner@a.test"):
        h = world.auth(email)
        assert client.get("/api/v1/staff-users", headers=h).status_code == 403
        r = client.post(
            "/api/v1/staff-users", json={"email": "n@seller.test", "role": "sales"}, headers=h
        )
        assert r.status_code == 403
        assert (
            client.patch("/api/v1/staff-users/1", json={"is_active": False}, headers=h).status_code
            == 403
        )
    r = client.get("/api/v1/staff-users", params={"role": "sales"}, headers=world.auth(ADMIN))
    assert r.status_code == 200 and [u["email"] for u in r.json()["items"]] == [SALES]


def test_admin_creates_and_changes_staff_users(client, world):
    h = world.auth(ADMIN)
    r = client.post(
        "/api/v1/staff-users",
        json={
            "email": "New.Merch@Seller.test",
            "name": "Nia",
            "role": "merchandiser",
            "password": "a long password",
        },
        headers=h,
    )
    assert r.status_code == 201
    new = r.json()
    assert (new["email"], new["role"], new["is_active"]) == (
        "new.merch@seller.test",
        "merchandiser",
        True,
    )
    r = client.post(
        "/api/v1/staff-users", json={"email": "new.merch@seller.test", "role": "sales"}, headers=h
    )
    assert r.status_code == 409 and codes(r) == ["email_taken"]
    r = client.post(
        "/api/v1/staff-users", json={"email": "x@seller.test", "role": "owner"}, headers=h
    )
    assert r.status_code == 422
    r = client.patch(f"/api/v1/staff-users/{new['id']}", json={"role": "sales"}, headers=h)
    assert r.status_code == 200 and r.json()["role"] == "sales"
    # A buyer's user id is not a staff user.
    r = client.get("/api/v1/me", headers=world.auth("owner@a.test"))
    r = client.patch(f"/api/v1/staff-users/{r.json()['id']}", json={"role": "admin"}, headers=h)
    assert r.status_code == 404
    me = client.get("/api/v1/me", headers=h).json()["id"]
    r = client.patch(f"/api/v1/staff-users/{me}", json={"is_active": False}, headers=h)
    assert r.status_code == 409 and codes(r) == ["last_admin"]


def test_deactivated_users_tokens_fail_at_once(client, world):
    sales = world.auth(SALES)
    sales_id = client.get("/api/v1/me", headers=sales).json()["id"]
    assert client.get("/api/v1/price-lists", headers=sales).status_code == 200
    r = client.patch(
        f"/api/v1/staff-users/{sales_id}", json={"is_active": False}, headers=world.auth(ADMIN)
    )
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert client.get("/api/v1/price-lists", headers=sales).status_code == 401
    assert client.get("/api/v1/me", headers=sales).status_code == 401
    r = client.patch(
        f"/api/v1/staff-users/{sales_id}", json={"is_active": True}, headers=world.auth(ADMIN)
    )
    assert client.get("/api/v1/me", headers=sales).status_code == 200
