"""Pure rules: may a buyer company order this SKU for the period? (No database here.)

A SKU is offered to a company only when it is active (SKU and style), on the
company's price list, in stock now or incoming by the ship window, and its
compliance documents for the company's market are valid: a document kind the SKU
carries for that market (its own or its style's, for the region or for ``all``)
must have at least one document not past its valid-until date, and every kind the
market requires must be there. The reason a SKU is left out is kept in plain words
for the staff page.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta

from microbag.compliance.policies import KIND_NAMES

# Document kinds a market requires of every SKU sold there. The seller's catalog decides
# which documents exist; none is required by default (a bag is not a regulated product
# everywhere), and a kind listed here makes a SKU without it unorderable in that market.
REQUIRED_KINDS: Mapping[str, tuple[str, ...]] = {}

Document = tuple[str, str, date | None]  # (kind, title, valid_until)

NOT_ACTIVE = "not on sale (inactive or discontinued)"
NOT_ON_PRICE_LIST = "not on your price list"


def ships_by(today: date, horizon_weeks: int) -> date:
    """The end of the period a suggestion covers: stock must be there by then."""
    return today + timedelta(weeks=max(horizon_weeks, 1))


def supply_blocker(available: int, incoming: int, last_day: date) -> str | None:
    if available > 0 or incoming > 0:
        return None
    return f"no stock, and none incoming by {last_day.isoformat()}"


def compliance_blocker(
    documents: Sequence[Document], today: date, required: Collection[str] = ()
) -> str | None:
    """Why the market's documents do not allow selling the SKU, or None."""
    by_kind: dict[str, list[tuple[str, date | None]]] = {}
    for kind, title, valid_until in documents:
        by_kind.setdefault(kind, []).append((title, valid_until))
    for kind in required:
        if kind not in by_kind:
            return f"no {KIND_NAMES.get(kind, kind)} for your market"
    for kind in sorted(by_kind):
        docs = by_kind[kind]
        if all(until is not None and until < today for _title, until in docs):
            title, until = max(docs, key=lambda d: d[1] or date.min)
            return f"{title} expired on {until.isoformat() if until else '?'}"
    return None


def required_kinds(region: str | None, overrides: Mapping[str, Sequence[str]] | None) -> set[str]:
    table = REQUIRED_KINDS if overrides is None else overrides
    if region is None:
        return set(table.get("all", ()))
    return set(table.get("all", ())) | set(table.get(region, ()))
