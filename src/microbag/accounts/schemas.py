"""API schemas for accounts, plus field types the other API schemas share.

The shared types keep what the OpenAPI document promises equal to what the
server accepts: ids fit the database's 32-bit integer columns, and text has no
control characters (PostgreSQL rejects NUL) nor leading/trailing blanks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from microbag.accounts.service import MIN_PASSWORD_LENGTH

# ---- shared field types ---------------------------------------------------------------------

INT32_MAX = 2_147_483_647
# Blanks and control characters, spelled out: ``\s`` differs between the OpenAPI
# (ECMA-262) regex dialect, pydantic's Rust regex and Python's str.strip().
_BLANK = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_CONTROL = r"\x00-\x1f\x7f-\x9f"
# No control characters, no blanks at either end.
TEXT_PATTERN = rf"^[^{_BLANK}](?:[^{_CONTROL}]*[^{_BLANK}])?$"
FREE_TEXT_PATTERN = rf"^[^{_CONTROL}]*$"
EMAIL_PATTERN = rf"^[^@{_BLANK}]+@[^@{_BLANK}]+$"
CODE_PATTERN = rf"^[^/{_BLANK}]+$"

ObjectId = Annotated[int, Field(ge=1, le=INT32_MAX)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)]
ShortName = Annotated[str, Field(max_length=100, pattern=FREE_TEXT_PATTERN)]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)]


class InputModel(BaseModel):
    """Request bodies: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class CompanyRef(BaseModel):
    id: int
    name: str


# ---- me and tokens ---------------------------------------------------------------------------


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    is_staff: bool
    company: CompanyRef | None = Field(description="The buyer's company; null for staff")


class TokenCreate(InputModel):
    name: ShortName = Field("", description="A label to recognise the token")


class TokenOut(BaseModel):
    id: int
    prefix: str = Field(description="The token's first characters, to recognise it")
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The token in clear: shown once, store it now")


# ---- staff users -----------------------------------------------------------------------------

StaffRole = Literal["admin", "sales", "merchandiser"]


class StaffUserCreate(InputModel):
    email: Email
    name: ShortName = ""
    role: StaffRole
    password: Password | None = Field(None, description="Optional; tokens work without one")


class StaffUserUpdate(InputModel):
    role: StaffRole | None = None
    is_active: bool | None = Field(None, description="false makes the user's tokens fail")
    name: ShortName | None = None


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    created_at: datetime


class MoneyOut(BaseModel):
    """An amount in integer minor units (cents; yen) with its ISO 4217 currency."""

    amount_minor: int
    currency: str
