"""Request and response bodies for quotes and OEM requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from microbag.quotes import policies
from microbag.quotes.models import Quote, QuoteArtwork

QuoteKind = Literal["quote", "oem"]
QuoteStatus = Literal["requested", "answered", "accepted", "declined", "cancelled", "expired"]


def clean_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and lone surrogates cannot be encoded to UTF-8.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value.strip()


MAX_NOTE_CHARS = 5000

CleanText = Annotated[str, AfterValidator(clean_text)]


class Customization(BaseModel):
    """What the buyer wants changed (OEM): free text per aspect."""

    model_config = ConfigDict(extra="forbid")

    logo: CleanText = Field(default="", max_length=500, description="Logo placement, print")
    packaging: CleanText = Field(default="", max_length=500, description="Boxes, dust bags")
    color: CleanText = Field(default="", max_length=200)
    material: CleanText = Field(default="", max_length=200)

    def is_empty(self) -> bool:
        return not (self.logo or self.packaging or self.color or self.material)


class QuoteLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: CleanText = Field(min_length=1, max_length=64, description="SKU code")
    quantity: int = Field(ge=1, le=policies.MAX_QUANTITY, description="May be below the MOQ")


class QuoteRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: QuoteKind = "quote"
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=policies.MAX_LINES)
    customization: Customization = Field(default_factory=Customization)
    notes: CleanText = Field(default="", max_length=MAX_NOTE_CHARS)


class AnswerLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_no: int = Field(ge=1, le=policies.MAX_LINES)
    unit_price_minor: int = Field(
        ge=0, le=policies.MAX_UNIT_PRICE_MINOR, description="In the quote's currency"
    )


class QuoteAnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[AnswerLineIn] = Field(min_length=1, max_length=policies.MAX_LINES)
    lead_time_days: int = Field(ge=1, le=policies.MAX_LEAD_TIME_DAYS)
    valid_until: date = Field(description="Last day (UTC) the buyer can accept; within a year")
    note: CleanText = Field(default="", max_length=MAX_NOTE_CHARS)


class MoneyOut(BaseModel):
    amount_minor: int
    currency: str


class QuoteLineOut(BaseModel):
    line_no: int
    sku: str
    quantity: int
    unit_price: MoneyOut | None = Field(description="Set once the seller has answered")
    line_total: MoneyOut | None


class ArtworkOut(BaseModel):
    id: int
    quote_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime

    @classmethod
    def of(cls, artwork: QuoteArtwork) -> ArtworkOut:
        return cls(
            id=artwork.id,
            quote_id=artwork.quote_id,
            filename=artwork.filename,
            content_type=artwork.content_type,
            size_bytes=artwork.size_bytes,
            sha256=artwork.sha256,
            created_at=artwork.created_at,
        )


class QuoteOut(BaseModel):
    id: int
    company_id: int
    kind: QuoteKind
    status: QuoteStatus = Field(description="`expired` once an answer's valid_until has passed")
    currency: str
    customization: Customization
    notes: str
    lines: list[QuoteLineOut]
    total: MoneyOut | None
    lead_time_days: int | None
    valid_until: date | None
    answer_note: str
    answered_at: datetime | None
    accepted_at: datetime | None
    order_id: int | None
    created_at: datetime
    artworks: list[ArtworkOut]

    @classmethod
    def of(cls, quote: Quote, today: date) -> QuoteOut:
        cur = quote.currency
        lines = [
            QuoteLineOut(
                line_no=ln.line_no,
                sku=ln.sku_code,
                quantity=ln.quantity,
                unit_price=None
                if ln.unit_price_minor is None
                else MoneyOut(amount_minor=ln.unit_price_minor, currency=cur),
                line_total=None
                if ln.unit_price_minor is None
                else MoneyOut(amount_minor=ln.unit_price_minor * ln.quantity, currency=cur),
            )
            for ln in quote.lines
        ]
        priced = all(ln.unit_price is not None for ln in lines)
        total = (
            MoneyOut(
                amount_minor=sum(ln.line_total.amount_minor for ln in lines if ln.line_total),
                currency=cur,
            )
            if priced and lines
            else None
        )
        return cls(
            id=quote.id,
            company_id=quote.company_id,
            kind=quote.kind,
            status=policies.effective_status(quote.status, quote.valid_until, today),
            currency=cur,
            customization=Customization.model_construct(
                logo=quote.custom_logo,
                packaging=quote.custom_packaging,
                color=quote.custom_color,
                material=quote.custom_material,
            ),
            notes=quote.notes,
            lines=lines,
            total=total,
            lead_time_days=quote.lead_time_days,
            valid_until=quote.valid_until,
            answer_note=quote.answer_note,
            answered_at=quote.answered_at,
            accepted_at=quote.accepted_at,
            order_id=quote.order_id,
            created_at=quote.created_at,
            artworks=[ArtworkOut.of(a) for a in sorted(quote.artworks, key=lambda a: a.id)],
        )


class QuoteAcceptOut(BaseModel):
    """The order the accepted quote became; the same on every repeated accept."""

    quote_id: int
    order_id: int
    order_status: str
    total: MoneyOut
