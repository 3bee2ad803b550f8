"""Request and response shapes of the bundles API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from microbag.bundles.policies import MAX_OFFER_ITEMS, MAX_OFFER_NAME, MAX_OFFER_QUANTITY
from microbag.catalog.schemas import MoneyOut


class TogetherOut(BaseModel):
    sku: str
    rank: int
    name: str
    color: str
    material: str
    because_of: list[str] = Field(
        description="The basket's SKUs this one is often ordered with, strongest first; "
        "empty for a best seller filling the list"
    )
    baskets: int | None = Field(None, description="Orders holding both (one SKU asked)")
    confidence: float | None = Field(None, description="Share of the SKU's orders holding this")
    lift: float | None = Field(None, description="Times more often together than by chance")


class BasketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skus: list[str] = Field(min_length=1, max_length=200, description="SKU codes in the basket")
    top: int = Field(5, ge=1, le=50)


class OfferItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(1, ge=1, le=MAX_OFFER_QUANTITY)


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_OFFER_NAME)
    items: list[OfferItemIn] = Field(min_length=2, max_length=MAX_OFFER_ITEMS)
    bundle_price_minor: int = Field(ge=0, le=2**53 - 1, description="Price of one set")
    price_list_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="One price list; null: every list in currency"
    )
    currency: str | None = Field(
        None, pattern=r"^[A-Z]{3}$", description="Needed without price_list_id"
    )


class OfferItemOut(BaseModel):
    sku: str
    quantity: int


class OfferOut(BaseModel):
    id: int
    name: str
    price_list_id: int | None
    bundle_price: MoneyOut
    active: bool
    items: list[OfferItemOut]
    created_by: str
    created_at: datetime


class OfferActiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool


class BundleDiscountOut(BaseModel):
    offer_id: int | None
    name: str
    times: int
    discount: MoneyOut


class MiningQueuedOut(BaseModel):
    job_id: int
    kind: str
