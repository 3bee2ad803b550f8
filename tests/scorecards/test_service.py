"""Scorecards from a known purchase history (tests/scorecards/history.py): exact on-time,
in-full, defect, lead-time and responsiveness figures per quarter and faded; standings,
the blocking reason purchasing shows; rankings for a SKU and a capability."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import select

from microbag.errors import Conflict, DomainError, NotFound
from microbag.purchasing.models import ReceiptLine
from microbag.scorecards import policies, ranking, service
from microbag.suppliers.models import Supplier, SupplierCertificate
from tests.sourcing_data import add_supplier, add_supplier_price

from .history import TODAY, delivered_po, inspect, known_history

W3 = 0.5 ** (66 / 180)  # 2026-Q3 ended 66 days before TODAY; half-life 180 days


def _weighted_std(pairs: list[tuple[float, float]]) -> float:
    total = sum(w for _, w in pairs)
    mean = sum(d * w for d, w in pairs) / total
    return math.sqrt(sum(w * (d - mean) ** 2 for d, w in pairs) / total)


def test_scorecard_of_a_known_history(db, world) -> None:
    with db.session(write=True) as s:
        sid = known_history(s, world).supplier.id
    with db.session() as s:
        [card] = service.scorecards(s, TODAY)
    assert card.supplier_id == sid and card.code == "GZ-01"
    q1, q2, q3, q4 = card.periods
    assert [p.period.label for p in card.periods] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert q1.metrics.delivered_lines == q2.metrics.delivered_lines == 0
    assert q1.metrics.on_time is None and q2.metrics.defect_rate is None
    # 2026-Q4: two lines, one early (-2 days) in full, one late (+4) and returned.
    assert q4.weight == 1.0
    assert (q4.metrics.delivered_lines, q4.metrics.lines_due) == (2, 2)
    assert q4.metrics.on_time == 0.5 and q4.metrics.in_full == 0.5
    assert q4.metrics.defect_rate == pytest.approx(5 / 45)
    assert q4.metrics.units_inspected == 45
    assert q4.metrics.lead_time_spread == pytest.approx(3.0)
    assert q4.metrics.response_hours == pytest.approx(24.0)
    # 2026-Q3: one line delivered in two drops, complete 10 days late, all accepted.
    assert q3.weight == pytest.approx(W3)
    assert q3.metrics.on_time == 0 and q3.metrics.in_full == 1
    assert q3.metrics.defect_rate == pytest.approx(1 / 20)
    assert q3.metrics.lead_time_spread == 0 and q3.metrics.response_hours == pytest.approx(48)
    # Faded: each fact counts with its quarter's weight.
    v = card.values
    assert v["on_time"] == pytest.approx(1 / (2 + W3))
    assert v["in_full"] == pytest.approx((1 + W3) / (2 + W3))
    assert v["defect_rate"] == pytest.approx((5 + W3) / (45 + 20 * W3))
    assert v["lead_time_spread"] == pytest.approx(_weighted_std([(-2, 1), (4, 1), (10, W3)]))
    assert v["response_hours"] == pytest.approx((24 + 48 * W3) / (1 + W3))
    assert v["price"] is None  # nobody else quotes its SKUs
    assert v["customization"] == 65  # OEM, logo, packaging, 3 bag types, 3 materials
    assert v["certifications"] == 0
    assert card.delivered_lines == 3 and card.units_inspected == 65
    # The overall score is the weighted mean of the metric scores measured.
    expected = policies.overall_score(card.scores, card.weights)
    assert card.standing.score == expected and card.standing.level == policies.level_for(expected)
    assert card.standing.level == "fair"
    assert "over the last 2 periods, 3 delivered lines" in card.standing.reason


def test_older_quarters_fade(db, world) -> None:
    with db.session(write=True) as s:
        known_history(s, world)
    with db.session() as s:
        later = service.scorecards(s, date(2027, 3, 31))[0]  # Q3 2026 now 182 days back
    q3 = next(p for p in later.periods if p.period.label == "2026-Q3")
    q4 = next(p for p in later.periods if p.period.label == "2026-Q4")
    assert q3.weight == pytest.approx(0.5 ** (182 / 180))
    assert q4.weight == pytest.approx(0.5 ** (90 / 180))
    assert later.values["on_time"] == pytest.approx(q4.weight / (2 * q4.weight + q3.weight))


def test_a_thin_record_is_unrated(db, world) -> None:
    with db.session(write=True) as s:
        sup = add_supplier(s, "VN-01", country="VN")
        delivered_po(
            s,
            sup,
            world,
            sent=date(2026, 10, 1),
            confirm_hours=10,
            promised=date(2026, 11, 1),
            deliveries=[
                [(date(2026, 11, 1), 10, "accepted")],
                [(date(2026, 11, 1), 10, "accepted")],
            ],
            quantities=[10, 10],
        )
        sid = sup.id
    with db.session() as s:
        standing = service.standing_for(s, sid, TODAY)
        assert service.standings(s, [sid, 999], TODAY)[999].level == "unrated"
    assert standing.level == "unrated" and standing.score is None
    assert "2 delivered lines (at least 3 needed)" in standing.reason


def bad_supplier(s, world, code: str = "BAD-01") -> Supplier:
    """Three lines promised 2026-10-01, delivered 50 days late, all returned, 30 % of the
    units inspected defective, 200 h to confirm, a lapsed certificate: very poor."""
    sup = add_supplier(s, code, capabilities={})
    po = delivered_po(
        s,
        sup,
        world,
        sent=date(2026, 8, 20),
        confirm_hours=200,
        promised=date(2026, 10, 1),
        deliveries=[[(date(2026, 11, 20), 20, "returned")] for _ in range(3)],
        quantities=[20, 20, 20],
    )
    for line in po.lines:
        lot = s.scalars(select(ReceiptLine).where(ReceiptLine.po_line_id == line.id)).one()
        inspect(s, lot, 20, [("hardware", "major", 6)], date(2026, 11, 21))
    s.add(SupplierCertificate(supplier_id=sup.id, kind="bsci", valid_until=date(2026, 1, 1)))
    s.flush()
    return sup


def test_a_very_poor_supplier_is_blocked_with_the_reason(db, world) -> None:
    with db.session(write=True) as s:
        sid = bad_supplier(s, world).id
    with db.session() as s:
        standing = service.standing_for(s, sid, TODAY)
    assert standing.level == "very_poor" and standing.blocks and not standing.warns
    assert standing.score is not None and standing.score < 30
    assert standing.reason.startswith(f"score {standing.score:.0f}: ")
    assert "200 h to confirm an order" in standing.reason
    assert "pulled it down over the last 2 periods, 3 delivered lines" in standing.reason
    with db.session() as s:
        [card] = service.scorecards(s, TODAY, supplier_ids=[sid])
    assert card.values["on_time"] == 0 and card.values["in_full"] == 0
    assert card.values["defect_rate"] == pytest.approx(0.3)
    assert card.values["lead_time_spread"] == 0
    assert card.lapsed_certificate_kinds == 1 and card.values["certifications"] == 0


def test_purchasing_refuses_a_draft_for_a_very_poor_supplier(db, world) -> None:
    purchasing = pytest.importorskip("microbag.purchasing.service")
    with db.session(write=True) as s:
        sup = bad_supplier(s, world)
        add_supplier_price(s, sup, world.skus["MC-001-GLD"], moq=10, case_pack=10)
        sid = sup.id
    with db.session(write=True) as s, pytest.raises(Conflict) as refused:
        purchasing.create_draft(
            s,
            supplier_id=sid,
            lines=[purchasing.DraftLine(sku_id=world.skus["MC-001-GLD"], quantity=20)],
            actor="merch@seller.test",
            today=TODAY,
        )
    assert refused.value.items[0].code == "supplier_blocked"
    assert "to confirm an order" in refused.value.items[0].message


def test_standings_for_many_suppliers_in_one_call(db, world) -> None:
    with db.session(write=True) as s:
        good = known_history(s, world).supplier.id
        bad = bad_supplier(s, world).id
    with db.session() as s:
        both = service.standings(s, [good, bad], TODAY)
    assert both[good].level == "fair" and both[bad].level == "very_poor"


def test_ranking_for_a_sku_and_for_a_capability(db, world) -> None:
    sku = world.skus["MC-001-GLD"]
    with db.session(write=True) as s:
        good = known_history(s, world).supplier
        bad = bad_supplier(s, world)
        other = add_supplier(s, "ZJ-02", capabilities={"bag_types": ["micro_tote"], "oem": False})
        add_supplier_price(s, good, sku, 1_200, moq=50)
        add_supplier_price(s, bad, sku, 1_000, moq=100)
        add_supplier_price(s, other, sku, 1_100, moq=20, lead_time_days=30)
    with db.session() as s:
        result = ranking.ranking(s, sku="MC-001-GLD", today=TODAY)
        oem = ranking.ranking(s, capability="oem", today=TODAY)
        totes = ranking.ranking(s, bag_type="micro_tote", today=TODAY)
        everyone = ranking.ranking(s, today=TODAY)
    codes = [r.code for r in result.rows]
    assert sorted(codes) == ["BAD-01", "GZ-01", "ZJ-02"] and codes[-1] == "BAD-01"
    assert [r.rank for r in result.rows] == [1, 2, 3]
    assert all(0 <= r.score <= 1 for r in result.rows)
    assert result.rows[0].score >= result.rows[1].score >= result.rows[2].score
    assert {"price", "moq", "on_time"} <= set(result.columns)
    assert sum(result.column_weights.values()) == pytest.approx(1)
    assert result.criterion_weights["quality_capacity"] == 1.0  # from the knowledge file
    bad_row = next(r for r in result.rows if r.code == "BAD-01")
    assert bad_row.moq == 100 and bad_row.standing.level == "very_poor"
    assert bad_row.values["price"] == pytest.approx(1000 / 1100, rel=1e-3)  # landed, rounded
    assert result.moves and 0 <= result.top1_stable_share <= 1
    assert -1 <= result.min_kendall_tau <= 1
    # No candidate holds a valid certificate: that column cannot tell them apart.
    assert "certifications" not in result.columns
    assert {m.criterion for m in result.moves} == {
        "quality_capacity",
        "moq_lead_times",
        "transparency",
        "customization",
        "price",
    }
    assert [r.code for r in oem.rows] == ["GZ-01"]
    assert {r.code for r in totes.rows} == {"GZ-01", "ZJ-02"}  # GZ-01 makes totes too
    assert {r.code for r in everyone.rows} == {"BAD-01", "GZ-01", "ZJ-02"}


def test_ranking_weights_follow_the_knowledge_edits(db, world) -> None:
    from microbag.knowledge.service import edit_fact

    with db.session(write=True) as s:
        edit_fact(
            s,
            "supplier_criteria.price",
            {"importance": "high", "benefit": "Margin", "weight": 5.0},
            "merch@seller.test",
        )
    with db.session() as s:
        assert service.criterion_weights(s)["price"] == 5.0
        assert service.criterion_weights(s, {"price": 0.0})["price"] == 0.0


def test_ranking_refuses_bad_targets(db, world) -> None:
    with db.session() as s:
        with pytest.raises(NotFound) as missing:
            ranking.ranking(s, sku="NOPE")
        assert missing.value.items[0].code == "unknown_sku"
        with pytest.raises(NotFound) as missing_style:
            ranking.ranking(s, style="NOPE")
        assert missing_style.value.items[0].code == "unknown_style"
        for kwargs, code in [
            ({"bag_type": "suitcase"}, "unknown_bag_type"),
            ({"sku": "MC-001-GLD", "style": "MC-001"}, "one_target"),
            ({"weights": {"price": 9.0}}, "invalid_weight"),
            ({"weights": {"luck": 1.0}}, "unknown_criterion"),
        ]:
            with pytest.raises(DomainError) as bad:
                ranking.ranking(s, **kwargs)
            assert bad.value.items[0].code == code
        assert ranking.ranking(s, capability="odm").rows == []
