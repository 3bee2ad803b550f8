"""Indexed substring search over ``skus.search_text`` on SQLite and PostgreSQL.

A ``LIKE '%word%'`` scan reads every SKU (about 20 ms at 100,000 SKUs on this
hardware), so the catalog's text filter is served by a trigram index instead:

- PostgreSQL: a GIN index with ``gin_trgm_ops`` (extension ``pg_trgm``, shipped with
  PostgreSQL) on ``skus.search_text``; the planner uses it for ``LIKE '%word%'``.
  The index is declared on the model; the extension is created before the tables.
- SQLite: an FTS5 table with the trigram tokenizer, ``skus_fts``, holding a copy of
  ``search_text`` and kept in step by triggers (so bulk inserts are covered too).

Both are set up by ``install_text_search`` (called after ``create_all`` and from the
migration). When SQLite lacks ``skus_fts`` the filter falls back to ``LIKE`` (slower,
same results). Words shorter than three characters always use ``LIKE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, column, event, false, or_, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from microbag.catalog.policies import LIKE_ESCAPE, like_contains

FTS_TABLE = "skus_fts"
TRIGRAM = 3

_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS skus_fts_insert AFTER INSERT ON skus BEGIN "  # noqa: S608 - identifiers are code constants, values are bound
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS skus_fts_delete AFTER DELETE ON skus BEGIN "  # noqa: S608 - identifiers are code constants, values are bound
    f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END",
    f"CREATE TRIGGER IF NOT EXISTS skus_fts_update AFTER UPDATE OF search_text ON skus BEGIN "  # noqa: S608 - identifiers are code constants, values are bound
    f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
)

# Per database URL: does the SQLite FTS table exist? (Checked once per process.)
_fts_present: dict[str, bool] = {}


def install_text_search(conn: Connection) -> None:
    """Set up the trigram search for the connection's database (idempotent).

    PostgreSQL: ``CREATE EXTENSION pg_trgm`` (needed before the GIN index on
    ``skus.search_text`` is created). SQLite: the ``skus_fts`` table, its triggers,
    and its rows from the existing SKUs (skipped while ``skus`` does not exist yet).
    A migration calls it first thing and again after creating the tables.
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    elif dialect == "sqlite":
        if not conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'skus'"
        ).first():
            return  # called before the tables exist (start of a migration): later
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_TABLE,)
        ).first()
        for statement in _SQLITE_DDL:
            conn.exec_driver_sql(statement)
        if not exists:
            conn.exec_driver_sql(
                f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT id, search_text FROM skus"  # noqa: S608 - identifiers are code constants, values are bound
            )
        _fts_present[str(conn.engine.url)] = True


def drop_text_search(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for trigger in ("skus_fts_insert", "skus_fts_delete", "skus_fts_update"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        _fts_present.pop(str(conn.engine.url), None)


def _before_create(_metadata: Any, conn: Connection, **_kw: Any) -> None:
    # The GIN index on skus needs the extension before the table is created.
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def _after_create(_table: Any, conn: Connection, **_kw: Any) -> None:
    if conn.dialect.name == "sqlite":
        install_text_search(conn)


def _before_drop(_table: Any, conn: Connection, **_kw: Any) -> None:
    drop_text_search(conn)


def register_text_search_ddl(skus: Table) -> None:
    """Hook the set-up into ``create_all`` / ``drop_all`` (called by catalog.models)."""
    event.listen(skus.metadata, "before_create", _before_create)
    event.listen(skus, "after_create", _after_create)
    event.listen(skus, "before_drop", _before_drop)


def _sqlite_fts_present(session: Session) -> bool:
    bind = session.get_bind()
    key = str(bind.engine.url)
    if key not in _fts_present:
        found = session.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = :name"), {"name": FTS_TABLE}
        ).first()
        _fts_present[key] = found is not None
    return _fts_present[key]


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


# SQLite: up to this many trigram matches, the matches drive the query; up to
# FTS_LIST_MAX they are collected and tested per row; beyond, LIKE tests each row.
FTS_DRIVE_MAX = 2000
FTS_LIST_MAX = 10_000


@dataclass(frozen=True)
class TextFilter:
    conditions: list[ColumnElement[bool]]
    # SQLite: the (few) trigram matches should drive the query; the caller then keeps
    # the planner from combining them with another index, which would multiply probes.
    drives: bool = False


def text_conditions(
    session: Session, words: list[str], *, hide_index: bool = False
) -> list[ColumnElement[bool]]:
    """Conditions that the SKU's search text contains every word."""
    return text_filter(session, words, hide_index=hide_index).conditions


def text_filter(
    session: Session,
    words: list[str],
    *,
    hide_index: bool = False,
    other_filters: bool = True,
    allow_drive: bool = True,
    all_matches: bool = False,
) -> TextFilter:
    """How to filter on the words: the trigram index, or LIKE on each row visited.

    ``hide_index``: the query walks another index (SQLite), so a per-row LIKE on the
    few rows it visits is cheaper than collecting every match from the trigram index.
    ``other_filters``: other indexed filters could drive the query instead; then many
    trigram matches are only tested per row (``+skus.id IN (...)``).
    ``allow_drive``: False when the caller cannot keep the planner from combining
    the matches with another index (it must then join styles by ``+style_id``).
    ``all_matches``: the query needs every match (to sort them), so even a common
    word's matches are collected from the index rather than tested on every row.
    """
    from microbag.catalog.models import Sku

    conds: list[ColumnElement[bool]] = []
    use_fts = session.get_bind().dialect.name == "sqlite" and _sqlite_fts_present(session)
    # A word with "_" also matches its spaced form (see _contains): LIKE does the OR.
    indexed = [
        w for w in words if use_fts and not hide_index and len(w) >= TRIGRAM and "_" not in w
    ]
    drives = False
    if indexed:
        # One MATCH for all words: FTS5 intersects the postings itself.
        query = " AND ".join(_fts_phrase(w) for w in indexed)
        found = session.execute(
            text(
                f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} "  # noqa: S608 - identifiers are code constants, values are bound
                f"WHERE {FTS_TABLE} MATCH :q LIMIT {FTS_LIST_MAX + 1})"
            ),
            {"q": query},
        ).scalar_one()
        if not found:
            return TextFilter([false()])
        if found > FTS_LIST_MAX and not all_matches:
            # A common word: the matches are dense, so testing the rows the query
            # visits anyway is cheaper than collecting tens of thousands of ids.
            indexed = []
        else:
            matches = (
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query")  # noqa: S608 - identifiers are code constants, values are bound
                .bindparams(fts_query=query)
                .columns(column("rowid"))
            )
            drives = allow_drive and (found <= FTS_DRIVE_MAX or not other_filters)
            sku_id: Any = Sku.id
            if not drives:
                sku_id = UnaryExpression(sku_id, operator=custom_op("+"), type_=Sku.id.type)
            conds.append(sku_id.in_(matches))
    for word in words:
        if word not in indexed:
            conds.append(_contains(Sku.search_text, word))
    return TextFilter(conds, drives)


def _contains(column: Any, word: str) -> ColumnElement[bool]:
    """The column contains ``word`` literally (its %, _ and \\ escaped).

    Search texts spell ``_`` as a space (``policies.search_text``), so a word with
    ``_`` (``cross_body``) also matches its spaced form (``cross body``).
    """
    condition: ColumnElement[bool] = column.like(like_contains(word), escape=LIKE_ESCAPE)
    spaced = " ".join(word.replace("_", " ").split())
    if spaced and spaced != word:
        condition = or_(condition, column.like(like_contains(spaced), escape=LIKE_ESCAPE))
    return condition
