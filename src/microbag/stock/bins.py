"""``skus.available_bins``: how many warehouses hold units free to sell, kept by the database.

The catalog's "in stock" filter and its facet counts ask, for up to every SKU, whether
any warehouse has ``on_hand > reserved``. Answered from ``stock_levels`` that is a
lookup per SKU (most of the catalog page's time at 100,000 SKUs); answered from a
column of ``skus`` it is part of the covering indexes the listing already reads.

The column is kept by triggers on ``stock_levels``, in the writing transaction, so it
holds for every writer: the stock service, order placement, the demo's bulk load, a
staff member's SQL. Each trigger fires only when a row's "has free units" flips (a
reservation that leaves units free writes nothing), and adds or subtracts one: an
increment re-reads the row under its lock, so two transactions emptying the last two
warehouses of one SKU at once still leave 0 (recomputing an EXISTS in each would leave
the flag set: neither sees the other's row). ``available_bins > 0`` is "in stock".

Installed by migration 0005 and, for ``create_all`` (tests), by ``register_bins_ddl``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, event, text

_FUNCTION = "stock_levels_count_bins"
_TRIGGERS = ("stock_levels_bins_insert", "stock_levels_bins_update", "stock_levels_bins_delete")
_FREE_OLD = "OLD.on_hand > OLD.reserved"
_FREE_NEW = "NEW.on_hand > NEW.reserved"
_FLIPPED = f"({_FREE_OLD}) <> ({_FREE_NEW}) OR OLD.sku_id <> NEW.sku_id"
_MINUS = "UPDATE skus SET available_bins = available_bins - 1 WHERE id = OLD.sku_id"
_PLUS = "UPDATE skus SET available_bins = available_bins + 1 WHERE id = NEW.sku_id"

_SQLITE = (
    f"""CREATE TRIGGER {_TRIGGERS[0]} AFTER INSERT ON stock_levels
    WHEN {_FREE_NEW} BEGIN {_PLUS}; END""",
    f"""CREATE TRIGGER {_TRIGGERS[1]} AFTER UPDATE OF sku_id, on_hand, reserved ON stock_levels
    WHEN {_FLIPPED} BEGIN
      {_MINUS} AND {_FREE_OLD};
      {_PLUS} AND {_FREE_NEW};
    END""",
    f"""CREATE TRIGGER {_TRIGGERS[2]} AFTER DELETE ON stock_levels
    WHEN {_FREE_OLD} BEGIN {_MINUS}; END""",
)

_POSTGRES = (
    f"""CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        IF {_FREE_OLD} THEN {_MINUS}; END IF;
      END IF;
      IF TG_OP <> 'DELETE' THEN
        IF {_FREE_NEW} THEN {_PLUS}; END IF;
      END IF;
      RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER {_TRIGGERS[0]} AFTER INSERT ON stock_levels FOR EACH ROW
    WHEN ({_FREE_NEW}) EXECUTE FUNCTION {_FUNCTION}()""",
    f"""CREATE TRIGGER {_TRIGGERS[1]} AFTER UPDATE OF sku_id, on_hand, reserved
    ON stock_levels FOR EACH ROW WHEN ({_FLIPPED}) EXECUTE FUNCTION {_FUNCTION}()""",
    f"""CREATE TRIGGER {_TRIGGERS[2]} AFTER DELETE ON stock_levels FOR EACH ROW
    WHEN ({_FREE_OLD}) EXECUTE FUNCTION {_FUNCTION}()""",
)

# Every SKU's count from scratch (the migration's backfill; a repair after restoring
# stock_levels with triggers disabled).
RECOUNT = """UPDATE skus SET available_bins = (
    SELECT count(*) FROM stock_levels
    WHERE stock_levels.sku_id = skus.id AND stock_levels.on_hand > stock_levels.reserved)"""


def install_bins(connection: Connection) -> None:
    """Create the triggers (and PostgreSQL's trigger function) on ``stock_levels``."""
    postgres = connection.dialect.name == "postgresql"
    for statement in _POSTGRES if postgres else _SQLITE:
        connection.execute(text(statement))


def drop_bins(connection: Connection) -> None:
    for name in _TRIGGERS:
        on = " ON stock_levels" if connection.dialect.name == "postgresql" else ""
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}{on}"))
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP FUNCTION IF EXISTS {_FUNCTION}()"))


def recount_bins(connection: Connection) -> None:
    connection.execute(text(RECOUNT))


def register_bins_ddl(stock_levels: Table) -> None:
    """Hook the triggers into ``create_all`` / ``drop_all`` (called by stock.models)."""

    def after_create(_target: Any, connection: Connection, **_: Any) -> None:
        install_bins(connection)

    def after_drop(_target: Any, connection: Connection, **_: Any) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"DROP FUNCTION IF EXISTS {_FUNCTION}()"))

    event.listen(stock_levels, "after_create", after_create)
    event.listen(stock_levels, "after_drop", after_drop)
