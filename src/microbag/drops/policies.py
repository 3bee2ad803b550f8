"""Pure rules of drops: statuses, eligibility, request limits, the embargo gate and the
fair-share allocation of an edition.

The fair-share rule (``fair_share``), per SKU, in whole case packs:

1. The edition is cut into whole case packs (``edition // case_pack``); units left
   over (less than one pack) are not allocated.
2. If every request fits, everyone gets what they asked for.
3. Otherwise every requester first gets one case pack (the minimum), while the packs
   last; when there are fewer packs than requesters, the biggest past buyers go first
   (ties: the lower company id).
4. The packs left are shared in proportion to past purchases (the company's purchase
   value over the last 12 months, in the base currency), never above a request: a
   requester whose share would exceed its request gets its request, and the rest is
   shared again among the others ("water-filling"). Requesters without purchases share
   equally among themselves what the others leave when nobody else has any history.
5. Shares are rounded to whole packs by largest remainder: each gets the whole packs of
   its share, then the packs still unallocated go one each to the largest fractional
   parts (ties: bigger past buyer, then lower company id).

So the packs allocated are exactly ``min(edition packs, requested packs)``, nobody gets
more than asked, and equal requesters with equal history differ by one pack at most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from microbag.errors import ErrorItem

DRAFT = "draft"
OPEN = "open"
ALLOCATED = "allocated"
CLOSED = "closed"
STATUSES = (DRAFT, OPEN, ALLOCATED, CLOSED)

# Staff who manage drops (create, edit, open, allocate, close); every staff role reads.
MANAGE_ROLES = frozenset({"admin", "merchandiser"})
# Buyer roles who may request (viewers only look).
REQUEST_ROLES = frozenset({"owner", "buyer"})

MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_SKUS = 50
MAX_UNITS = 1_000_000
# Past purchases that weigh the proportional part: this many days back.
HISTORY_DAYS = 365


# ---- eligibility -------------------------------------------------------------------------------


def is_eligible(
    *,
    company_id: int,
    segment: str,
    region: str,
    segments: Sequence[str],
    regions: Sequence[str],
    company_ids: Sequence[int],
) -> bool:
    """Named companies always; otherwise the filters that are set (segments, regions)
    must all match, and at least one must be set unless nobody is named (a drop with
    no rule at all is open to every company)."""
    if company_id in company_ids:
        return True
    if not segments and not regions:
        return not company_ids
    return (not segments or segment in segments) and (not regions or region in regions)


# ---- the gate while ordering ---------------------------------------------------------------------


@dataclass(frozen=True)
class HeldSku:
    """A SKU of a drop that is not closed, as the order gate sees it."""

    sku_id: int
    sku_code: str
    drop_id: int
    status: str
    embargo_at: datetime
    segments: Sequence[str]
    regions: Sequence[str]
    company_ids: Sequence[int]


def gate_error(
    held: HeldSku,
    *,
    company_id: int,
    segment: str,
    region: str,
    now: datetime,
    drop_id: int | None,
) -> ErrorItem | None:
    """Why the company may not order this drop SKU now (None: it may).

    Before the drop is allocated nobody orders it (the embargo, and after it the
    allocation, comes first) except that drop's own allocation (``drop_id``); after
    the allocation, eligible companies may order what is left; a closed drop holds
    nothing."""
    if held.status == CLOSED or drop_id == held.drop_id:
        return None
    if held.status != ALLOCATED:
        if now < held.embargo_at:
            when = held.embargo_at.strftime("%Y-%m-%d %H:%M UTC")
            return ErrorItem("drop_embargo", f"{held.sku_code}: available from {when}")
        return ErrorItem(
            "drop_embargo", f"{held.sku_code}: available once its drop has been allocated"
        )
    eligible = is_eligible(
        company_id=company_id,
        segment=segment,
        region=region,
        segments=held.segments,
        regions=held.regions,
        company_ids=held.company_ids,
    )
    if not eligible:
        return ErrorItem(
            "drop_not_eligible", f"{held.sku_code}: a limited edition your company is not offered"
        )
    return None


# ---- requests ----------------------------------------------------------------------------------


def request_errors(
    sku_code: str, quantity: int, *, case_pack: int, cap: int, line: int | None = None
) -> list[ErrorItem]:
    """A request is a whole number of case packs, at most the per-buyer cap (0 withdraws)."""
    errors: list[ErrorItem] = []
    if quantity < 0:
        errors.append(ErrorItem("invalid_quantity", f"{sku_code}: quantity is negative", line))
        return errors
    if quantity % case_pack:
        errors.append(
            ErrorItem(
                "case_pack",
                f"{sku_code}: request whole case packs of {case_pack} (asked {quantity})",
                line,
            )
        )
    if quantity > cap:
        errors.append(
            ErrorItem(
                "drop_cap", f"{sku_code}: at most {cap} units per buyer (asked {quantity})", line
            )
        )
    return errors


def check_requestable(status: str, embargo_at: datetime, now: datetime) -> ErrorItem | None:
    """Requests are taken, changed and withdrawn while the drop is open, before its embargo."""
    if status != OPEN:
        return ErrorItem("drop_not_open", f"the drop is {status}: it takes no requests")
    if now >= embargo_at:
        return ErrorItem("drop_requests_closed", "the embargo has passed: requests are closed")
    return None


def check_allocatable(status: str, embargo_at: datetime, now: datetime) -> ErrorItem | None:
    if status in (ALLOCATED, CLOSED):
        return ErrorItem("drop_already_allocated", f"the drop is {status} already")
    if status != OPEN:
        return ErrorItem("drop_not_open", "open the drop (and take requests) before allocating")
    if now < embargo_at:
        when = embargo_at.strftime("%Y-%m-%d %H:%M UTC")
        return ErrorItem("drop_embargo_not_reached", f"the drop can be allocated from {when}")
    return None


def next_status(action: str, status: str) -> str | ErrorItem:
    """open: draft -> open; close: open or allocated -> closed."""
    if action == "open" and status == DRAFT:
        return OPEN
    if action == "close" and status in (OPEN, ALLOCATED):
        return CLOSED
    return ErrorItem("invalid_transition", f"a {status} drop cannot be {action}ed")


# ---- past purchases in one currency ------------------------------------------------------------


def to_base_minor(
    amount_minor: int, currency: str, *, digits: int, base_digits: int, rate: float
) -> int:
    """``amount_minor`` of ``currency`` (with ``digits`` minor digits) in the base
    currency's minor units at ``rate`` (base units per one unit of ``currency``)."""
    scale: float = 10.0 ** (base_digits - digits)
    return round(amount_minor * rate * scale)


