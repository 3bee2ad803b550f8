"""Request and response bodies of suggested orders (buyer and staff)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from microbag.accounts.schemas import MoneyOut
from microbag.suggestions.company import MAX_HORIZON_WEEKS, MAX_TOP, CompanySuggestion
from microbag.suggestions.delivery import MAX_CUSTOMER_REF, MAX_NOTE, LinkedCustomer
from microbag.suggestions.models import SentSuggestion

Basis = Literal["data", "prior"]


def money(amount: int, currency: str) -> MoneyOut:
    return MoneyOut(amount_minor=amount, currency=currency)


class SuggestionLineOut(BaseModel):
    rank: int
    sku: str
    name: str
    color: str
    material: str
    units: int = Field(description="Orderable: a multiple of the case pack, at least the MOQ")
    unit_price: MoneyOut = Field(description="The tier price at that quantity")
    line_total: MoneyOut
    basis: Basis = Field(description="`data`: the buyer's or similar buyers' history; `prior`")
    reasons: list[str] = Field(description="Why this SKU, in plain words")
    rules: list[str] = Field(description="The quantity rules applied, in plain words")
    available: int | None = Field(None, description="Available now (live suggestions)")
    incoming: int | None = Field(None, description="Incoming by the ship window")


class LeftOutOut(BaseModel):
    sku: str
    reason: str


class SuggestedOrderOut(BaseModel):
    company_id: int
    company: str
    horizon_weeks: int
    ships_by: date = Field(description="End of the period: stock must be there by then")
    lines: list[SuggestionLineOut]
    left_out: list[LeftOutOut] = Field(description="Ranked, but left out by the buying rules")
    not_orderable: int = Field(description="SKUs of the price list the company cannot order now")
    total: MoneyOut
    minimum_order_value: MoneyOut
    below_minimum: bool
    cap: MoneyOut | None = Field(description="The budget or remaining credit kept to")
    cap_kind: Literal["budget", "remaining credit"] | None
    notes: list[str]
    linked_customer_refs: list[str]

    @classmethod
    def of(cls, s: CompanySuggestion) -> SuggestedOrderOut:
        cur = s.currency
        return cls(
            company_id=s.company_id,
            company=s.company_name,
            horizon_weeks=s.horizon_weeks,
            ships_by=s.ships_by,
            lines=[
                SuggestionLineOut(
                    rank=x.rank,
                    sku=x.sku,
                    name=x.name,
                    color=x.color,
                    material=x.material,
                    units=x.units,
                    unit_price=money(x.unit_price_minor, cur),
                    line_total=money(x.total_minor, cur),
                    basis="prior" if x.basis == "prior" else "data",
                    reasons=list(x.reasons),
                    rules=list(x.rules),
                    available=x.available,
                    incoming=x.incoming,
                )
                for x in s.lines
            ],
            left_out=[LeftOutOut(sku=x.sku, reason=x.reason) for x in s.left_out],
            not_orderable=s.not_orderable,
            total=money(s.total_minor, cur),
            minimum_order_value=money(s.minimum_minor, cur),
            below_minimum=s.below_minimum,
            cap=None if s.cap_minor is None else money(s.cap_minor, cur),
            cap_kind=_cap_kind(s.cap_kind),
            notes=list(s.notes),
            linked_customer_refs=list(s.linked_refs),
        )


def _cap_kind(kind: str | None) -> Literal["budget", "remaining credit"] | None:
    if kind == "budget":
        return "budget"
    return "remaining credit" if kind == "remaining credit" else None


class SentSuggestionOut(BaseModel):
    id: int
    company_id: int
    sent_by: str
    sent_at: datetime
    note: str
    horizon_weeks: int
    total: MoneyOut
    lines: list[SuggestionLineOut]
    notes: list[str]

    @classmethod
    def of(cls, sent: SentSuggestion) -> SentSuggestionOut:
        cur = sent.currency
        return cls(
            id=sent.id,
            company_id=sent.company_id,
            sent_by=sent.sent_by,
            sent_at=sent.created_at,
            note=sent.note,
            horizon_weeks=sent.horizon_weeks,
            total=money(sent.total_minor, cur),
            lines=[_sent_line(x, cur) for x in sent.lines],
            notes=list(sent.notes),
        )


def _sent_line(x: dict[str, Any], cur: str) -> SuggestionLineOut:
    units, price = int(x["units"]), int(x["unit_price_minor"])
    return SuggestionLineOut(
        rank=int(x["rank"]),
        sku=str(x["sku"]),
        name=str(x.get("name", "")),
        color=str(x.get("color", "")),
        material=str(x.get("material", "")),
        units=units,
        unit_price=money(price, cur),
        line_total=money(units * price, cur),
        basis="prior" if x.get("basis") == "prior" else "data",
        reasons=[str(r) for r in x.get("reasons", [])],
        rules=[str(r) for r in x.get("rules", [])],
    )


class SuggestionParamsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    top: int = Field(20, ge=1, le=MAX_TOP, description="How many SKUs to rank")
    horizon_weeks: int = Field(8, ge=1, le=MAX_HORIZON_WEEKS, description="The period")
    budget_minor: int | None = Field(
        None, ge=0, le=2**53 - 1, description="Spend at most this (the company's currency)"
    )


class TakeIn(SuggestionParamsIn):
    """Which suggestion to take: a sent one (``sent_id``), else the live one with these
    parameters; ``skus`` keeps only those lines."""

    sent_id: int | None = Field(None, ge=1, le=2**31 - 1)
    skus: list[Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=200)


class SendIn(SuggestionParamsIn):
    note: str = Field("", max_length=MAX_NOTE)


class CartLineOut(BaseModel):
    sku: str
    quantity: int


class ErrorItemOut(BaseModel):
    code: str
    message: str
    line: int | None = None
    field: str | None = None


class CartOut(BaseModel):
    """The suggestion as order lines with the order core's dry run (nothing is written):
    post the lines to /api/v1/orders to place them."""

    lines: list[CartLineOut]
    ok: bool
    total: MoneyOut | None
    errors: list[ErrorItemOut]


class CustomerLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_ref: str = Field(min_length=1, max_length=MAX_CUSTOMER_REF)


class LinkedCustomerOut(BaseModel):
    customer_ref: str
    sales_lines: int
    last_day: date | None
    country: str | None
    linked_by: str

    @classmethod
    def of(cls, x: LinkedCustomer) -> LinkedCustomerOut:
        return cls(
            customer_ref=x.customer_ref,
            sales_lines=x.sales_lines,
            last_day=x.last_day,
            country=x.country,
            linked_by=x.linked_by,
        )
