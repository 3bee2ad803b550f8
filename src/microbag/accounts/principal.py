"""Who is calling: a plain value, importable by pure policies (no database, no web)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """Who is calling: a staff user (company_id None) or a buyer company's user."""

    user_id: int
    email: str
    role: str
    company_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.company_id is None

    @property
    def label(self) -> str:
        return self.email
