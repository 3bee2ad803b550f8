"""Facet counts kept in advance: SKUs per cell, maintained by triggers on ``skus`` and ``styles``.

The catalog's facet counts under "in stock" (or none of the stock filters) used to read
and group every matching SKU (about 56,000 at 100,000 SKUs) on each page view. Two small
tables hold those counts ready (catalog/facets.py reads them):

- ``facet_style_cells``: SKUs per (style, SKU lifecycle, in stock). The style facets
  (type, size, tier, season, occasion) are columns or tags of the style, so their
  counts are these cells joined to the styles: about 20,000 rows, not 56,000.
- ``facet_sku_cells``: SKUs per (material, color, SKU lifecycle, style lifecycle, in
  stock): a few hundred rows answer the material and color counts.

"In stock" is ``skus.available_bins > 0`` (stock/bins.py keeps that column from
``stock_levels``), so a stock write that empties a SKU's last warehouse moves the SKU
between cells through both triggers in the writing transaction: the counts hold for
every writer (services, order placement, bulk loads, plain SQL).

Exact under concurrent writes: every change adds or subtracts one (or a style's group)
under the cell row's lock (``INSERT ... ON CONFLICT DO UPDATE`` / ``UPDATE skus = skus
- 1``), never recomputes from what one transaction sees. The SKU cells depend on the
style's lifecycle; on PostgreSQL a style's move first locks the style's SKUs (in id
order), so a SKU write and a move run one after the other and each sees the other's
result; a SKU new to a style (insert, style change) reads the style ``FOR SHARE``.
Deadlocks remain possible only between a multi-style lifecycle change and a
transaction writing SKUs of several of those styles (PostgreSQL aborts one; the unit
of work retries it). Cells that fall to 0 are kept (harmless; ``skus > 0`` is read).

Installed by migration 0018 and, for ``create_all`` (tests), by ``register_cells_ddl``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, MetaData, event, inspect, text

_SKU_FUNCTION = "skus_facet_cells"
_STYLE_FUNCTION = "styles_facet_cells"
_SKU_TRIGGERS = ("skus_cells_insert", "skus_cells_update", "skus_cells_delete")
_STYLE_TRIGGER = "styles_cells_lifecycle"
_STYLE_CELL_KEY = "style_id, sku_lifecycle, in_stock"
_SKU_CELL_KEY = "material, color, sku_lifecycle, style_lifecycle, in_stock"


def _minus(row: str, style_lifecycle: str) -> tuple[str, str]:
    """Statements taking the SKU ``row`` (OLD) out of its two cells."""
    return (
        f"UPDATE facet_style_cells SET skus = skus - 1 WHERE style_id = {row}.style_id"  # noqa: S608 - code constants, no values
        f" AND sku_lifecycle = {row}.lifecycle AND in_stock = ({row}.available_bins > 0)",
        f"UPDATE facet_sku_cells SET skus = skus - 1 WHERE material = {row}.material"  # noqa: S608 - code constants, no values
        f" AND color = {row}.color AND sku_lifecycle = {row}.lifecycle"
        f" AND style_lifecycle = {style_lifecycle} AND in_stock = ({row}.available_bins > 0)",
    )


def _plus(row: str, style_lifecycle: str) -> tuple[str, str]:
    """Statements adding the SKU ``row`` (NEW) to its two cells (creating them if new)."""
    return (
        f"INSERT INTO facet_style_cells ({_STYLE_CELL_KEY}, skus)"  # noqa: S608 - code constants, no values
        f" VALUES ({row}.style_id, {row}.lifecycle, {row}.available_bins > 0, 1)"
        f" ON CONFLICT ({_STYLE_CELL_KEY}) DO UPDATE SET skus = facet_style_cells.skus + 1",
        f"INSERT INTO facet_sku_cells ({_SKU_CELL_KEY}, skus)"  # noqa: S608 - code constants, no values
        f" VALUES ({row}.material, {row}.color, {row}.lifecycle, {style_lifecycle},"
        f" {row}.available_bins > 0, 1)"
        f" ON CONFLICT ({_SKU_CELL_KEY}) DO UPDATE SET skus = facet_sku_cells.skus + 1",
    )


# A SKU changes cells when one of its keys changes ("in stock" flips, not every
# change of available_bins).
_SKU_MOVED = (
    "OLD.style_id <> NEW.style_id OR OLD.lifecycle <> NEW.lifecycle"
    " OR OLD.material <> NEW.material OR OLD.color <> NEW.color"
    " OR (OLD.available_bins > 0) <> (NEW.available_bins > 0)"
)
_SKU_COLUMNS = "style_id, lifecycle, material, color, available_bins"


def _style_move(old_lifecycle: str, new_lifecycle: str, style_id: str) -> tuple[str, str]:
    """A style's lifecycle changed: move its SKUs' SKU cells as a group."""
    groups = (
        "SELECT material, color, lifecycle, available_bins > 0 AS in_stock, count(*) AS n"  # noqa: S608 - code constants, no values
        f" FROM skus WHERE style_id = {style_id} GROUP BY material, color, lifecycle, in_stock"
    )
    take = (
        "UPDATE facet_sku_cells SET skus = skus - (SELECT g.n FROM ("  # noqa: S608 - code constants, no values
        f"{groups}) AS g WHERE g.material = facet_sku_cells.material"
        " AND g.color = facet_sku_cells.color AND g.lifecycle = facet_sku_cells.sku_lifecycle"
        " AND g.in_stock = facet_sku_cells.in_stock)"
        f" WHERE style_lifecycle = {old_lifecycle} AND EXISTS (SELECT 1 FROM skus"
        f" WHERE skus.style_id = {style_id} AND skus.material = facet_sku_cells.material"
        " AND skus.color = facet_sku_cells.color"
        " AND skus.lifecycle = facet_sku_cells.sku_lifecycle"
        " AND (skus.available_bins > 0) = facet_sku_cells.in_stock)"
    )
    give = (
        f"INSERT INTO facet_sku_cells ({_SKU_CELL_KEY}, skus)"  # noqa: S608 - code constants, no values
        f" SELECT material, color, lifecycle, {new_lifecycle}, available_bins > 0, count(*)"
        f" FROM skus WHERE style_id = {style_id}"
        " GROUP BY material, color, lifecycle, available_bins > 0"
        f" ON CONFLICT ({_SKU_CELL_KEY}) DO UPDATE SET skus = facet_sku_cells.skus + excluded.skus"
    )
    return take, give


def _sqlite_style_of(row: str) -> str:
    return f"(SELECT lifecycle FROM styles WHERE id = {row}.style_id)"  # noqa: S608 - code constants, no values


_SQLITE = (
    f"""CREATE TRIGGER {_SKU_TRIGGERS[0]} AFTER INSERT ON skus BEGIN
      {"; ".join(_plus("NEW", _sqlite_style_of("NEW")))}; END""",
    f"""CREATE TRIGGER {_SKU_TRIGGERS[1]} AFTER UPDATE OF {_SKU_COLUMNS} ON skus
    WHEN {_SKU_MOVED} BEGIN
      {"; ".join(_minus("OLD", _sqlite_style_of("OLD")))};
      {"; ".join(_plus("NEW", _sqlite_style_of("NEW")))}; END""",
    f"""CREATE TRIGGER {_SKU_TRIGGERS[2]} AFTER DELETE ON skus BEGIN
      {"; ".join(_minus("OLD", _sqlite_style_of("OLD")))}; END""",
    f"""CREATE TRIGGER {_STYLE_TRIGGER} AFTER UPDATE OF lifecycle ON styles
    WHEN OLD.lifecycle <> NEW.lifecycle BEGIN
      {"; ".join(_style_move("OLD.lifecycle", "NEW.lifecycle", "NEW.id"))}; END""",
)

# The styles whose lifecycle a statement changed (PostgreSQL's transition tables).
_MOVED_STYLES = (
    "SELECT n.id, o.lifecycle AS old_lifecycle, n.lifecycle AS new_lifecycle"
    " FROM new_styles n JOIN old_styles o ON o.id = n.id WHERE o.lifecycle <> n.lifecycle"
)


def _in_key_order(table: int, old_key: str, new_key: str) -> str:
    """PL/pgSQL moving a SKU out of its old cell and into its new one (``table`` 0: the
    style cells, 1: the SKU cells), the lower key first."""
    minus, plus = _minus("OLD", "old_style")[table], _plus("NEW", "new_style")[table]
    return f"""
      IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ({old_key}) <= ({new_key})) THEN
        {minus};
      END IF;
      IF TG_OP <> 'DELETE' THEN {plus}; END IF;
      IF TG_OP = 'UPDATE' AND ({old_key}) > ({new_key}) THEN {minus}; END IF;"""


_STYLE_KEY_OLD = "ROW(OLD.style_id, OLD.lifecycle, OLD.available_bins > 0)"
_STYLE_KEY_NEW = "ROW(NEW.style_id, NEW.lifecycle, NEW.available_bins > 0)"
_SKU_KEY_OLD = "ROW(OLD.material, OLD.color, OLD.lifecycle, old_style, OLD.available_bins > 0)"
_SKU_KEY_NEW = "ROW(NEW.material, NEW.color, NEW.lifecycle, new_style, NEW.available_bins > 0)"
_POSTGRES = (
    f"""CREATE OR REPLACE FUNCTION {_SKU_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE old_style text; new_style text;
    BEGIN
      -- A SKU already in its style is locked by a style move (below) before it reads
      -- the SKUs, so the style's lifecycle read here is the committed one.
      IF TG_OP <> 'INSERT' THEN
        SELECT lifecycle INTO old_style FROM styles WHERE id = OLD.style_id;
      END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.style_id <> NEW.style_id) THEN
        -- New to the style: no move can see it, so wait for (then see) any move.
        SELECT lifecycle INTO new_style FROM styles WHERE id = NEW.style_id FOR SHARE;
      ELSIF TG_OP = 'UPDATE' THEN
        new_style := old_style;
      END IF;
      -- Each table's two cells in key order, so two SKUs moving between the same two
      -- cells in opposite directions lock them in the same order (no deadlock).
      {_in_key_order(0, _STYLE_KEY_OLD, _STYLE_KEY_NEW)}
      {_in_key_order(1, _SKU_KEY_OLD, _SKU_KEY_NEW)}
      RETURN NULL;
    END $$""",  # noqa: S608 - code constants, no values
    # Once per statement: the moved styles' SKUs are locked first, in id order (a SKU
    # write in progress finishes first, one to come waits), then their cells move.
    f"""CREATE OR REPLACE FUNCTION {_STYLE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM 1 FROM skus WHERE style_id IN (SELECT id FROM ({_MOVED_STYLES}) AS m)
        ORDER BY id FOR NO KEY UPDATE;
      UPDATE facet_sku_cells SET skus = facet_sku_cells.skus - g.n FROM (
        SELECT k.material, k.color, k.lifecycle, k.available_bins > 0 AS in_stock,
          m.old_lifecycle, count(*) AS n
        FROM skus k JOIN ({_MOVED_STYLES}) AS m ON m.id = k.style_id
        GROUP BY k.material, k.color, k.lifecycle, in_stock, m.old_lifecycle) AS g
      WHERE facet_sku_cells.material = g.material AND facet_sku_cells.color = g.color
        AND facet_sku_cells.sku_lifecycle = g.lifecycle
        AND facet_sku_cells.in_stock = g.in_stock
        AND facet_sku_cells.style_lifecycle = g.old_lifecycle;
      INSERT INTO facet_sku_cells ({_SKU_CELL_KEY}, skus)
        SELECT k.material, k.color, k.lifecycle, m.new_lifecycle, k.available_bins > 0,
          count(*)
        FROM skus k JOIN ({_MOVED_STYLES}) AS m ON m.id = k.style_id
        GROUP BY k.material, k.color, k.lifecycle, m.new_lifecycle, k.available_bins > 0
        ON CONFLICT ({_SKU_CELL_KEY}) DO UPDATE SET skus = facet_sku_cells.skus + EXCLUDED.skus;
      RETURN NULL;
    END $$""",  # noqa: S608 - code constants, no values
    f"""CREATE TRIGGER {_SKU_TRIGGERS[0]} AFTER INSERT ON skus FOR EACH ROW
    EXECUTE FUNCTION {_SKU_FUNCTION}()""",
    f"""CREATE TRIGGER {_SKU_TRIGGERS[1]} AFTER UPDATE OF {_SKU_COLUMNS} ON skus FOR EACH ROW
    WHEN ({_SKU_MOVED}) EXECUTE FUNCTION {_SKU_FUNCTION}()""",
    f"""CREATE TRIGGER {_SKU_TRIGGERS[2]} AFTER DELETE ON skus FOR EACH ROW
    EXECUTE FUNCTION {_SKU_FUNCTION}()""",
    # Transition tables allow no column list: every UPDATE of styles runs it (a join
    # of the statement's rows that finds no moved style does nothing).
    f"""CREATE TRIGGER {_STYLE_TRIGGER} AFTER UPDATE ON styles
    REFERENCING OLD TABLE AS old_styles NEW TABLE AS new_styles
    FOR EACH STATEMENT EXECUTE FUNCTION {_STYLE_FUNCTION}()""",
)

# Every cell from scratch (the migration's backfill; a repair after loading skus with
# triggers disabled).
RECOUNT = (
    "DELETE FROM facet_style_cells",
    f"INSERT INTO facet_style_cells ({_STYLE_CELL_KEY}, skus)"  # noqa: S608 - code constants, no values
    " SELECT style_id, lifecycle, available_bins > 0, count(*) FROM skus"
    " GROUP BY style_id, lifecycle, available_bins > 0",
    "DELETE FROM facet_sku_cells",
    f"INSERT INTO facet_sku_cells ({_SKU_CELL_KEY}, skus)"  # noqa: S608 - code constants, no values
    " SELECT skus.material, skus.color, skus.lifecycle, styles.lifecycle,"
    " skus.available_bins > 0, count(*) FROM skus JOIN styles ON styles.id = skus.style_id"
    " GROUP BY skus.material, skus.color, skus.lifecycle, styles.lifecycle,"
    " skus.available_bins > 0",
)


def install_cells(connection: Connection) -> None:
    """Create the triggers (and PostgreSQL's trigger functions) on ``skus`` and ``styles``."""
    postgres = connection.dialect.name == "postgresql"
    for statement in _POSTGRES if postgres else _SQLITE:
        connection.execute(text(statement))


def drop_cells(connection: Connection) -> None:
    postgres = connection.dialect.name == "postgresql"
    for name in _SKU_TRIGGERS:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}{' ON skus' if postgres else ''}"))
    on_styles = " ON styles" if postgres else ""
    connection.execute(text(f"DROP TRIGGER IF EXISTS {_STYLE_TRIGGER}{on_styles}"))
    if postgres:
        for function in (_SKU_FUNCTION, _STYLE_FUNCTION):
            connection.execute(text(f"DROP FUNCTION IF EXISTS {function}()"))


def recount_cells(connection: Connection) -> None:
    for statement in RECOUNT:
        connection.execute(text(statement))


def register_cells_ddl(metadata: MetaData) -> None:
    """Hook the triggers into ``create_all`` / ``drop_all`` (called by catalog.models).

    On the metadata, not a table: the triggers need skus, styles and both cell tables.
    """

    def after_create(_target: Any, connection: Connection, **_: Any) -> None:
        tables = ("skus", "styles", "facet_style_cells", "facet_sku_cells")
        inspector = inspect(connection)
        if all(inspector.has_table(name) for name in tables):
            drop_cells(connection)  # create_all may run again over existing tables
            install_cells(connection)

    def after_drop(_target: Any, connection: Connection, **_: Any) -> None:
        if connection.dialect.name == "postgresql":
            for function in (_SKU_FUNCTION, _STYLE_FUNCTION):
                connection.execute(text(f"DROP FUNCTION IF EXISTS {function}() CASCADE"))

    event.listen(metadata, "after_create", after_create)
    event.listen(metadata, "after_drop", after_drop)