# ---- the fair share ----------------------------------------------------------------------------


def _priority(weights: Mapping[int, int]) -> list[int]:
    return sorted(weights, key=lambda c: (-weights[c], c))


def _proportional(
    packs: int, room: Mapping[int, int], weights: Mapping[int, int]
) -> dict[int, Fraction]:
    """``packs`` shared in proportion to ``weights``, nobody above its ``room``
    (water-filling); Σ room ≥ packs. With no weight among those still open, equally."""
    share: dict[int, Fraction] = {c: Fraction(0) for c in room}
    open_ = {c for c in room if room[c] > 0}
    left = Fraction(packs)
    while left > 0 and open_:
        total = sum(weights[c] for c in open_)
        part = {
            c: left * (Fraction(weights[c], total) if total else Fraction(1, len(open_)))
            for c in open_
        }
        full = {c for c in open_ if share[c] + part[c] >= room[c]}
        if not full:
            for c in open_:
                share[c] += part[c]
            break
        for c in full:  # these reach their request; the rest is shared again
            left -= room[c] - share[c]
            share[c] = Fraction(room[c])
        open_ -= full
    return share


def fair_share(
    edition: int, case_pack: int, requests: Mapping[int, int], weights: Mapping[int, int]
) -> dict[int, int]:
    """Units allocated per company for one SKU (see the module's rule).

    ``requests``: units per company (whole case packs, > 0); ``weights``: past
    purchases per company (≥ 0; missing = 0)."""
    if case_pack <= 0:
        raise ValueError("case_pack must be positive")
    asked = {c: q // case_pack for c, q in requests.items() if q >= case_pack}
    out = {c: 0 for c in requests}
    packs = max(edition, 0) // case_pack
    w = {c: max(int(weights.get(c, 0)), 0) for c in asked}
    if sum(asked.values()) <= packs:
        return {c: asked.get(c, 0) * case_pack for c in requests}
    order = _priority(w)
    got = {c: 0 for c in asked}
    for c in order[:packs]:  # the minimum: one pack each while they last
        got[c] = 1
    left = packs - sum(got.values())
    if left > 0:
        room = {c: asked[c] - got[c] for c in asked}
        share = _proportional(left, room, w)
        whole = {c: int(share[c]) for c in asked}
        for c in asked:
            got[c] += whole[c]
        rest = left - sum(whole.values())
        by_remainder = sorted(asked, key=lambda c: (-(share[c] - whole[c]), -w[c], c))
        for c in by_remainder[:rest]:
            got[c] += 1
    for c, n in got.items():
        out[c] = n * case_pack
    return out


@dataclass(frozen=True)
class Share:
    """One company's line of an allocation preview."""

    company_id: int
    sku_code: str
    requested: int
    allocated: int
    weight_minor: int


def shares_for_skus(
    skus: Sequence[tuple[str, int, int]],
    requests: Mapping[str, Mapping[int, int]],
    weights: Mapping[int, int],
) -> list[Share]:
    """``fair_share`` for every (sku_code, edition, case_pack), as preview lines."""
    lines: list[Share] = []
    for code, edition, case_pack in skus:
        asked = requests.get(code, {})
        given = fair_share(edition, case_pack, asked, weights)
        for company_id in sorted(asked):
            lines.append(
                Share(
                    company_id,
                    code,
                    asked[company_id],
                    given[company_id],
                    weights.get(company_id, 0),
                )
            )
    return lines
