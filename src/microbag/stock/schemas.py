"""API schemas for warehouses, stock levels and incoming batches."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from microbag.accounts.schemas import FREE_TEXT_PATTERN, INT32_MAX, InputModel, Name
from microbag.buyers.policies import REGIONS
from microbag.buyers.schemas import CountryCode, RegionName
from microbag.catalog.policies import CODE_PATTERN as SKU_CODE_PATTERN
from microbag.stock.policies import MAX_REGION_RANK

WAREHOUSE_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{0,31}$"

WarehouseCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        pattern=WAREHOUSE_CODE_PATTERN,
        description="Upper-case letters, digits, - and _",
        examples=["MAIN"],
    ),
]
SkuCode = Annotated[str, Field(min_length=1, max_length=64, pattern=SKU_CODE_PATTERN)]


class WarehouseCreate(InputModel):
    code: WarehouseCode
    name: Name
    country: CountryCode = "US"


class WarehouseOut(BaseModel):
    id: int
    code: str
    name: str
    country: str


class StockOut(BaseModel):
    sku: str
    warehouse: str
    on_hand: int
    reserved: int = Field(description="Held for open orders")
    available: int = Field(description="On hand minus reserved")


class OnHandIn(InputModel):
    on_hand: int = Field(ge=0, le=INT32_MAX, description="The counted quantity")


class IncomingCreate(InputModel):
    sku: SkuCode
    warehouse: WarehouseCode | None = Field(None, description="Default: the first warehouse")
    quantity: int = Field(ge=1, le=INT32_MAX)
    expected_date: date = Field(description="From today up to five years ahead")
    note: str = Field("", max_length=200, pattern=FREE_TEXT_PATTERN)


class IncomingOut(BaseModel):
    id: int
    sku: str
    warehouse: str
    quantity: int
    expected_date: date
    ship_from: date = Field(description="Earliest ship date of these units")
    ship_to: date = Field(description="Latest ship date of these units")
    note: str
    received_at: datetime | None = Field(description="null while still expected")


class RegionRank(BaseModel):
    region: RegionName
    rank: int = Field(ge=1, le=MAX_REGION_RANK, description="1 = the region's first choice")


class WarehouseRegionsIn(InputModel):
    """The regions a warehouse serves first; an empty list: none (it is chosen by fullness)."""

    regions: list[RegionRank] = Field(max_length=len(REGIONS))


class WarehouseRegionsOut(BaseModel):
    warehouse: str
    regions: list[RegionRank]
