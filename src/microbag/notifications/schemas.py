"""API shapes of notifications: preferences and the mail outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MailStatus = Literal["queued", "sending", "sent", "failed"]


class PreferencesOut(BaseModel):
    kinds: dict[str, bool] = Field(
        description="Kind of message -> whether this user receives it (all on by default)",
        examples=[{"order_confirmed": True, "order_shipped": True}],
    )
    labels: dict[str, str] = Field(description="Kind -> its name on the portal")


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: dict[str, bool] = Field(
        description="Kinds to turn on (true) or off (false); others keep their setting",
        examples=[{"quote_answered": False}],
    )


class MailMessageOut(BaseModel):
    id: int
    kind: str
    company_id: int | None
    to_address: str
    subject: str
    reference: str = Field(description='What it is about, e.g. "order:42"')
    status: MailStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class MailMessageDetailOut(MailMessageOut):
    text_body: str
    html_body: str
