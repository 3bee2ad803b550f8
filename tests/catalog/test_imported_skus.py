"""SKUs for products first seen in imported sales history, created by the catalog's service.

The history import creates them through ``catalog.service`` (the catalog's tables are
written only by the catalog); this checks the service's side of that in one bulk call.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from microbag.catalog import service
from microbag.catalog.models import Sku, Style
from microbag.db import Database


def test_bulk_creation_groups_skus_under_discontinued_placeholder_styles(db: Database) -> None:
    products = [
        service.ImportedSku(
            code=f"LB-{i:04d}",
            description=f"LUNCH BAG NO {i}",
            bag_type="lunch_bag",
            color="red",
            attributes={"bag_type": "lunch_bag", "source": "uci"},
        )
        for i in range(2500)  # more than one INSERT chunk
    ] + [service.ImportedSku(code="21212", description="PACK OF 72 CAKE CASES")]
    with db.session(write=True) as s:
        ids = service.create_imported_skus(s, products)
    assert set(ids) == {p.code for p in products}

    with db.session() as s:
        assert service.sku_ids_by_code(s, ["LB-0007", "21212", "NOPE"]) == {
            "LB-0007": ids["LB-0007"],
            "21212": ids["21212"],
        }
        lunch = s.scalars(select(Sku).where(Sku.code == "LB-0007")).one()
        assert lunch.is_imported and lunch.lifecycle == "discontinued"
        assert (lunch.color, lunch.material) == ("red", "unknown")
        assert lunch.attributes == {"bag_type": "lunch_bag", "source": "uci"}
        assert "lunch bag" in lunch.search_text and "lb-0007" in lunch.search_text
        assert lunch.style.code == "IMPORTED-LUNCH_BAG"
        assert lunch.style.lifecycle == "discontinued" and lunch.style.bag_type == "lunch_bag"
        other = s.scalars(select(Sku).where(Sku.code == "21212")).one()
        assert other.style.code == "IMPORTED-OTHER" and other.color == "unknown"
        rows = s.execute(select(Style.code, func.count(Sku.id)).join(Sku).group_by(Style.code))
        per_style = {code: count for code, count in rows}
        assert per_style == {"IMPORTED-LUNCH_BAG": 2500, "IMPORTED-OTHER": 1}


def test_a_later_import_reuses_the_placeholder_style(db: Database) -> None:
    with db.session(write=True) as s:
        first = service.create_imported_skus(
            s, [service.ImportedSku(code="A1", description="A", bag_type="tote")]
        )
    with db.session(write=True) as s:
        second = service.create_imported_skus(
            s, [service.ImportedSku(code="B1", description="B", bag_type="tote")]
        )
        assert s.get(Sku, first["A1"]).style_id == s.get(Sku, second["B1"]).style_id
        assert s.scalar(select(func.count(Style.id))) == 1


def test_known_codes_are_refused_not_duplicated(db: Database) -> None:
    product = service.ImportedSku(code="X1", description="X")
    with db.session(write=True) as s:
        service.create_imported_skus(s, [product])
    with pytest.raises(IntegrityError), db.session(write=True) as s:
        service.create_imported_skus(s, [product])
