"""API schemas of suppliers, their price lists, offers and certificates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from microbag.catalog.policies import CODE_PATTERN
from microbag.catalog.schemas import Text
from microbag.money import MAX_MINOR
from microbag.paging import Page
from microbag.suppliers import policies

Kind = Literal["factory", "trading_company"]
assert set(Kind.__args__) == set(policies.KINDS)  # type: ignore[attr-defined]  # noqa: S101 - import-time consistency check
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
SupplierCode = Annotated[str, Field(min_length=1, max_length=32, pattern=CODE_PATTERN)]
ItemCode = Annotated[str, Field(min_length=1, max_length=64, pattern=CODE_PATTERN)]
Country = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217")]
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]
Pack = Annotated[int, Field(ge=1, le=policies.MAX_PACK)]
LeadTime = Annotated[int, Field(ge=0, le=policies.MAX_LEAD_TIME_DAYS)]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    role: Annotated[Text, Field(max_length=200)] = ""
    email: Annotated[Text, Field(max_length=200)] = ""
    phone: Annotated[Text, Field(max_length=200)] = ""


class Capabilities(BaseModel):
    """What the supplier makes and customizes."""

    model_config = ConfigDict(extra="forbid")
    bag_types: list[Slug] = Field(default_factory=list, max_length=policies.MAX_CAPABILITY_ITEMS)
    materials: list[Slug] = Field(default_factory=list, max_length=policies.MAX_CAPABILITY_ITEMS)
    hardware: list[Slug] = Field(default_factory=list, max_length=policies.MAX_CAPABILITY_ITEMS)
    oem: bool = False
    odm: bool = False
    logo: bool = False
    packaging: bool = False


class SupplierPatch(BaseModel):
    """Fields to change (those left out stay)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    kind: Kind | None = None
    country: Country | None = None
    region: Annotated[Text, Field(max_length=100)] | None = None
    currency: Currency | None = None
    contacts: list[Contact] | None = Field(default=None, max_length=policies.MAX_CONTACTS)
    capabilities: Capabilities | None = None
    monthly_capacity_units: int | None = Field(default=None, ge=0, le=policies.MAX_CAPACITY_UNITS)
    default_lead_time_days: LeadTime | None = None
    payment_terms: Annotated[Text, Field(max_length=120)] | None = None
    notes: Annotated[Text, Field(max_length=5000)] | None = None
    active: bool | None = None


class SupplierIn(SupplierPatch):
    code: SupplierCode
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    country: Country
    currency: Currency


class CertificateSummaryOut(BaseModel):
    valid: int
    expiring: int
    expired: int
    kinds: list[str]


class SupplierOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    country: str
    region: str
    currency: str
    contacts: list[Contact]
    capabilities: Capabilities
    monthly_capacity_units: int
    default_lead_time_days: int
    payment_terms: str
    notes: str
    active: bool
    created_at: datetime
    certificates: CertificateSummaryOut


SupplierPage = Page[SupplierOut]


class PriceIn(BaseModel):
    """A price for one SKU (``sku``) or a whole style (``style``, OEM work)."""

    model_config = ConfigDict(extra="forbid")
    sku: ItemCode | None = None
    style: ItemCode | None = None
    unit_cost_minor: int = Field(ge=0, le=MAX_MINOR, description="In minor units of currency")
    currency: Currency | None = Field(default=None, description="Default: the supplier's")
    moq: Pack = 1
    case_pack: Pack = 1
    lead_time_days: LeadTime | None = Field(default=None, description="Default: the supplier's")
    valid_from: Day | None = Field(default=None, description="Default: today")
    valid_until: Day | None = None


class PricePatch(BaseModel):
    """End a price (``valid_until``) or change it."""

    model_config = ConfigDict(extra="forbid")
    unit_cost_minor: int | None = Field(default=None, ge=0, le=MAX_MINOR)
    moq: Pack | None = None
    case_pack: Pack | None = None
    lead_time_days: LeadTime | None = None
    valid_until: Day | None = None


class PriceOut(BaseModel):
    id: int
    supplier_id: int
    supplier: str
    sku: str | None
    style: str | None
    unit_cost_minor: int
    currency: str
    moq: int
    case_pack: int
    lead_time_days: int | None
    valid_from: date
    valid_until: date | None
    landed_unit_cost_minor: int | None = Field(description="In base_currency; null: no FX rate")
    base_currency: str
    created_by: str


class OfferOut(BaseModel):
    price_id: int
    supplier_id: int
    supplier: str
    supplier_name: str
    supplier_country: str
    sku: str
    unit_cost_minor: int
    currency: str
    moq: int
    case_pack: int
    lead_time_days: int
    landed_unit_cost_minor: int
    base_currency: str
    valid_from: date
    valid_until: date | None


class CertificateOut(BaseModel):
    id: int
    supplier_id: int
    kind: str
    issuer: str
    reference: str
    issued_on: date | None
    valid_until: date | None
    status: str = Field(description="valid | expiring | expired")
    filename: str | None
    content_type: str | None
    size_bytes: int | None
    sha256: str | None
    created_at: datetime


class PriceImportOut(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int
    format: str
    landed_costs_written: int
