"""Compliance documents as the API shows them (the file is downloaded separately)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class ComplianceDocumentOut(BaseModel):
    id: int
    style_id: int | None
    sku: str | None
    region: str
    kind: str
    title: str
    filename: str
    content_type: str
    size_bytes: int
    issued_on: date | None
    valid_until: date | None
    expired: bool
    created_at: datetime
    download_url: str
