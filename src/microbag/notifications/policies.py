"""Pure rules of notifications: the kinds of message, retry timing, message states.

A message is ``queued`` when written (in the same transaction as the change it reports),
``sending`` while a worker holds its claim (a lease: a worker that dies mid-send lets it
go when the lease ends), then ``sent``, or back to ``queued`` with a later
``next_attempt_at`` after a failed try, and ``failed`` once the tries are used up (staff
may queue it again).
"""

from __future__ import annotations

from datetime import datetime, timedelta

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STATUSES = (QUEUED, SENDING, SENT, FAILED)

# kind -> what a user sees on the preferences page.
KIND_LABELS: dict[str, str] = {
    "order_confirmed": "Order confirmed",
    "order_shipped": "Order shipped (with tracking)",
    "quote_answered": "Quote answered",
    "drop_allocated": "Drop allocation",
}
KINDS = tuple(KIND_LABELS)
# Mail a person asked for (a test message from the CLI) ignores preferences.
TEST_KIND = "test"

MAX_BACKOFF = timedelta(hours=6)
# How long a worker may hold a claimed message before another worker may take it.
CLAIM_LEASE = timedelta(minutes=2)
MAX_ERROR_LENGTH = 1000


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """Wait before the next try after ``attempts`` failed tries: base × 2^(attempts−1),
    capped at six hours."""
    if attempts < 1:
        return timedelta(0)
    seconds = base_seconds * (2 ** min(attempts - 1, 30))
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def after_failure(
    attempts: int, max_attempts: int, now: datetime, base_seconds: float
) -> tuple[str, datetime | None]:
    """The status and next try time after the ``attempts``-th try failed."""
    if attempts >= max_attempts:
        return FAILED, None
    return QUEUED, now + backoff(attempts, base_seconds)


def wants(kind: str, opted_out: frozenset[str]) -> bool:
    """Whether a user receives ``kind``: every kind is on until the user turns it off."""
    return kind == TEST_KIND or kind not in opted_out


def message_id(message_pk: int, domain: str) -> str:
    """A stable Message-ID per outbox row: a message sent twice (a worker that died
    after the server took it, before recording it) carries the same id both times, so
    mail clients and the server can recognise the duplicate."""
    return f"<microbag.{message_pk}@{domain}>"


def sender_domain(mail_from: str) -> str:
    address = mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "microbag.invalid"


def trim_error(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"
