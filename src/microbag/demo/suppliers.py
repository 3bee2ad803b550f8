"""Demo suppliers, their certificates and price lists, and the SKUs' landed costs.

Each style is made by one to three suppliers that can make it (price tier, bag type,
material: luxury goes to Italy and Portugal, mass to China, Vietnam and India, trading
companies take anything, dearer); every priced SKU gets an offer, from the style's
suppliers or a fallback (``supplier_profiles.FALLBACK``). Some OEM suppliers quote the
whole style (a style-level price), some prices went up during the year (the old one
ended, a new one started). A unit cost is set so that its landed cost (FX, freight and
duty: ``suppliers.policies.landed_cost_minor`` with the settings) is the tier's usual
share of the SKU's wholesale price: luxury about a third, mass about half.

The SKUs' landed unit costs (``rangeplan.models.SkuCost``, what margins and range plans
use) are the cheapest current offer's, as ``suppliers.service.refresh_landed_costs``
writes them after a price change: one source of truth.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from microbag.config import Settings
from microbag.demo.bulk import BulkWriter
from microbag.demo.catalog import Catalog, SkuRec, StyleRec
from microbag.demo.compliance import tiny_pdf
from microbag.demo.market import SELLER_DOMAIN
from microbag.demo.supplier_profiles import FALLBACK, PROFILES, SupplierProfile
from microbag.money import minor_digits
from microbag.rangeplan.models import SkuCost
from microbag.suppliers.models import Supplier, SupplierCertificate, SupplierPrice
from microbag.suppliers.policies import landed_cost_minor

# Landed cost as a share of the SKU's first-tier wholesale price, by price tier.
LANDED_SHARE = {"luxury": (0.29, 0.36), "premium": (0.35, 0.43), "mass": (0.41, 0.48)}
# Supplier case packs (cartons) and MOQs (units) by price tier.
CASE_PACKS = {"luxury": (6, 10, 12), "premium": (6, 12, 24), "mass": (12, 20, 24)}
MOQ_UNITS = {"luxury": (12, 36), "premium": (60, 150), "mass": (120, 300)}
# How many suppliers make a style (1, 2 or 3).
SUPPLIERS_PER_STYLE = (0.3, 0.5, 0.2)
STYLE_PRICE_RATE = 0.2  # an OEM supplier quotes the whole style
PRICE_CHANGE_RATE = 0.25  # a SKU price replaced during the year
PRICES_FROM_DAYS = 540  # price lists start this long ago (before the year of POs)
BUYER = f"merch@{SELLER_DOMAIN}"
# A REACH SVHC test report is a lab report, not a certification: kind "other" for
# suppliers.policies.CERTIFICATE_KINDS. Labels for the references and the PDFs.
STORED_KIND = {"reach": "reach_test_report"}
LABEL = {
    "bsci": "BSCI",
    "sedex_smeta": "SMETA",
    "iso_9001": "ISO 9001",
    "lwg": "LWG",
    "reach": "REACH SVHC",
}


@dataclass(frozen=True)
class SupplierRec:
    id: int
    profile: SupplierProfile

    @property
    def code(self) -> str:
        return self.profile.code


@dataclass(frozen=True)
class PriceRow:
    """One supplier price row's validity and unit cost (the supplier's currency)."""

    valid_from: date
    valid_until: date | None
    unit_cost_minor: int

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass
class DemoOffer:
    """What one supplier charges for one SKU over time, and its terms."""

    supplier: SupplierRec
    sku: SkuRec
    moq: int
    case_pack: int
    lead_time_days: int  # the price's, else the supplier's default
    style_level: bool
    rows: list[PriceRow] = field(default_factory=list)

    def cost_on(self, day: date) -> int | None:
        for row in self.rows:
            if row.valid_on(day):
                return row.unit_cost_minor
        return None


@dataclass
class Sourcing:
    suppliers: list[SupplierRec]
    # sku_id -> its offers, the main supplier first
    offers: dict[int, list[DemoOffer]]
    prices: int = 0
    certificates: int = 0
    sku_costs: int = 0


def landed_multiplier(settings: Settings, country: str) -> float:
    """Landed cost over cost converted to the base currency: FX buffer, freight, duty."""
    duty = settings.landed_duty_by_country.get(country, settings.landed_duty_percent)
    return (
        (1 + settings.landed_fx_buffer_percent / 100)
        * (1 + settings.landed_freight_percent / 100)
        * (1 + duty / 100)
    )


def landed_of(settings: Settings, supplier: SupplierProfile, unit_cost_minor: int) -> int:
    return landed_cost_minor(
        unit_cost_minor,
        supplier.currency,
        supplier.country,
        base_currency=settings.base_currency,
        fx_rates=settings.fx_rates,
        fx_buffer_percent=settings.landed_fx_buffer_percent,
        freight_percent=settings.landed_freight_percent,
        duty_percent=settings.landed_duty_by_country.get(
            supplier.country, settings.landed_duty_percent
        ),
    )


def add_suppliers(writer: BulkWriter, today: date) -> tuple[list[SupplierRec], int]:
    """Supplier rows and their certificates (a small PDF for most); returns them and
    the number of certificates."""
    suppliers: list[SupplierRec] = []
    certificates = 0
    created = datetime.combine(today - timedelta(days=PRICES_FROM_DAYS + 60), time(9), UTC)
    for profile in PROFILES:
        rec = SupplierRec(writer.next_id(Supplier), profile)
        suppliers.append(rec)
        writer.add(Supplier, _supplier_row(rec, created))
        for kind, issuer, age, valid_days, with_file in profile.certificates:
            issued = today - timedelta(days=age)
            valid_until = issued + timedelta(days=valid_days) if valid_days else None
            label = LABEL[kind]
            reference = f"{label.split()[0]}-{profile.code}-{issued.year}"
            row: dict[str, object] = {
                "id": writer.next_id(SupplierCertificate),
                "supplier_id": rec.id,
                "kind": STORED_KIND.get(kind, kind),
                "issuer": issuer,
                "reference": reference,
                "issued_on": issued,
                "valid_until": valid_until,
                "created_at": datetime.combine(issued + timedelta(days=5), time(10), UTC),
                # Every row has every column (one executemany); a record without its scan.
                "filename": None,
                "content_type": None,
                "size_bytes": None,
                "sha256": None,
                "data": None,
            }
            if with_file:
                data = tiny_pdf(
                    f"{label} - {profile.name}",
                    [
                        f"Issuer: {issuer}",
                        f"Reference: {reference}",
                        f"Site: {profile.city}, {profile.region} ({profile.country})",
                        f"Issued: {issued.isoformat()}",
                        f"Valid until: {valid_until.isoformat() if valid_until else 'no expiry'}",
                        "Demo document generated by microbag.",
                    ],
                )
                row |= {
                    "filename": f"{profile.code.lower()}-{kind}-{issued.year}.pdf",
                    "content_type": "application/pdf",
                    "size_bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "data": data,
                }
            writer.add(SupplierCertificate, row)
            certificates += 1
    return suppliers, certificates


def _supplier_row(rec: SupplierRec, created: datetime) -> dict[str, object]:
    p = rec.profile
    contacts = []
    for name, role, phone in p.contacts:
        first = name.split()[-1] if p.country in ("CN", "VN") else name.split()[0]
        contacts.append(
            {"name": name, "role": role, "email": f"{first.lower()}@{p.domain}", "phone": phone}
        )
    return {
        "id": rec.id,
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "country": p.country,
        "region": p.region,
        "currency": p.currency,
        "contacts": contacts,
        "capabilities": {
            "bag_types": list(p.bag_types),
            "materials": list(p.materials),
            "hardware": list(p.hardware),
            "oem": "oem" in p.custom,
            "odm": "odm" in p.custom,
            "logo": "logo" in p.custom,
            "packaging": "packaging" in p.custom,
        },
        "monthly_capacity_units": p.capacity,
        "default_lead_time_days": p.lead_time_days,
        "payment_terms": p.payment_terms,
        "notes": f"{p.city}. {p.notes}",
        "active": True,
        "created_at": created,
    }


def _can_make(profile: SupplierProfile, style: StyleRec, materials: set[str]) -> bool:
    return (
        style.price_tier in profile.tiers
        and style.bag_type in profile.bag_types
        and bool(materials & set(profile.materials))
    )


def priced(sku: SkuRec, today: date) -> bool:
    """Active and draft SKUs, and those discontinued during the last year (their POs)."""
    if sku.lifecycle in ("active", "draft"):
        return True
    return sku.until is not None and sku.until > today - timedelta(days=365)


class PriceBuilder:
    def __init__(
        self, rng: random.Random, writer: BulkWriter, settings: Settings, today: date
    ) -> None:
        self.rng = rng
        self.writer = writer
        self.settings = settings
        self.today = today
        self.start = today - timedelta(days=PRICES_FROM_DAYS)
        self.offers: dict[int, list[DemoOffer]] = {}
        self.rows = 0

    def unit_cost(self, supplier: SupplierProfile, style: StyleRec, usd_cents: int) -> int:
        """A unit cost in the supplier's currency whose landed cost is the tier's share."""
        low, high = LANDED_SHARE[style.price_tier]
        share = self.rng.uniform(low, high) * supplier.behaviour.price_factor
        fx = self.settings.fx_rates
        major = (
            usd_cents
            / 100
            * share
            * fx["USD"]
            / fx[supplier.currency]
            / landed_multiplier(self.settings, supplier.country)
        )
        digits = minor_digits(supplier.currency)
        step = 5 if digits >= 2 else 1  # cents rounded to 0.05
        return max(step, round(major * 10.0**digits / step) * step)

    def terms(self, supplier: SupplierProfile, style: StyleRec) -> tuple[int, int, int | None]:
        """MOQ, case pack (cartons that hold whole selling packs) and the lead time."""
        tier = style.price_tier
        packs = [c for c in CASE_PACKS[tier] if c % style.case_pack == 0] or [style.case_pack]
        case_pack = self.rng.choice(packs)
        low, high = MOQ_UNITS[tier]
        moq = self.rng.randint(low, high) // case_pack * case_pack  # whole cartons
        if moq < low:
            moq += case_pack
        lead = (
            None if self.rng.random() < 0.6 else supplier.lead_time_days + self.rng.randint(-5, 7)
        )
        return moq, case_pack, lead

    def window(self, skus: Sequence[SkuRec]) -> tuple[date, date | None]:
        """From the start of the price lists (or before the first launch) to the end of
        sale of the last SKU (open while one is still sold)."""
        first = min(s.launch for s in skus) - timedelta(days=120)
        valid_from = min(max(self.start, first), self.today - timedelta(days=30))
        ends = [s.until for s in skus]
        if any(end is None or end > self.today for end in ends):
            return valid_from, None
        last = max(end for end in ends if end is not None)
        return valid_from, max(last, valid_from)

    def price_rows(self, cost: int, valid_from: date, valid_until: date | None) -> list[PriceRow]:
        """One row, or an older cheaper one replaced during the last year."""
        if valid_until is None and self.rng.random() < PRICE_CHANGE_RATE:
            change = self.today - timedelta(days=self.rng.randint(90, 240))
            if change > valid_from + timedelta(days=30):
                old = round(cost / self.rng.uniform(1.03, 1.08))
                return [
                    PriceRow(valid_from, change - timedelta(days=1), old),
                    PriceRow(change, None, cost),
                ]
        return [PriceRow(valid_from, valid_until, cost)]

    def write_rows(
        self,
        supplier: SupplierRec,
        rows: list[PriceRow],
        terms: tuple[int, int, int | None],
        *,
        sku_id: int | None = None,
        style_id: int | None = None,
    ) -> None:
        moq, case_pack, lead = terms
        for row in rows:
            created = datetime.combine(row.valid_from - timedelta(days=7), time(11), UTC)
            self.writer.add(
                SupplierPrice,
                {
                    "id": self.writer.next_id(SupplierPrice),
                    "supplier_id": supplier.id,
                    "sku_id": sku_id,
                    "style_id": style_id,
                    "unit_cost_minor": row.unit_cost_minor,
                    "currency": supplier.profile.currency,
                    "moq": moq,
                    "case_pack": case_pack,
                    "lead_time_days": lead,
                    "valid_from": row.valid_from,
                    "valid_until": row.valid_until,
                    "created_at": created,
                    "created_by": BUYER,
                },
            )
            self.rows += 1

    def add_offer(
        self,
        supplier: SupplierRec,
        sku: SkuRec,
        terms: tuple[int, int, int | None],
        rows: list[PriceRow],
        style_level: bool,
    ) -> None:
        moq, case_pack, lead = terms
        offer = DemoOffer(
            supplier,
            sku,
            moq,
            case_pack,
            lead if lead is not None else supplier.profile.lead_time_days,
            style_level,
            rows,
        )
        self.offers.setdefault(sku.id, []).append(offer)

    def price_style(
        self, style: StyleRec, skus: Sequence[SkuRec], suppliers: Sequence[SupplierRec], core: bool
    ) -> None:
        rng = self.rng
        materials = {s.material for s in skus}
        able = [s for s in suppliers if _can_make(s.profile, style, materials)]
        count = rng.choices((1, 2, 3), weights=SUPPLIERS_PER_STYLE)[0]
        chosen: list[SupplierRec] = []
        while able and len(chosen) < count:
            pick = rng.choices(able, weights=[s.profile.behaviour.share for s in able])[0]
            chosen.append(pick)
            able.remove(pick)
        for supplier in chosen:
            terms = self.terms(supplier.profile, style)
            # Beyond the core catalog (large loads), styles are quoted whole: fewer rows.
            if supplier.profile.oem and (not core or rng.random() < STYLE_PRICE_RATE):
                cost = self.unit_cost(supplier.profile, style, min(s.usd_cents for s in skus))
                rows = [PriceRow(*self.window(skus), cost)]
                self.write_rows(supplier, rows, terms, style_id=style.id)
                for sku in skus:
                    self.add_offer(supplier, sku, terms, rows, style_level=True)
                continue
            for sku in skus:
                if sku.material not in supplier.profile.materials:
                    continue
                cost = self.unit_cost(supplier.profile, style, sku.usd_cents)
                rows = self.price_rows(cost, *self.window([sku]))
                self.write_rows(supplier, rows, terms, sku_id=sku.id)
                self.add_offer(supplier, sku, terms, rows, style_level=False)
        by_code = {s.code: s for s in suppliers}
        fallback = by_code[FALLBACK[style.price_tier]]
        for sku in skus:
            # An on-hold supplier's SKUs need someone else to buy from.
            offers = self.offers.get(sku.id, [])
            if not any(o.supplier.profile.behaviour.on_hold_days == 0 for o in offers):
                terms = self.terms(fallback.profile, style)
                cost = self.unit_cost(fallback.profile, style, sku.usd_cents)
                rows = self.price_rows(cost, *self.window([sku]))
                self.write_rows(fallback, rows, terms, sku_id=sku.id)
                self.add_offer(fallback, sku, terms, rows, style_level=False)


def build_sourcing(
    rng: random.Random,
    writer: BulkWriter,
    catalog: Catalog,
    settings: Settings,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> Sourcing:
    """Suppliers, certificates, price lists and landed unit costs for the catalog."""
    suppliers, certificates = add_suppliers(writer, today)
    builder = PriceBuilder(rng, writer, settings, today)
    by_style: dict[int, list[SkuRec]] = {}
    for sku in catalog.skus:
        if priced(sku, today):
            by_style.setdefault(sku.style.id, []).append(sku)
    core_ids = {s.id for s in catalog.styles[: catalog.core_styles]}
    for style in catalog.styles:
        skus = by_style.get(style.id)
        if skus:
            builder.price_style(style, skus, suppliers, style.id in core_ids)
        if progress is not None:
            progress(len(skus or ()))
    sourcing = Sourcing(suppliers, builder.offers, builder.rows, certificates)
    sourcing.sku_costs = write_landed_costs(writer, sourcing, settings, today)
    return sourcing


def write_landed_costs(
    writer: BulkWriter, sourcing: Sourcing, settings: Settings, today: date
) -> int:
    """Per SKU with a current offer, the cheapest landed cost (in the base currency) and
    that offer's MOQ and case pack, from the day its price started."""
    written = 0
    for sku_id, offers in sourcing.offers.items():
        # Ordered as suppliers.service.offers_for_skus orders them (ties included).
        current = []
        for offer in offers:
            row = next((r for r in offer.rows if r.valid_on(today)), None)
            if row is not None:
                landed = landed_of(settings, offer.supplier.profile, row.unit_cost_minor)
                current.append((landed, offer.lead_time_days, offer.supplier.code, offer, row))
        if not current:
            continue
        landed, _lead, _code, offer, row = min(current, key=lambda c: c[:3])
        writer.add(
            SkuCost,
            {
                "id": writer.next_id(SkuCost),
                "sku_id": sku_id,
                "unit_cost_minor": landed,
                "currency": settings.base_currency,
                "effective_from": row.valid_from,
                "supplier_moq": offer.moq,
                "supplier_case_pack": offer.case_pack,
                "created_at": datetime.combine(row.valid_from, time(12), UTC),
                "created_by": BUYER,
            },
        )
        written += 1
    return written
