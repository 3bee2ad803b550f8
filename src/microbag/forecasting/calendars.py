"""Selling seasons as known data (``seasons.json``), not guesses.

Holiday (Nov-Dec), summer (Jun-Aug) and wedding season (May-Sep) with the regional
variants (southern-hemisphere summer in Latin America, spring and autumn weddings in
Japan/Korea, ...). Wholesale orders come ahead of a season: ``lead_weeks``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

SEASONS = ("holiday", "summer", "wedding")


@cache
def calendar_data() -> dict[str, Any]:
    text = resources.files("microbag.forecasting").joinpath("seasons.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def lead_weeks() -> int:
    return int(calendar_data()["lead_weeks"])


def season_months(season: str, region: str | None = None) -> frozenset[int]:
    entry = calendar_data()["seasons"][season]
    months = entry["regions"].get(region or "", entry["default"])
    return frozenset(int(m) for m in months)


def in_season(day: date, season: str, region: str | None = None, *, lead: int = 0) -> bool:
    """Is the week of ``day`` in ``season`` for ``region`` (``lead`` weeks ahead: orders)?"""
    return (day + timedelta(weeks=lead)).month in season_months(season, region)


def season_flags(
    weeks: list[date], region: str | None = None, *, lead: int = 0
) -> dict[str, list[bool]]:
    """One boolean per week and season (the exogenous calendar of a series)."""
    return {s: [in_season(w, s, region, lead=lead) for w in weeks] for s in SEASONS}
