"""Every API route is covered for company isolation and role checks.

The tables below are the access policy as a specification. A route the app has but
the tables lack fails ``test_every_route_is_covered``: add it here with its rule.
"""

from __future__ import annotations

import re

import pytest

from microbag.suggestions.models import SentSuggestion

STAFF = ("admin@seller.test", "sales@seller.test", "merch@seller.test")
BUYERS_A = ("owner@a.test", "buyer@a.test", "viewer@a.test")
BUYERS_B = ("owner@b.test", "buyer@b.test", "viewer@b.test")
ROLE_OF = {
    "admin@seller.test": "admin",
    "sales@seller.test": "sales",
    "merch@seller.test": "merchandiser",
    "owner@a.test": "owner",
    "buyer@a.test": "buyer",
    "viewer@a.test": "viewer",
}

ANY = frozenset({"admin", "sales", "merchandiser", "owner", "buyer", "viewer"})
ALL_STAFF = frozenset({"admin", "sales", "merchandiser"})
ALL_BUYERS = frozenset({"owner", "buyer", "viewer"})
BUYER_WRITE = frozenset({"owner", "buyer"})
SALES = frozenset({"admin", "sales"})
MERCH = frozenset({"admin", "merchandiser"})
ADMIN = frozenset({"admin"})

# (method, path) -> roles allowed to call it at all.
ACCESS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/me"): ANY,
    ("GET", "/api/v1/me/tokens"): ANY,
    ("POST", "/api/v1/me/tokens"): ANY,
    ("POST", "/api/v1/me/tokens/{token_id}/revoke"): ANY,
    ("GET", "/api/v1/staff-users"): ADMIN,
    ("POST", "/api/v1/staff-users"): ADMIN,
    ("PATCH", "/api/v1/staff-users/{user_id}"): ADMIN,
    ("GET", "/api/v1/companies"): ALL_STAFF,
    ("POST", "/api/v1/companies"): SALES,
    ("GET", "/api/v1/companies/{company_id}"): ALL_STAFF,
    ("PATCH", "/api/v1/companies/{company_id}"): SALES,
    ("GET", "/api/v1/companies/{company_id}/users"): ALL_STAFF,
    ("POST", "/api/v1/companies/{company_id}/users"): SALES,
    ("GET", "/api/v1/my/company"): ALL_BUYERS,
    ("GET", "/api/v1/my/users"): ALL_BUYERS,
    ("POST", "/api/v1/my/users"): frozenset({"owner"}),
    ("GET", "/api/v1/skus"): ANY,
    ("GET", "/api/v1/skus/{sku}"): ANY,
    ("PATCH", "/api/v1/skus/{sku}"): MERCH,
    ("GET", "/api/v1/styles"): ALL_STAFF,
    ("POST", "/api/v1/styles"): MERCH,
    ("GET", "/api/v1/styles/{style_id}"): ALL_STAFF,
    ("PATCH", "/api/v1/styles/{style_id}"): MERCH,
    ("POST", "/api/v1/styles/{style_id}/skus"): MERCH,
    ("POST", "/api/v1/styles/{style_id}/activate"): MERCH,
    ("POST", "/api/v1/styles/{style_id}/discontinue"): MERCH,
    ("POST", "/api/v1/catalog/imports"): MERCH,
    ("GET", "/api/v1/skus/{sku}/compliance-documents"): ANY,
    ("POST", "/api/v1/compliance-documents"): MERCH,
    ("GET", "/api/v1/compliance-documents/{document_id}"): ANY,
    ("DELETE", "/api/v1/compliance-documents/{document_id}"): MERCH,
    ("GET", "/api/v1/price-lists"): ALL_STAFF,
    ("POST", "/api/v1/price-lists"): SALES,
    ("GET", "/api/v1/price-lists/{price_list_id}"): ALL_STAFF,
    ("PATCH", "/api/v1/price-lists/{price_list_id}"): SALES,
    ("GET", "/api/v1/price-lists/{price_list_id}/items"): ALL_STAFF,
    ("PUT", "/api/v1/price-lists/{price_list_id}/items/{sku}"): SALES,
    ("DELETE", "/api/v1/price-lists/{price_list_id}/items/{sku}"): SALES,
    ("GET", "/api/v1/my/price-list"): ALL_BUYERS,
    ("GET", "/api/v1/warehouses"): ALL_STAFF,
    ("POST", "/api/v1/warehouses"): MERCH,
    ("GET", "/api/v1/stock"): ALL_STAFF,
    ("PUT", "/api/v1/stock/{sku}/{warehouse_code}"): MERCH,
    ("GET", "/api/v1/incoming"): ALL_STAFF,
    ("POST", "/api/v1/incoming"): MERCH,
    ("POST", "/api/v1/incoming/{incoming_id}/receive"): MERCH,
    ("GET", "/api/v1/orders"): ANY,
    ("POST", "/api/v1/orders"): BUYER_WRITE,
    ("GET", "/api/v1/orders/{order_id}"): ANY,
    ("POST", "/api/v1/orders/{order_id}/cancel"): BUYER_WRITE | SALES,
    ("POST", "/api/v1/orders/{order_id}/confirm"): SALES,
    ("POST", "/api/v1/orders/{order_id}/ship"): SALES,
    ("POST", "/api/v1/orders/{order_id}/deliver"): SALES,
    ("POST", "/api/v1/orders/{order_id}/mark-paid"): SALES,
    ("GET", "/api/v1/quotes"): ANY,
    ("POST", "/api/v1/quotes"): BUYER_WRITE,
    ("GET", "/api/v1/quotes/{quote_id}"): ANY,
    ("POST", "/api/v1/quotes/{quote_id}/artworks"): BUYER_WRITE,
    ("GET", "/api/v1/quotes/{quote_id}/artworks/{artwork_id}"): ANY,
    ("POST", "/api/v1/quotes/{quote_id}/answer"): SALES,
    ("POST", "/api/v1/quotes/{quote_id}/accept"): BUYER_WRITE,
    ("POST", "/api/v1/quotes/{quote_id}/decline"): BUYER_WRITE,
    ("POST", "/api/v1/quotes/{quote_id}/cancel"): BUYER_WRITE,
    ("GET", "/api/v1/trends"): ALL_STAFF,
    ("GET", "/api/v1/trends/{attribute}/{value}"): ALL_STAFF,
    ("GET", "/api/v1/signals"): ALL_STAFF,
    ("GET", "/api/v1/forecasts"): ALL_STAFF,
    ("GET", "/api/v1/forecasts/backtest"): ALL_STAFF,
    ("GET", "/api/v1/suggestions"): ALL_BUYERS,
    ("GET", "/api/v1/suggestions/sent"): ALL_BUYERS,
    ("GET", "/api/v1/suggestions/sent/{suggestion_id}"): ALL_BUYERS,
    ("POST", "/api/v1/suggestions/to-cart"): BUYER_WRITE,
    ("POST", "/api/v1/suggestions/to-quote"): BUYER_WRITE,
    ("GET", "/api/v1/companies/{company_id}/suggestions"): ALL_STAFF,
    ("POST", "/api/v1/companies/{company_id}/suggestions/send"): SALES,
    ("GET", "/api/v1/companies/{company_id}/suggestions/sent"): ALL_STAFF,
    ("GET", "/api/v1/companies/{company_id}/customer-links"): ALL_STAFF,
    ("POST", "/api/v1/companies/{company_id}/customer-links"): SALES,
    ("DELETE", "/api/v1/companies/{company_id}/customer-links/{customer_ref}"): SALES,
    ("GET", "/api/v1/knowledge"): ALL_STAFF,
    ("GET", "/api/v1/knowledge/{key}"): ALL_STAFF,
    ("PUT", "/api/v1/knowledge/{key}"): MERCH,
    ("DELETE", "/api/v1/knowledge/{key}"): MERCH,
    ("GET", "/api/v1/skus/{code}/together"): ANY,
    ("POST", "/api/v1/bundles/together"): ANY,
    ("GET", "/api/v1/bundle-offers"): ALL_STAFF,
    ("POST", "/api/v1/bundle-offers"): SALES,
    ("PUT", "/api/v1/bundle-offers/{offer_id}/active"): SALES,
    ("GET", "/api/v1/orders/{order_id}/bundle-discounts"): ANY,
    ("POST", "/api/v1/bundles/mine"): MERCH,
    ("GET", "/api/v1/range-plans"): ALL_STAFF,
    ("POST", "/api/v1/range-plans"): MERCH,
    ("GET", "/api/v1/range-plans/{plan_id}"): ALL_STAFF,
    ("GET", "/api/v1/range-plans/{plan_id}/export"): ALL_STAFF,
    # ---- sourcing (issue 10): each package adds its routes in its own block ----
    # suppliers (begin)
    ("GET", "/api/v1/suppliers"): ALL_STAFF,
    ("POST", "/api/v1/suppliers"): MERCH,
    ("GET", "/api/v1/suppliers/{supplier_id}"): ALL_STAFF,
    ("PATCH", "/api/v1/suppliers/{supplier_id}"): MERCH,
    ("GET", "/api/v1/suppliers/{supplier_id}/prices"): ALL_STAFF,
    ("POST", "/api/v1/suppliers/{supplier_id}/prices"): MERCH,
    ("PATCH", "/api/v1/supplier-prices/{price_id}"): MERCH,
    ("POST", "/api/v1/supplier-prices/imports"): MERCH,
    ("GET", "/api/v1/suppliers/{supplier_id}/certificates"): ALL_STAFF,
    ("POST", "/api/v1/suppliers/{supplier_id}/certificates"): MERCH,
    ("GET", "/api/v1/supplier-certificates/{certificate_id}"): ALL_STAFF,
    ("DELETE", "/api/v1/supplier-certificates/{certificate_id}"): MERCH,
    ("GET", "/api/v1/supplier-offers"): ALL_STAFF,
    # suppliers (end)
    # purchasing (begin)
    ("GET", "/api/v1/purchase-orders"): ALL_STAFF,
    ("POST", "/api/v1/purchase-orders"): MERCH,
    ("GET", "/api/v1/purchase-orders/{po_id}"): ALL_STAFF,
    ("PATCH", "/api/v1/purchase-orders/{po_id}"): MERCH,
    ("POST", "/api/v1/purchase-orders/{po_id}/send"): MERCH,
    ("POST", "/api/v1/purchase-orders/{po_id}/confirm"): MERCH,
    ("POST", "/api/v1/purchase-orders/{po_id}/cancel"): MERCH,
    ("POST", "/api/v1/purchase-orders/{po_id}/close"): MERCH,
    ("GET", "/api/v1/purchase-orders/{po_id}/pdf"): ALL_STAFF,
    ("GET", "/api/v1/purchase-orders/{po_id}/receipts"): ALL_STAFF,
    ("POST", "/api/v1/purchase-orders/{po_id}/receipts"): MERCH,
    ("GET", "/api/v1/lots"): ALL_STAFF,
    ("GET", "/api/v1/lots/{lot_id}"): ALL_STAFF,
    # purchasing (end)
    # inspection (begin)
    ("GET", "/api/v1/sampling-plan"): ALL_STAFF,
    ("POST", "/api/v1/lots/{lot_id}/inspections"): MERCH,
    ("GET", "/api/v1/lots/{lot_id}/inspections"): ALL_STAFF,
    ("GET", "/api/v1/inspections/{inspection_id}"): ALL_STAFF,
    ("POST", "/api/v1/inspections/{inspection_id}/photos"): MERCH,
    ("GET", "/api/v1/inspection-photos/{photo_id}"): ALL_STAFF,
    ("POST", "/api/v1/lots/{lot_id}/decision"): MERCH,
    ("POST", "/api/v1/lots/{lot_id}/rework-done"): MERCH,
    # inspection (end)
    # scorecards (begin)
    ("GET", "/api/v1/scorecards"): ALL_STAFF,
    ("GET", "/api/v1/suppliers/{supplier_id}/scorecard"): ALL_STAFF,
    ("GET", "/api/v1/supplier-rankings"): ALL_STAFF,
    # scorecards (end)
    # reorder (begin)
    ("GET", "/api/v1/reorder-suggestions"): ALL_STAFF,
    ("POST", "/api/v1/reorder-suggestions/drafts"): MERCH,
    ("POST", "/api/v1/range-plans/{plan_id}/purchase-drafts"): MERCH,
    # reorder (end)
    # ---- issue 11: each package adds its routes in its own block ----
    # addresses (begin)
    ("GET", "/api/v1/companies/{company_id}/addresses"): ALL_STAFF,
    ("POST", "/api/v1/companies/{company_id}/addresses"): SALES,
    ("DELETE", "/api/v1/companies/{company_id}/addresses/{address_id}"): SALES,
    ("GET", "/api/v1/my/addresses"): ALL_BUYERS,
    ("POST", "/api/v1/my/addresses"): frozenset({"owner"}),
    ("DELETE", "/api/v1/my/addresses/{address_id}"): frozenset({"owner"}),
    # addresses (end)
    # orders-terms (begin)
    ("GET", "/api/v1/warehouses/{warehouse_code}/regions"): ALL_STAFF,
    ("PUT", "/api/v1/warehouses/{warehouse_code}/regions"): MERCH,
    # orders-terms (end)
    # drops (begin)
    ("GET", "/api/v1/drops"): ANY,
    ("POST", "/api/v1/drops"): MERCH,
    ("GET", "/api/v1/drops/{drop_id}"): ANY,
    ("PATCH", "/api/v1/drops/{drop_id}"): MERCH,
    ("POST", "/api/v1/drops/{drop_id}/open"): MERCH,
    ("POST", "/api/v1/drops/{drop_id}/close"): MERCH,
    ("POST", "/api/v1/drops/{drop_id}/allocate"): MERCH,
    ("GET", "/api/v1/drops/{drop_id}/requests"): ALL_STAFF,
    ("PUT", "/api/v1/drops/{drop_id}/requests"): BUYER_WRITE,
    ("DELETE", "/api/v1/drops/{drop_id}/requests"): BUYER_WRITE,
    # drops (end)
    # notifications (begin)
    ("GET", "/api/v1/me/notification-preferences"): ANY,
    ("PUT", "/api/v1/me/notification-preferences"): ANY,
    ("GET", "/api/v1/mail"): ALL_STAFF,
    ("GET", "/api/v1/mail/{message_id}"): ALL_STAFF,
    ("POST", "/api/v1/mail/{message_id}/retry"): ADMIN,
    # notifications (end)
    # audit (begin)
    ("GET", "/api/v1/audit"): ALL_STAFF,
    ("GET", "/api/v1/audit/export"): ALL_STAFF,
    # audit (end)
    # fulfilment (issue 11): shipments, carriers, the waiting queue
    ("GET", "/api/v1/orders/{order_id}/shipments"): ANY,
    ("POST", "/api/v1/orders/{order_id}/shipments"): SALES,
    ("POST", "/api/v1/orders/{order_id}/shipments/{number}/deliver"): SALES,
    ("PUT", "/api/v1/orders/{order_id}/lines/{line_no}/queue-priority"): SALES,
    ("GET", "/api/v1/backorders"): ALL_STAFF,
    ("POST", "/api/v1/backorders/fill"): SALES,
    ("GET", "/api/v1/carriers"): ANY,
}

