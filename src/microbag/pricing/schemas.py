"""API schemas for price lists and per-SKU terms (MOQ, case pack, volume tiers)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from microbag.accounts.schemas import INT32_MAX, InputModel, MoneyOut, Name, ObjectId
from microbag.buyers.schemas import CurrencyCode, SegmentName
from microbag.money import MAX_MINOR

# Bounds of the storage (32-bit integers). The business rules (positive, multiples of the
# case pack, prices not rising) are checked by pricing.policies.validate_terms, so that one
# answer lists every broken rule.
StoredInt = Annotated[int, Field(ge=-INT32_MAX, le=INT32_MAX)]
MinOrderValue = Annotated[int, Field(ge=0, le=MAX_MINOR, description="In minor units")]
# Negative prices pass the schema so that the pricing rules report them in their words.
StoredMoney = Annotated[int, Field(ge=-MAX_MINOR, le=MAX_MINOR)]


class PriceListCreate(InputModel):
    """A list for one company, or for a segment, or (neither) the default in its currency."""

    name: Name
    currency: CurrencyCode
    company_id: ObjectId | None = Field(None, description="Assign to this company")
    segment: SegmentName | None = Field(None, description="Assign to this segment")
    min_order_value_minor: MinOrderValue = 0
    is_active: bool = True


class PriceListUpdate(InputModel):
    """Only the fields given change (null leaves name, currency, minimum and flag as they are).

    Giving ``company_id`` or ``segment`` (even null) replaces the whole assignment:
    ``{"segment": "boutique"}`` moves the list to that segment, both null make it a default.
    """

    name: Name | None = None
    currency: CurrencyCode | None = Field(None, description="Only while the list has no items")
    company_id: ObjectId | None = None
    segment: SegmentName | None = None
    min_order_value_minor: MinOrderValue | None = None
    is_active: bool | None = None


class PriceListOut(BaseModel):
    id: int
    name: str
    currency: str
    assignment: Literal["company", "segment", "default"]
    company_id: int | None
    segment: str | None
    min_order_value: MoneyOut
    is_active: bool
    item_count: int
    created_at: datetime


class TierIn(InputModel):
    min_quantity: StoredInt = Field(description="The quantity from which this price applies")
    unit_price_minor: StoredMoney = Field(description="Unit price in minor units")


class ItemTermsIn(InputModel):
    moq: StoredInt = Field(description="Minimum order quantity; a multiple of the case pack")
    case_pack: StoredInt = Field(description="Units per case: quantities step by this")
    tiers: list[TierIn] = Field(max_length=50, description="Quantity breaks; prices never rise")


class TierOut(BaseModel):
    min_quantity: int
    unit_price_minor: int


class ItemOut(BaseModel):
    sku: str
    currency: str
    moq: int
    case_pack: int
    tiers: list[TierOut]


class MyPriceListOut(BaseModel):
    """The list that prices your orders."""

    name: str
    currency: str
    min_order_value: MoneyOut
