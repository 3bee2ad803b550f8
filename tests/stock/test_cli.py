"""``microbag stock set`` through Typer's CliRunner, on the test database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from microbag.cli import app
from microbag.db import Database
from microbag.stock import service
from microbag.stock.models import StockLevel


@pytest.fixture
def cli_db(cli_db: Database, world) -> Database:
    """The CLI's database (tests/conftest.py), with the test world in it."""
    return cli_db


def on_hand(db: Database, sku_id: int, warehouse_id: int) -> int:
    with db.session() as s:
        return s.scalar(
            select(StockLevel.on_hand).where(
                StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id
            )
        )


def test_stock_set_in_the_first_warehouse(cli_db, world):
    result = CliRunner().invoke(app, ["stock", "set", "MC-001-GLD", "--on-hand", "42"])
    assert result.exit_code == 0, result.output
    assert "MC-001-GLD at MAIN: on hand 42" in result.output
    assert on_hand(cli_db, world.skus["MC-001-GLD"], world.warehouse) == 42


def test_stock_set_in_a_named_warehouse(cli_db, world):
    with cli_db.session(write=True) as s:
        east = service.create_warehouse(s, code="EAST", name="East").id
    result = CliRunner().invoke(
        app, ["stock", "set", "MT-001-RED", "--on-hand", "9", "--warehouse", "EAST"]
    )
    assert result.exit_code == 0, result.output
    assert on_hand(cli_db, world.skus["MT-001-RED"], east) == 9
    assert on_hand(cli_db, world.skus["MT-001-RED"], world.warehouse) == 100


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE-1", "--on-hand", "5"], "SKU 'NOPE-1' not found"),
        (
            ["MC-001-GLD", "--on-hand", "5", "--warehouse", "NOPE"],
            "warehouse 'NOPE' does not exist",
        ),
        (["MC-001-GLD", "--on-hand", "-5"], "on hand cannot be negative"),
    ],
)
def test_stock_set_errors_are_clear_and_exit_1(cli_db, world, args, message):
    result = CliRunner().invoke(app, ["stock", "set", *args])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert on_hand(cli_db, world.skus["MC-001-GLD"], world.warehouse) == 100


def test_stock_set_below_reserved_exits_1(cli_db, world):
    with cli_db.session(write=True) as s:
        service.reserve(s, world.skus["CB-001-TAN"], 50)
    result = CliRunner().invoke(app, ["stock", "set", "CB-001-TAN", "--on-hand", "10"])
    assert result.exit_code == 1
    assert "below_reserved" in result.output
    assert on_hand(cli_db, world.skus["CB-001-TAN"], world.warehouse) == 100