# Path parameters that name an object owned by one buyer company (or one user).
# For these, company B's users must get 404 for company A's object.
# (A compliance document is not owned by a company but by a market: the fixture's is for
# company A's region, so company B's users must not see it either.)
OWNED_PARAMS = {
    "address_id",
    "order_id",
    "quote_id",
    "artwork_id",
    "token_id",
    "document_id",
    "suggestion_id",
}


def api_routes(app) -> list[tuple[str, str]]:
    routes = []
    for path, ops in app.openapi()["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method in ops:
            routes.append((method.upper(), path))
    return sorted(routes)


def test_every_route_is_covered(app):
    routes = api_routes(app)
    missing = [r for r in routes if r not in ACCESS]
    assert not missing, (
        f"routes without an isolation/role rule in tests/test_isolation.py: {missing}"
    )
    stale = [r for r in ACCESS if r not in routes]
    assert not stale, f"rules for routes the app no longer has: {stale}"


@pytest.fixture
def objects(client, world, db):
    """Objects of company A (and ids of staff-side objects) to fill path parameters."""
    a = world.auth("buyer@a.test")
    order = client.post(
        "/api/v1/orders",
        json={"lines": [{"sku": "MC-001-GLD", "quantity": 12}]},
        headers={**a, "Idempotency-Key": "iso-1"},
    )
    assert order.status_code == 201, order.text
    quote = client.post(
        "/api/v1/quotes",
        json={"kind": "oem", "lines": [{"sku": "MC-001-GLD", "quantity": 2}], "notes": "logo"},
        headers=a,
    )
    assert quote.status_code == 201, quote.text
    art = client.post(
        f"/api/v1/quotes/{quote.json()['id']}/artworks",
        files={"file": ("logo.png", PNG, "image/png")},
        headers=a,
    )
    assert art.status_code == 201, art.text
    token = client.get("/api/v1/me/tokens", headers=world.auth("owner@a.test"))
    assert token.status_code == 200, token.text
    address = client.post(
        "/api/v1/my/addresses",
        json={
            "kind": "shipping",
            "line1": "1 Main St",
            "city": "Austin",
            "region": "TX",
            "postal_code": "78701",
            "country": "US",
        },
        headers=world.auth("owner@a.test"),
    )
    assert address.status_code == 201, address.text
    staff_user = client.get("/api/v1/staff-users", headers=world.auth("admin@seller.test"))
    assert staff_user.status_code == 200, staff_user.text
    incoming = client.get("/api/v1/incoming", headers=world.auth("admin@seller.test"))
    assert incoming.status_code == 200, incoming.text
    styles = client.get("/api/v1/styles", headers=world.auth("admin@seller.test"))
    document = client.post(
        "/api/v1/compliance-documents",
        data={"sku": "MC-001-GLD", "region": "europe", "kind": "test_report", "title": "EN"},
        files={"file": ("report.pdf", b"%PDF-1.4 test", "application/pdf")},
        headers=world.auth("merch@seller.test"),
    )
    assert document.status_code == 201, document.text
    with db.session(write=True) as s:  # a suggested order sent to company A
        sent = SentSuggestion(company_id=world.company_a, currency="EUR", lines=[])
        s.add(sent)
        s.flush()
        suggestion_id = sent.id
    return {
        "order_id": order.json()["id"],
        "quote_id": quote.json()["id"],
        "artwork_id": art.json()["id"],
        "document_id": document.json()["id"],
        "token_id": _first_id(token.json()),
        "user_id": _first_id(staff_user.json()),
        "company_id": world.company_a,
        "style_id": _first_id(styles.json()),
        "price_list_id": world.price_lists["EUR"],
        "incoming_id": _first_id(incoming.json()),
        "sku": "MC-001-GLD",
        "warehouse_code": "MAIN",
        "attribute": "color",
        "value": "red",
        "suggestion_id": suggestion_id,
        "customer_ref": "17850",
        "key": "segment_types.boutique",
        "code": "MC-001-GLD",
        "offer_id": 1,  # staff-side objects: a missing one answers 404 to allowed roles
        "plan_id": 1,
        "supplier_id": 1,  # suppliers: staff-side, a missing one answers 404
        "price_id": 1,
        "certificate_id": 1,
        "po_id": 1,  # purchasing: staff-side, a missing one answers 404
        "lot_id": 1,
        "inspection_id": 1,  # inspection: staff-side, a missing one answers 404
        "photo_id": 1,
        "drop_id": 1,  # drops: not company-owned; a missing one answers 404
        "message_id": 1,  # mail outbox: staff-side, a missing one answers 404
        "address_id": address.json()["id"],
        "number": 1,  # the order's first shipment (none yet: 404 to allowed roles)
        "line_no": 1,
    }


def _first_id(payload) -> int:
    items = payload["items"] if isinstance(payload, dict) and "items" in payload else payload
    return int(items[0]["id"])


PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _call(client, method: str, path: str, url: str, headers: dict):
    """A request with a body valid enough to reach the object lookup."""
    if path.endswith("/artworks"):
        return client.request(
            method, url, headers=headers, files={"file": ("a.png", PNG, "image/png")}
        )
    return client.request(method, url, headers=headers, json={})


def _fill(path: str, objects: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(objects[m.group(1)]), path)


def test_other_company_gets_404_for_owned_objects(client, world, objects, app):
    checked = 0
    for method, path in api_routes(app):
        params = set(re.findall(r"\{(\w+)\}", path))
        if not params & OWNED_PARAMS:
            continue
        url = _fill(path, objects)
        for email in BUYERS_B:
            r = _call(client, method, path, url, world.auth(email))
            role = email.split("@")[0]
            if role not in ACCESS[(method, path)]:
                # A role that may never call the route is refused before any lookup.
                assert r.status_code in (403, 404), (method, url, email, r.status_code)
            else:
                assert r.status_code == 404, (method, url, email, r.status_code, r.text)
                assert r.json()["errors"][0]["code"]  # the one error shape
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("email", [*STAFF, *BUYERS_A])
def test_write_routes_check_the_role(client, world, objects, app, email):
    role = ROLE_OF[email]
    for method, path in api_routes(app):
        if method == "GET":
            continue
        values = dict(objects)
        if "{token_id}" in path:
            # Revoke a token made for this call, not the one the test signs in with.
            made = client.post("/api/v1/me/tokens", json={"name": "x"}, headers=world.auth(email))
            values["token_id"] = made.json()["id"]
        url = _fill(path, values)
        # An empty body: allowed roles get past the role check (and then 4xx on the body);
        # forbidden roles are refused with 403 before anything changes.
        r = client.request(method, url, headers=world.auth(email), json={})
        assert r.status_code < 500, (method, url, email, r.status_code, r.text)
        if role in ACCESS[(method, path)]:
            assert r.status_code != 403, (method, url, email, r.text)
        else:
            assert r.status_code == 403, (method, url, email, r.status_code, r.text)


def test_every_api_route_requires_a_token(client, objects, app):
    for method, path in api_routes(app):
        r = client.request(method, _fill(path, objects), json={})
        assert r.status_code == 401, (method, path, r.status_code)
