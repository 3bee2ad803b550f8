"""Suggested orders from the database: the engine fitted on the sales history.

``build_model`` reads every sale line with a buyer (imported customers by their
``customer_ref`` as stored, microbag's companies by their buyer reference, the company
id) up to the last imported day and fits ``engine.SuggestionModel``.
``customer_suggestions`` ranks the top K for every buyer with history: what
``microbag plan suggestions`` writes. Functions take a Session and never commit.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO

import polars as pl
from sqlalchemy.orm import Session

from microbag.errors import DomainError, ErrorItem
from microbag.history.service import purchase_lines
from microbag.knowledge.service import effective_knowledge
from microbag.suggestions.engine import BuyerProfile, Suggestion, SuggestionModel

CSV_COLUMNS = ("buyer_ref", "sku", "rank", "units")


class NoHistory(DomainError):
    def __init__(self) -> None:
        super().__init__(
            ErrorItem(
                "no_history",
                "no sales history with customers to suggest from: import some first "
                "(microbag import sales FILE... --mapping NAME)",
            )
        )


@dataclass(frozen=True)
class SuggestionRow:
    buyer_ref: str
    suggestion: Suggestion


def load_purchases(
    session: Session, as_of: date | None = None
) -> tuple[pl.DataFrame, dict[str, BuyerProfile], date | None]:
    """(purchases, a profile per buyer, the last day with a purchase)."""
    lines = purchase_lines(session, until=as_of)
    if lines.is_empty():
        return lines, {}, None
    last: date = lines["day"].max()  # type: ignore[assignment]
    per_buyer = lines.group_by("buyer_ref").agg(
        pl.col("region").drop_nulls().mode().sort().first(),
        pl.col("segment").drop_nulls().mode().sort().first(),
    )
    profiles = {
        ref: BuyerProfile(ref, region, segment) for ref, region, segment in per_buyer.iter_rows()
    }
    return lines.select("buyer_ref", "sku", "day", "invoice", "units"), profiles, last


def build_model(session: Session, as_of: date | None = None) -> SuggestionModel:
    """The engine fitted on the history up to ``as_of`` (default: the last imported day).

    Raises ``NoHistory`` when no sale line has a buyer.
    """
    purchases, profiles, last = load_purchases(session, as_of)
    if last is None:
        raise NoHistory()
    return SuggestionModel.fit(
        purchases, profiles, as_of or last, knowledge=effective_knowledge(session)
    )


def customer_suggestions(
    session: Session,
    top_k: int,
    *,
    as_of: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[SuggestionRow]:
    """The top ``top_k`` for every buyer with history, buyers sorted, ranks 1..K."""
    if top_k < 1:
        raise DomainError(ErrorItem("invalid_top", "top must be at least 1", field="top"))
    model = build_model(session, as_of)
    return list(all_suggestions(model, top_k, progress))


def all_suggestions(
    model: SuggestionModel, top_k: int, progress: Callable[[int, int], None] | None = None
) -> Iterable[SuggestionRow]:
    buyers = model.buyers()
    for done, ref in enumerate(buyers, start=1):
        for suggestion in model.suggest(ref, top_k):
            yield SuggestionRow(ref, suggestion)
        if progress is not None and (done % 500 == 0 or done == len(buyers)):
            progress(done, len(buyers))


def write_csv(rows: Iterable[SuggestionRow], stream: IO[str]) -> int:
    """``buyer_ref,sku,rank,units`` with a header; returns the number of rows."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in rows:
        s = row.suggestion
        writer.writerow((row.buyer_ref, s.sku, s.rank, s.units))
        count += 1
    return count


def write_json(rows: Iterable[SuggestionRow], stream: IO[str]) -> int:
    """One JSON array of {buyer_ref, sku, rank, units, score, basis, reasons}."""
    items = [
        {
            "buyer_ref": row.buyer_ref,
            "sku": row.suggestion.sku,
            "rank": row.suggestion.rank,
            "units": row.suggestion.units,
            "score": row.suggestion.score,
            "basis": row.suggestion.basis,
            "reasons": list(row.suggestion.reasons),
        }
        for row in rows
    ]
    json.dump(items, stream, ensure_ascii=False)
    stream.write("\n")
    return len(items)
