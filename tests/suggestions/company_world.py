"""A world where some SKUs cannot be ordered, and a stand-in ranking model (company tests)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from microbag.compliance.models import ComplianceDocument
from microbag.pricing.models import PriceList
from microbag.stock.models import IncomingStock, StockLevel
from microbag.suggestions.engine import BuyerProfile, Suggestion
from microbag.timeutil import utcnow
from tests.factories import add_price, add_sku, add_style

TODAY = utcnow().date()


@dataclass
class StubModel:
    """Ranks a fixed list of SKUs, ignoring ``allowed`` on purpose (unless ``obey``): the
    company code must keep its promise even if the engine did not."""

    ranked: list[tuple[str, int]]
    obey: bool = False
    calls: list[dict] = field(default_factory=list)

    def suggest(
        self,
        buyer_ref: str,
        top_k: int,
        *,
        also_refs: Sequence[str] = (),
        allowed: Collection[str] | None = None,
        profile: BuyerProfile | None = None,
        horizon_weeks: int = 8,
    ) -> list[Suggestion]:
        self.calls.append(
            {"buyer_ref": buyer_ref, "also_refs": tuple(also_refs), "allowed": set(allowed or ())}
        )
        rows = [r for r in self.ranked if not self.obey or allowed is None or r[0] in allowed]
        return [
            Suggestion(sku, rank, units, 1.0 / rank, (f"reordered {sku} often",), "data")
            for rank, (sku, units) in enumerate(rows[:top_k], start=1)
        ]


def _doc(sku_id=None, style_id=None, region="europe", kind="test_report", until=None):
    return ComplianceDocument(
        sku_id=sku_id,
        style_id=style_id,
        region=region,
        kind=kind,
        title=f"{kind} for {region}",
        filename="doc.pdf",
        content_type="application/pdf",
        size_bytes=8,
        sha256="0" * 64,
        data=b"%PDF-1.4",
        valid_until=until,
    )


@pytest.fixture
def blocked_world(db, world):
    """Company A (Europe, EUR list) and SKUs it may or may not order, by reason.

    Orderable: the world's MC-001-GLD, MC-001-BLK, MT-001-RED, CB-001-TAN (stock 100),
    INC-RED (no stock, incoming in 2 weeks), USDOC-RED (an expired US document: not
    Europe's business). Not orderable: OFF-RED (inactive), NOLIST-RED (not on the EUR
    list), EMPTY-RED (no stock, incoming only after the period), EXP-RED (its only
    European test report expired).
    """
    with db.session(write=True) as s:
        style = add_style(s, "XX-001", "micro_tote", (120, 100, 60), name="Test Tote")
        eur = s.get(PriceList, world.price_lists["EUR"])
        codes = {}
        for code in ("OFF-RED", "NOLIST-RED", "EMPTY-RED", "EXP-RED", "INC-RED", "USDOC-RED"):
            sku = add_sku(s, style, code, "red", "canvas")
            codes[code] = sku.id
            if code != "NOLIST-RED":
                add_price(s, eur, sku, [(6, 2000), (24, 1800)], moq=6, case_pack=6)
            on_hand = 0 if code in ("EMPTY-RED", "INC-RED") else 100
            s.add(StockLevel(sku_id=sku.id, warehouse_id=world.warehouse, on_hand=on_hand))
        off = s.get(type(sku), codes["OFF-RED"])
        off.lifecycle = "discontinued"
        s.add(
            IncomingStock(
                sku_id=codes["INC-RED"],
                warehouse_id=world.warehouse,
                quantity=60,
                expected_date=TODAY + timedelta(weeks=2),
            )
        )
        s.add(
            IncomingStock(
                sku_id=codes["EMPTY-RED"],
                warehouse_id=world.warehouse,
                quantity=60,
                expected_date=TODAY + timedelta(weeks=30),
            )
        )
        s.add(_doc(sku_id=codes["EXP-RED"], until=TODAY - timedelta(days=1)))
        s.add(_doc(sku_id=codes["USDOC-RED"], region="us", until=date(2001, 1, 1)))
        # A valid and an expired report of the same kind: the valid one counts.
        s.add(_doc(sku_id=world.skus["MC-001-BLK"], until=TODAY - timedelta(days=3)))
        s.add(_doc(sku_id=world.skus["MC-001-BLK"], until=TODAY + timedelta(days=300)))
        s.flush()
    return world


ORDERABLE = {"MC-001-GLD", "MC-001-BLK", "MT-001-RED", "CB-001-TAN", "INC-RED", "USDOC-RED"}
NOT_ORDERABLE = {"OFF-RED", "NOLIST-RED", "EMPTY-RED", "EXP-RED"}
