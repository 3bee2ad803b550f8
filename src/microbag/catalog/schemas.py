"""Pydantic models of the catalog API: inputs validated strictly, outputs declared."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from microbag.catalog.policies import (
    CODE_PATTERN,
    DIMENSION_MAX_MM,
    DIMENSION_MIN_MM,
    EDITION_SIZE_MAX,
    WEIGHT_MAX_G,
    HoldItem,
    Lifecycle,
    Occasion,
    PriceTier,
    normalize_material,
    normalize_season,
    normalize_slug,
    vocabulary_error,
)
from microbag.money import is_currency
from microbag.paging import Page

# ---- reusable field types ----------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Reject what a database cannot store (NUL, lone surrogates); trim whitespace."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value.strip()


def _vocab(field: str, normalize: Any = normalize_slug) -> AfterValidator:
    def check(value: str) -> str:
        value = normalize(value)
        error = vocabulary_error(field, value)
        if error is not None:
            raise ValueError(error.message)
        return value

    return AfterValidator(check)


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, AfterValidator(clean_text)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=CODE_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_text)]
Description = Annotated[str, Field(max_length=5000), AfterValidator(clean_text)]
BagType = Annotated[str, Field(min_length=1, max_length=32), _vocab("bag_type")]
Color = Annotated[str, Field(min_length=1, max_length=32), _vocab("color")]
Hardware = Annotated[str, Field(max_length=32), _vocab("hardware")]
Lining = Annotated[str, Field(max_length=64), AfterValidator(clean_text)]
Season = Annotated[str, Field(min_length=1, max_length=16), _vocab("season", normalize_season)]
MaterialIn = Annotated[
    str, Field(min_length=1, max_length=32), _vocab("material", normalize_material)
]
Millimetres = Annotated[int, Field(ge=DIMENSION_MIN_MM, le=DIMENSION_MAX_MM)]
Grams = Annotated[int, Field(ge=0, le=WEIGHT_MAX_G)]
EditionSize = Annotated[int, Field(ge=1, le=EDITION_SIZE_MAX)]
ImageRef = Annotated[
    str, Field(min_length=1, max_length=500), AfterValidator(clean_text), AfterValidator(_non_empty)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- styles -------------------------------------------------------------------------------------


class StyleCreate(_Strict):
    """A new design. It starts as a draft; size class (and holds, when not given) are derived."""

    code: Code
    name: Name
    description: Description = ""
    bag_type: BagType
    width_mm: Millimetres
    height_mm: Millimetres
    depth_mm: Millimetres
    weight_g: Grams = 0
    holds: list[HoldItem] | None = Field(
        default=None, max_length=10, description="Omit to derive from the inner size"
    )
    phone_max_mm: Millimetres | None = None
    lining: Lining = ""
    price_tier: PriceTier
    season: Season
    occasions: list[Occasion] = Field(default_factory=list, max_length=5)
    is_limited_edition: bool = False
    drop_date: date | None = None
    edition_size: EditionSize | None = None
    images: list[ImageRef] = Field(default_factory=list, max_length=20)


# Fields a PATCH may set to null (the rest must be left out rather than nulled).
NULLABLE_STYLE_FIELDS = frozenset({"holds", "phone_max_mm", "drop_date", "edition_size"})


class StylePatch(_Strict):
    """Change some fields of a style; leave the others out. Lifecycle has its own routes."""

    name: Name | None = None
    description: Description | None = None
    bag_type: BagType | None = None
    width_mm: Millimetres | None = None
    height_mm: Millimetres | None = None
    depth_mm: Millimetres | None = None
    weight_g: Grams | None = None
    holds: list[HoldItem] | None = Field(default=None, max_length=10)
    phone_max_mm: Millimetres | None = None
    lining: Lining | None = None
    price_tier: PriceTier | None = None
    season: Season | None = None
    occasions: list[Occasion] | None = Field(default=None, max_length=5)
    is_limited_edition: bool | None = None
    drop_date: date | None = None
    edition_size: EditionSize | None = None
    images: list[ImageRef] | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> StylePatch:
        for name in self.model_fields_set - NULLABLE_STYLE_FIELDS:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep it")
        return self


def _currency(value: str) -> str:
    if not is_currency(value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return value


class MoneyIn(_Strict):
    amount_minor: int = Field(ge=0, le=10**12, description="Integer minor units (cents)")
    currency: Annotated[
        str, Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$"), AfterValidator(_currency)
    ]


class SkuCreate(_Strict):
    code: Code
    color: Color
    material: MaterialIn
    hardware: Hardware = ""
    retail_price: MoneyIn | None = Field(default=None, description="Recommended retail price")
    lifecycle: Lifecycle | None = Field(
        default=None, description="Default: active when the style is active, else draft"
    )


class SkuPatch(_Strict):
    color: Color | None = None
    material: MaterialIn | None = None
    hardware: Hardware | None = None
    lifecycle: Lifecycle | None = None
    retail_price: MoneyIn | None = Field(default=None, description="null removes it")

    @model_validator(mode="after")
    def _no_null(self) -> SkuPatch:
        for name in self.model_fields_set - {"retail_price"}:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep it")
        return self


# ---- outputs ------------------------------------------------------------------------------------


class MoneyOut(BaseModel):
    amount_minor: int
    currency: str


class TierOut(BaseModel):
    min_quantity: int
    unit_price: MoneyOut


class LimitedEditionOut(BaseModel):
    drop_date: date | None
    edition_size: int | None


class DimensionsOut(BaseModel):
    width_mm: int
    height_mm: int
    depth_mm: int
    weight_g: int


class SkuBrief(BaseModel):
    code: str
    color: str
    material: str
    hardware: str
    lifecycle: str


class StyleOut(BaseModel):
    id: int
    code: str
    name: str
    description: str
    bag_type: str
    size_class: str
    dimensions: DimensionsOut
    holds: list[str]
    phone_max_mm: int | None
    lining: str
    price_tier: str
    season: str
    occasions: list[str]
    limited_edition: LimitedEditionOut | None
    images: list[str]
    lifecycle: str
    created_at: datetime
    updated_at: datetime


class StyleDetailOut(StyleOut):
    skus: list[SkuBrief]


class StyleSummaryOut(BaseModel):
    id: int
    code: str
    name: str
    bag_type: str
    size_class: str
    price_tier: str
    season: str
    lifecycle: str
    sku_count: int


class SkuSummaryOut(BaseModel):
    """One SKU in a catalog listing (prices are on the detail, per buyer)."""

    code: str
    style_id: int
    style_code: str
    name: str
    bag_type: str
    size_class: str
    color: str
    material: str
    hardware: str
    price_tier: str
    season: str
    occasions: list[str]
    dimensions: DimensionsOut
    is_limited_edition: bool
    image: str | None
    lifecycle: str
    available: int = Field(description="Units available to sell, all warehouses")


class SkuPage(Page[SkuSummaryOut]):
    total_exact: bool = Field(
        description="False when more items match than were counted: total is a lower bound"
    )


class IncomingOut(BaseModel):
    quantity: int
    expected_date: date
    ship_from: date
    ship_to: date


class OtherColorOut(BaseModel):
    code: str
    color: str
    material: str


class SkuDetailOut(BaseModel):
    """A SKU with its style and, for a buyer (or staff naming a company), that company's terms."""

    code: str
    color: str
    material: str
    hardware: str
    lifecycle: str
    style: StyleOut
    currency: str | None = Field(description="Currency of the tiers; null without a price")
    tiers: list[TierOut]
    moq: int | None
    case_pack: int | None
    retail_price: MoneyOut | None = Field(description="Recommended retail price, if set")
    available: int
    next_incoming: IncomingOut | None
    other_colors: list[OtherColorOut]


class ImportErrorOut(BaseModel):
    code: str
    message: str
    line: int | None = None
    field: str | None = None


class ImportReportOut(BaseModel):
    """Outcome of a catalog import. Rows count the header as row 1, as a spreadsheet does."""

    dry_run: bool
    applied: bool
    format: str
    rows: int
    styles_created: int
    styles_updated: int
    skus_created: int
    skus_updated: int
