"""API schemas for buyer companies and their users."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from microbag.accounts.schemas import (
    Email,
    InputModel,
    MoneyOut,
    Name,
    Password,
    ShortName,
)
from microbag.buyers.policies import MAX_NET_DAYS
from microbag.money import MAX_MINOR

SegmentName = Literal["department_store", "boutique", "distributor", "ecommerce", "brand"]
RegionName = Literal[
    "us", "europe", "japan_korea", "china", "middle_east", "latin_america", "other"
]
BuyerRole = Literal["owner", "buyer", "viewer"]
CountryCode = Annotated[
    str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. FR", examples=["FR"])
]
CurrencyCode = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. EUR", examples=["EUR"])
]
NetDays = Annotated[int, Field(ge=0, le=MAX_NET_DAYS, description="Net N days")]
CreditLimit = Annotated[int, Field(ge=0, le=MAX_MINOR, description="In minor units")]
LocaleCode = Annotated[
    str, Field(max_length=16, pattern=r"^[a-z]{2,3}(_[A-Za-z0-9]{2,8}){0,2}$", examples=["fr_FR"])
]


class CompanyCreate(InputModel):
    name: Name
    segment: SegmentName
    country: CountryCode
    region: RegionName | None = Field(None, description="Derived from the country when null")
    currency: CurrencyCode
    payment_terms_days: NetDays | None = Field(None, description="null = prepaid")
    credit_limit_minor: CreditLimit = 0
    locale: LocaleCode = "en_US"


class CompanyUpdate(InputModel):
    """Only the fields given change; null leaves a field as it is, except for
    ``payment_terms_days`` (null = prepaid), ``region`` (null = derive from the country) and
    the tax identity's fields (null clears). A new country re-derives the region unless one
    is given."""

    name: Name | None = None
    segment: SegmentName | None = None
    country: CountryCode | None = None
    region: RegionName | None = Field(None, description="null = derive from the country")
    currency: CurrencyCode | None = None
    payment_terms_days: NetDays | None = Field(None, description="null = prepaid")
    credit_limit_minor: CreditLimit | None = None
    locale: LocaleCode | None = None
    is_active: bool | None = None
    incoterm_default: Literal["EXW", "FOB", "DAP", "DDP"] | None = Field(
        None, description="The incoterm an order gets when it names none"
    )
    po_number_required: bool | None = Field(
        None, description="Every order of the company must carry the buyer's PO number"
    )
    # The tax identity (buyers.tax_identity checks it; null or "" clears a field).
    vat_number: str | None = Field(
        None,
        max_length=64,
        description="EU, UK (GB, XI), Swiss (CHE) or Norwegian (NO) VAT number with its country "
        "prefix; checksum-checked and stored compact. null clears it",
        examples=["DE136695976"],
    )
    resale_certificate_number: str | None = Field(
        None,
        max_length=64,
        description="US resale certificate: letters, digits and dashes. null clears it",
    )
    resale_certificate_state: str | None = Field(
        None, max_length=8, description="The issuing US state or territory, e.g. CA"
    )
    resale_certificate_expires: date | None = Field(
        None, description="The certificate's expiry date (required with a number)"
    )


class CompanyOut(BaseModel):
    id: int
    name: str
    segment: str
    country: str
    region: str
    currency: str
    payment_terms_days: int | None = Field(description="null = prepaid")
    payment_terms: str = Field(description='"prepaid" or "net N"')
    credit_limit: MoneyOut
    incoterm_default: str = "DAP"
    po_number_required: bool = False
    vat_number: str | None = Field(None, description="Compact, with its country prefix")
    resale_certificate_number: str | None = None
    resale_certificate_state: str | None = None
    resale_certificate_expires: date | None = None
    resale_certificate_expired: bool = Field(
        False, description="The resale certificate's expiry date has passed (UTC)"
    )
    open_unpaid: MoneyOut = Field(description="Placed to delivered orders not yet paid")
    available_credit: MoneyOut = Field(description="Credit limit minus open unpaid orders")
    locale: str
    is_active: bool
    created_at: datetime


class MyCompanyOut(BaseModel):
    id: int
    name: str
    segment: str
    country: str
    region: str
    currency: str
    payment_terms_days: int | None = Field(description="null = prepaid")
    payment_terms: str = Field(description='"prepaid" or "net N"')
    credit_limit: MoneyOut
    incoterm_default: str = "DAP"
    po_number_required: bool = False
    available_credit: MoneyOut = Field(description="Credit limit minus open unpaid orders")
    vat_number: str | None = Field(None, description="Compact, with its country prefix")
    resale_certificate_number: str | None = None
    resale_certificate_state: str | None = None
    resale_certificate_expires: date | None = None
    resale_certificate_expired: bool = Field(
        False, description="The resale certificate's expiry date has passed (UTC)"
    )


class CompanyUserCreate(InputModel):
    email: Email
    name: ShortName = ""
    role: BuyerRole
    password: Password | None = Field(None, description="Optional; tokens work without one")


class MyUserCreate(InputModel):
    """Owners add colleagues as buyers or viewers."""

    email: Email
    name: ShortName = ""
    role: Literal["buyer", "viewer"]
    password: Password | None = Field(None, description="Optional; tokens work without one")


class AddressIn(BaseModel):
    """A bill-to or ship-to address (checked by buyers.policies.address_errors)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="billing or shipping", examples=["shipping"])
    label: str = Field("", max_length=80, examples=["Paris boutique"])
    name: str = Field("", max_length=200, description="Recipient or attention line")
    line1: str = Field(max_length=200, examples=["12 rue du Bac"])
    line2: str = Field("", max_length=200)
    city: str = Field(max_length=100, examples=["Paris"])
    region: str = Field("", max_length=100, description="State, prefecture or province")
    postal_code: str = Field("", max_length=20, examples=["75007"])
    country: str = Field(min_length=2, max_length=2, examples=["FR"])
    phone: str = Field("", max_length=40)
    make_default: bool = Field(False, description="Make it the company's default of its kind")


class AddressOut(BaseModel):
    id: int
    company_id: int
    kind: str
    label: str
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    is_default: bool
    is_active: bool
