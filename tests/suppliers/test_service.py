"""Suppliers, prices, offers and landed costs on the database."""

from __future__ import annotations

from datetime import date

import pytest

from microbag.config import get_settings
from microbag.errors import DomainError
from microbag.rangeplan import service as rangeplan
from microbag.suppliers import certificates, service
from tests.sourcing_data import add_supplier, add_supplier_price

TODAY = date(2026, 6, 1)


@pytest.fixture
def fixed_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Landed cost = cost converted + 10% freight, no buffer, duty 0 (VN) or 20%."""
    s = get_settings()
    monkeypatch.setattr(s, "base_currency", "USD")
    monkeypatch.setattr(s, "fx_rates", {"USD": 1.0, "EUR": 1.1, "CNY": 0.14, "JPY": 0.0065})
    monkeypatch.setattr(s, "landed_fx_buffer_percent", 0.0)
    monkeypatch.setattr(s, "landed_freight_percent", 10.0)
    monkeypatch.setattr(s, "landed_duty_percent", 20.0)
    monkeypatch.setattr(s, "landed_duty_by_country", {"VN": 0.0})


def test_create_update_list_suppliers(db, world) -> None:
    with db.session(write=True) as s:
        a = service.create_supplier(
            s,
            {
                "code": "VN-01",
                "name": "Saigon Bags",
                "country": "vn",
                "currency": "USD",
                "capabilities": {"bag_types": ["micro_tote"], "odm": True},
            },
        )
        service.create_supplier(
            s, {"code": "IT-01", "name": "Firenze", "country": "IT", "currency": "EUR"}
        )
        assert a.country == "VN"
        assert a.capabilities["oem"] is False
        service.update_supplier(s, a.id, {"monthly_capacity_units": 5_000, "active": False})
    with db.session() as s:
        rows, total = service.list_suppliers(s)
        assert [r.code for r in rows] == ["IT-01", "VN-01"] and total == 2
        assert [r.code for r in service.list_suppliers(s, country="IT")[0]] == ["IT-01"]
        assert [r.code for r in service.list_suppliers(s, capability="odm")[0]] == ["VN-01"]
        assert [r.code for r in service.list_suppliers(s, capability="micro_tote")[0]] == ["VN-01"]
        assert [r.code for r in service.list_suppliers(s, active=True)[0]] == ["IT-01"]
        assert service.supplier_by_code(s, "VN-01").monthly_capacity_units == 5_000


def test_supplier_errors(db, world) -> None:
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            service.create_supplier(s, {"code": "X", "country": "ZZ", "currency": "USD"})
        assert {e.code for e in exc.value.items} == {"required", "invalid_country"}
        service.create_supplier(s, {"code": "X", "name": "X", "country": "CN", "currency": "CNY"})
        with pytest.raises(DomainError) as exc:
            service.create_supplier(
                s, {"code": "X", "name": "X", "country": "CN", "currency": "CNY"}
            )
        assert exc.value.status == 409
        with pytest.raises(DomainError) as exc:
            service.update_supplier(s, 999, {"name": "y"})
        assert exc.value.items[0].code == "unknown_supplier"
        with pytest.raises(DomainError) as exc:
            service.supplier_by_code(s, "NOPE")
        assert exc.value.status == 404


def test_offers_sorted_by_landed_cost_and_sku_price_beats_style_price(
    db, world, fixed_settings
) -> None:
    sku = world.skus["MC-001-GLD"]
    with db.session(write=True) as s:
        cn = add_supplier(s, "CN-01", country="CN", currency="CNY")
        vn = add_supplier(s, "VN-01", country="VN", currency="USD", lead_time_days=30)
        it = add_supplier(s, "IT-01", country="IT", currency="EUR")
        # CN: 70 CNY = 9.80 USD +10% = 10.78 +20% = 12.936 -> 1294
        add_supplier_price(s, cn, sku, 7_000, moq=100, case_pack=20)
        # VN: style price 13.00 then a SKU price 12.00 -> SKU price wins: 12*1.1 = 13.20
        style_price = service.add_price(
            s,
            vn.id,
            style="MC-001",
            unit_cost_minor=1_300,
            moq=60,
            case_pack=12,
            valid_from=date(2026, 1, 1),
        )
        add_supplier_price(s, vn, sku, 1_200, moq=50, case_pack=10, lead_time_days=25)
        # IT: 20 EUR = 22 USD -> 22*1.1*1.2 = 29.04
        add_supplier_price(s, it, sku, 2_000)
        # an expired price and a future one are ignored
        add_supplier_price(s, it, sku, 100, valid_until=date(2026, 5, 31))
        add_supplier_price(s, it, sku, 100, valid_from=date(2026, 6, 2))
    with db.session() as s:
        offers = service.offers_for_skus(s, [sku, world.skus["MC-001-BLK"]], TODAY)
        got = [(o.supplier_code, o.landed_unit_cost_minor) for o in offers[sku]]
        assert got == [("CN-01", 1_294), ("VN-01", 1_320), ("IT-01", 2_904)]
        assert offers[sku][1].lead_time_days == 25 and offers[sku][0].lead_time_days == 45
        # the other SKU of the style gets VN's style price only
        blk = offers[world.skus["MC-001-BLK"]]
        assert [(o.supplier_code, o.price_id, o.moq) for o in blk] == [
            ("VN-01", style_price.id, 60)
        ]
        assert service.offer_for(s, vn.id, sku, TODAY).unit_cost_minor == 1_200
        assert service.offer_for(s, vn.id, world.skus["CB-001-TAN"], TODAY) is None


def test_inactive_supplier_has_no_offers(db, world, fixed_settings) -> None:
    sku = world.skus["MC-001-GLD"]
    with db.session(write=True) as s:
        sup = add_supplier(s, "CN-01")
        add_supplier_price(s, sup, sku, 1_000)
        service.update_supplier(s, sup.id, {"active": False})
    with db.session() as s:
        assert service.offer_for(s, sup.id, sku, TODAY) is None


def test_price_changes_write_the_landed_cost_to_the_range_plan(
    db, world, fixed_settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "utcnow", lambda: __import__("datetime").datetime(2026, 6, 1, 12))
    with db.session(write=True) as s:
        vn = add_supplier(s, "VN-01", country="VN", currency="USD")
        cn = add_supplier(s, "CN-01", country="CN", currency="USD")
        p1 = service.add_price(
            s,
            vn.id,
            sku="MC-001-GLD",
            unit_cost_minor=1_000,
            moq=50,
            case_pack=10,
            valid_from=date(2026, 1, 1),
            actor="merch@seller.test",
        )
    with db.session() as s:
        cost = rangeplan.current_cost(s, "MC-001-GLD", TODAY)
        assert cost is not None
        assert (
            cost.unit_cost_minor,
            cost.currency,
            cost.supplier_moq,
            cost.supplier_case_pack,
        ) == (
            1_100,
            "USD",
            50,
            10,
        )
        assert cost.effective_from == TODAY
    with db.session(write=True) as s:
        # a cheaper landed cost from CN? 800 * 1.1 * 1.2 = 1056 < 1100
        service.add_price(
            s,
            cn.id,
            sku="MC-001-GLD",
            unit_cost_minor=800,
            moq=200,
            case_pack=25,
            valid_from=date(2026, 1, 1),
        )
    with db.session() as s:
        cost = rangeplan.current_cost(s, "MC-001-GLD", TODAY)
        assert (cost.unit_cost_minor, cost.supplier_moq) == (1_056, 200)
    with db.session(write=True) as s:
        # VN drops its price: cheapest again
        service.update_price(s, p1.id, {"unit_cost_minor": 900})
        assert service.refresh_landed_costs(s, None, TODAY) == 0  # already in force
    with db.session() as s:
        cost = rangeplan.current_cost(s, "MC-001-GLD", TODAY)
        assert (cost.unit_cost_minor, cost.supplier_moq) == (990, 50)
        assert len(rangeplan.cost_history(s, "MC-001-GLD")) == 1  # same day: replaced


def test_price_errors(db, world, fixed_settings) -> None:
    with db.session(write=True) as s:
        sup = add_supplier(s, "GB-01", currency="USD")
        with pytest.raises(DomainError) as exc:
            service.add_price(s, sup.id, sku="MC-001-GLD", style="MC-001", unit_cost_minor=1)
        assert exc.value.items[0].code == "one_target"
        with pytest.raises(DomainError) as exc:
            service.add_price(s, sup.id, sku="NOPE", unit_cost_minor=1)
        assert exc.value.items[0].code == "unknown_sku"
        with pytest.raises(DomainError) as exc:
            service.add_price(s, sup.id, sku="MC-001-GLD", unit_cost_minor=1, currency="GBP")
        assert exc.value.items[0].code == "no_exchange_rate"
        with pytest.raises(DomainError) as exc:
            service.add_price(s, sup.id, sku="MC-001-GLD", unit_cost_minor=-5, moq=0)
        assert {e.code for e in exc.value.items} == {"invalid_unit_cost", "invalid_moq"}
        price = service.add_price(
            s, sup.id, sku="MC-001-GLD", unit_cost_minor=100, valid_from=date(2026, 1, 1)
        )
        with pytest.raises(DomainError) as exc:
            service.end_price(s, price.id, date(2025, 12, 31))
        assert exc.value.items[0].code == "invalid_validity"
        service.end_price(s, price.id, date(2026, 3, 1))
        assert [p.id for p in service.list_prices(s, supplier_id=sup.id)] == [price.id]
        assert service.list_prices(s, sku="MC-001-GLD", current_on=TODAY) == []


def test_certificates_summary_and_warnings(db, world, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "certificate_warning_days", 30)
    with db.session(write=True) as s:
        sup = add_supplier(s, "CN-01")
        other = add_supplier(s, "CN-02")
        certificates.add_certificate(s, sup.id, kind="bsci", valid_until=date(2027, 1, 1))
        certificates.add_certificate(
            s,
            sup.id,
            kind="iso_9001",
            valid_until=date(2026, 6, 20),
            filename="iso.pdf",
            content_type="application/pdf",
            data=b"%PDF-1.4 iso",
        )
        certificates.add_certificate(s, sup.id, kind="lwg", valid_until=date(2026, 5, 1))
        with pytest.raises(DomainError) as exc:
            certificates.add_certificate(
                s,
                sup.id,
                kind="bsci",
                filename="x.pdf",
                content_type="application/pdf",
                data=b"not a pdf",
            )
        assert exc.value.items[0].code == "document_type_mismatch"
        with pytest.raises(DomainError) as exc:
            certificates.add_certificate(s, sup.id, kind="magic")
        assert exc.value.items[0].code == "unknown_certificate_kind"
    with db.session() as s:
        summaries = service.certificate_summaries(s, [sup.id, other.id], TODAY)
        assert summaries[sup.id] == service.CertificateSummary(
            valid=1, expiring=1, expired=1, kinds=("bsci", "iso_9001")
        )
        assert summaries[other.id].valid == 0
        warnings = certificates.expiring_certificates(s, TODAY)
        assert [(w.kind, w.status, w.days_left) for w in warnings] == [
            ("lwg", "expired", -31),
            ("iso_9001", "expiring", 19),
        ]
        iso = next(c for c in certificates.list_certificates(s, sup.id) if c.kind == "iso_9001")
        data, name, ctype = certificates.certificate_file(s, iso.id)
        assert (data, name, ctype) == (b"%PDF-1.4 iso", "iso.pdf", "application/pdf")
    with db.session(write=True) as s:
        assert certificates.delete_certificate(s, iso.id) == sup.id
        with pytest.raises(DomainError):
            certificates.get_certificate(s, iso.id)


def test_deactivating_the_cheapest_supplier_and_new_rates_move_the_landed_cost(
    db, world, fixed_settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sku = world.skus["MC-001-GLD"]
    today = service.utcnow().date()
    with db.session(write=True) as s:
        vn = add_supplier(s, "VN-01", country="VN", currency="USD")
        it = add_supplier(s, "IT-01", country="IT", currency="EUR")
        add_supplier_price(s, vn, sku, 1_000, moq=50, case_pack=10)
        add_supplier_price(s, it, sku, 1_000, moq=12, case_pack=6)
        assert service.refresh_landed_costs(s, None, today) == 1
    with db.session() as s:
        # VN: 10.00 * 1.1 freight, no duty = 11.00; IT: 11.00 USD * 1.1 * 1.2 = 14.52
        assert rangeplan.current_cost(s, "MC-001-GLD", today).unit_cost_minor == 1_100
    with db.session(write=True) as s:
        service.update_supplier(s, vn.id, {"active": False})
    with db.session() as s:
        cost = rangeplan.current_cost(s, "MC-001-GLD", today)
        assert (cost.unit_cost_minor, cost.supplier_moq, cost.supplier_case_pack) == (1_452, 12, 6)
    monkeypatch.setattr(get_settings(), "fx_rates", {"USD": 1.0, "EUR": 1.0})
    with db.session(write=True) as s:
        assert service.refresh_landed_costs(s, None, today) == 1
        assert service.refresh_landed_costs(s, [], today) == 0
    with db.session() as s:
        assert rangeplan.current_cost(s, "MC-001-GLD", today).unit_cost_minor == 1_320
