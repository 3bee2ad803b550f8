"""Use cases of the market knowledge: the effective facts, staff edits and resets.

The effective knowledge is the shipped file (``facts.shipped_knowledge``) with the
staff's edits (``KnowledgeEdit`` rows) laid over it, validated as a whole exactly like
the file: an edit that would make it invalid is refused (``KnowledgeError``, 422) and
never saved. An edit saved against an older file that the current file no longer
accepts (a row whose columns changed) is left out of the effective knowledge and
reported with its reason, instead of breaking every page that reads the knowledge.
Never commits: the caller's unit of work does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microbag.errors import Conflict, NotFound
from microbag.knowledge.facts import Fact, Knowledge, shipped_knowledge, thaw
from microbag.knowledge.models import KnowledgeEdit
from microbag.knowledge.tables import KnowledgeError, check_key
from microbag.timeutil import utcnow


@dataclass(frozen=True)
class FactView:
    """A fact as staff see it: the effective value, the shipped one, who edited it."""

    fact: Fact
    shipped: Fact | None  # None: a fact the seller added
    edited_by: str | None = None
    edited_at: datetime | None = None
    ignored_edit: str | None = None  # why a stored edit no longer applies

    @property
    def edited(self) -> bool:
        return self.edited_by is not None and self.ignored_edit is None


@dataclass(frozen=True)
class Effective:
    knowledge: Knowledge
    edits: Mapping[str, KnowledgeEdit]
    ignored: Mapping[str, str]  # key -> why its stored edit is left out


def _edits(session: Session) -> dict[str, KnowledgeEdit]:
    rows = session.scalars(select(KnowledgeEdit).order_by(KnowledgeEdit.id))
    return {row.key: row for row in rows}


def _effective(session: Session) -> Effective:
    shipped = shipped_knowledge()
    edits = _edits(session)
    if not edits:
        return Effective(shipped, edits, {})
    signature = (
        shipped.version,
        tuple((k, json.dumps(e.value, sort_keys=True)) for k, e in edits.items()),
    )
    cached = _CACHE.get(signature)
    if cached is None:
        cached = _apply(shipped, edits)
        _CACHE.clear()  # one entry: the edits change rarely, all readers share them
        _CACHE[signature] = cached
    knowledge, ignored = cached
    return Effective(knowledge, edits, ignored)


# The last effective knowledge, by the edits it was built from (validating takes ~10 ms).
_CACHE: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Knowledge, dict[str, str]]] = {}


def _apply(
    shipped: Knowledge, edits: Mapping[str, KnowledgeEdit]
) -> tuple[Knowledge, dict[str, str]]:
    try:
        return shipped.with_edits({k: e.value for k, e in edits.items()}), {}
    except KnowledgeError:
        pass
    # One stale edit must not hide the others: keep each edit that still validates.
    knowledge, ignored = shipped, {}
    for key, edit in edits.items():
        try:
            knowledge = knowledge.with_edits({key: edit.value})
        except KnowledgeError as exc:
            ignored[key] = "; ".join(str(p) for p in exc.problems)
    return knowledge, ignored


def effective_knowledge(session: Session) -> Knowledge:
    """The shipped facts with the staff's edits applied (validated)."""
    return _effective(session).knowledge


def _view(effective: Effective, fact: Fact) -> FactView:
    shipped = shipped_knowledge().entries.get(fact.key)
    edit = effective.edits.get(fact.key)
    return FactView(
        fact,
        shipped,
        edit.edited_by if edit else None,
        edit.edited_at if edit else None,
        effective.ignored.get(fact.key),
    )


def fact_views(session: Session, table: str | None = None) -> list[FactView]:
    """Every fact (file order, then the seller's additions), optionally of one table."""
    effective = _effective(session)
    return [
        _view(effective, f)
        for f in effective.knowledge.facts()
        if table is None or f.table == table
    ]


def fact_view(session: Session, key: str) -> FactView:
    effective = _effective(session)
    fact = effective.knowledge.entries.get(key)
    if fact is None:
        raise NotFound(f"fact '{key}'", code="unknown_fact")
    return _view(effective, fact)


def edit_fact(session: Session, key: str, value: Any, edited_by: str) -> FactView:
    """Save the seller's value of a fact (new or replacing); refused if it breaks a rule."""
    problems = check_key(key)
    if problems:
        raise KnowledgeError(problems)
    effective = _effective(session)
    # Validated against the shipped file plus every other edit, as it will be read.
    knowledge = effective.knowledge.with_edits({key: value})
    normalised = thaw(knowledge.fact(key).value)
    row = session.scalar(select(KnowledgeEdit).where(KnowledgeEdit.key == key).with_for_update())
    version = shipped_knowledge().version
    if row is None:
        row = KnowledgeEdit(key=key, value=normalised, shipped_version=version, edited_by=edited_by)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            raise Conflict(
                "fact_edited_concurrently", f"fact '{key}' was edited at the same time; try again"
            ) from None
    else:
        row.value = normalised
        row.shipped_version = version
        row.edited_by = edited_by
        row.edited_at = utcnow()
    session.flush()
    return fact_view(session, key)


def reset_fact(session: Session, key: str) -> FactView | None:
    """Drop the seller's edit: the shipped value again (None: the fact was the seller's own)."""
    result = session.execute(delete(KnowledgeEdit).where(KnowledgeEdit.key == key))
    removed = int(getattr(result, "rowcount", 0) or 0)
    if key in shipped_knowledge().entries:
        return fact_view(session, key)
    if not removed:
        raise NotFound(f"fact '{key}'", code="unknown_fact")
    return None
