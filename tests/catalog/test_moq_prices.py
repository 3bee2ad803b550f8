"""The catalog grid's "from" prices: the unit price at the MOQ, from catalog.service."""

from __future__ import annotations

import pytest

from microbag.catalog import service
from microbag.errors import NotFound


def test_unit_price_at_the_moq_per_code_on_the_company_list(db, world):
    with db.session() as s:
        prices = service.moq_prices(s, world.company_a, ["MC-001-GLD", "CB-001-TAN", "NO-SUCH"])
    # Company A buys on the default EUR list: 45.00 a unit from the MOQ of 6.
    assert prices == {"MC-001-GLD": 4_500, "CB-001-TAN": 4_500}


def test_no_company_or_no_codes_means_no_prices(db, world):
    with db.session() as s:
        assert service.moq_prices(s, None, ["MC-001-GLD"]) == {}
        assert service.moq_prices(s, world.company_a, []) == {}
        with pytest.raises(NotFound):
            service.moq_prices(s, 999_999, ["MC-001-GLD"])
