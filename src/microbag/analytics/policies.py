"""Pure rules of the dashboard: reporting periods, month buckets and what counts as low stock.

Nothing here touches the database, so each rule is unit-testable on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The periods a dashboard can show, in months (the demo history spans three years).
PERIODS: tuple[int, ...] = (3, 12, 36)
DEFAULT_PERIOD = 12
# Units sold over this many days are the pace that stock is measured against.
SALES_WINDOW_DAYS = 90
# A selling SKU is low on stock when what is available lasts fewer days than this.
LOW_COVER_DAYS = 30
TOP_SKUS = 10
LOW_STOCK_ROWS = 10


def month_key(day: date) -> str:
    """``2026-03``: the bucket a day falls in (the same text the SQL produces)."""
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, if negative) ``day``'s."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(today: date, months: int) -> date:
    """First day of the period: ``months`` calendar months ending with the current one."""
    return add_months(today, -(months - 1))


def month_keys(today: date, months: int) -> list[tuple[str, date]]:
    """Every month of the period, oldest first, as (key, first day)."""
    start = period_start(today, months)
    firsts = [add_months(start, i) for i in range(months)]
    return [(month_key(d), d) for d in firsts]


def clamp_period(months: int | None) -> int:
    return months if months in PERIODS else DEFAULT_PERIOD


@dataclass(frozen=True)
class Cover:
    """How long a SKU's available stock lasts at its recent pace of sales."""

    available: int
    units_sold: int
    window_days: int = SALES_WINDOW_DAYS

    @property
    def days(self) -> int | None:
        """Days of cover, rounded down; None when nothing sold (no pace to measure)."""
        if self.units_sold <= 0:
            return None
        return max(self.available, 0) * self.window_days // self.units_sold

    @property
    def is_low(self) -> bool:
        days = self.days
        return days is not None and days < LOW_COVER_DAYS
