"""The staff company page shows the company's order terms and its addresses (default and
retired ones marked)."""

from __future__ import annotations

import pytest

from microbag.buyers import service
from tests.web.conftest import new_client, signed_in

__all__ = ["new_client", "signed_in"]

pytestmark = pytest.mark.db


def test_staff_company_page_lists_addresses(signed_in, db, world):
    address = {"kind": "shipping", "line1": "12 rue du Bac", "city": "Paris", "country": "FR"}
    with db.session(write=True) as s:
        first = service.add_address(s, world.company_a, {**address, "postal_code": "75007"})
        service.add_address(
            s, world.company_a, {**address, "postal_code": "75008"}, make_default=True
        )
        service.deactivate_address(s, world.company_a, first.id)
    sales = signed_in("sales@seller.test")
    page = sales.get(f"/staff/companies/{world.company_a}")
    assert page.status_code == 200
    assert 'id="company-addresses"' in page.text
    assert "Incoterm DAP" in page.text and "PO number optional" in page.text
    assert "12 rue du Bac, Paris, 75008, FR</td><td>Default" in page.text
    assert "75007, FR</td><td>Retired" in page.text
    other = sales.get(f"/staff/companies/{world.company_b}")
    assert "No addresses yet" in other.text and "rue du Bac" not in other.text
