"""Pure rules of the job queue: retry backoff, leases, what a job's state means."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed")

# The kinds staff and the CLI start (handlers in jobs/handlers.py).
FORECAST_RUN = "forecast_run"
TRENDS_RUN = "trends_run"
SALES_IMPORT = "sales_import"
BUNDLES_MINE = "bundles_mine"
KIND_NAMES = {
    FORECAST_RUN: "Forecast run",
    TRENDS_RUN: "Trends run",
    SALES_IMPORT: "Sales import",
    BUNDLES_MINE: "Bundle mining",
}

# Where a finished job's result is seen.
RESULT_PAGES = {
    FORECAST_RUN: "/staff/forecasts",
    TRENDS_RUN: "/staff/trends",
    BUNDLES_MINE: "/staff/bundles",
}
# Staff roles that may start runs and imports from the pages (merchandisers own them).
STAFF_RUN_ROLES = frozenset({"admin", "merchandiser"})

DEFAULT_MAX_ATTEMPTS = 3
# The first retry waits this long, each next one twice as long, never more than the cap.
BACKOFF_BASE_S = 15.0
BACKOFF_CAP_S = 3600.0
# How long a claim holds without being renewed; the worker renews it every third of it.
DEFAULT_LEASE_S = 300.0


def retry_delay(
    attempt: int, base_s: float = BACKOFF_BASE_S, cap_s: float = BACKOFF_CAP_S
) -> float:
    """Seconds to wait before try ``attempt + 1`` after try ``attempt`` (1-based) failed:
    ``base * 2**(attempt-1)``, capped. Exponential, so a job that keeps failing on a
    database or cluster that is down does not hammer it."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    return float(min(cap_s, base_s * 2 ** (attempt - 1)))


def next_run_after(now: datetime, attempt: int, base_s: float = BACKOFF_BASE_S) -> datetime:
    return now + timedelta(seconds=retry_delay(attempt, base_s))


def may_retry(attempts: int, max_attempts: int) -> bool:
    """Whether a job that failed on its ``attempts``-th try gets another one."""
    return attempts < max_attempts


def check_kind(kind: str) -> str:
    if not KIND_PATTERN.match(kind):
        raise ValueError(f"job kind {kind!r}: lower-case letters, digits and _ (at most 40)")
    return kind


def result_page(kind: str, job_id: int) -> str:
    return RESULT_PAGES.get(kind, f"/staff/jobs/{job_id}")


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind.replace("_", " ").capitalize())


@dataclass(frozen=True)
class ProgressView:
    done: int | None
    total: int | None
    message: str

    @property
    def percent(self) -> int | None:
        """0..100, or None while the size of the work is not known."""
        if self.total is None or self.done is None or self.total <= 0:
            return None
        return max(0, min(100, round(100 * self.done / self.total)))


def short_error(text: str, limit: int = 2000) -> str:
    """An error message cut to what a page and a row can hold (the log has the rest)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
