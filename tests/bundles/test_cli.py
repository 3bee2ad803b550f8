"""``microbag plan together`` and ``plan mine-bundles`` through Typer's CliRunner: the CSV
contract ``basket,sku`` in, ``basket,sku,rank`` out."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from microbag.bundles import service
from microbag.cli import app

from .helpers import BLK, GLD, RED, TAN, basket_history

runner = CliRunner()


def rows_of(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == ["basket", "sku", "rank"]
    return list(reader)


def test_together_contract(cli_db, world, tmp_path) -> None:
    basket_history(cli_db, tmp_path)
    baskets = tmp_path / "in.csv"
    baskets.write_text(
        f"basket,sku\nb1,{GLD}\nb2,{GLD}\nb2,{RED}\nb1,{GLD}\nnew,UNKNOWN\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["plan", "together", "--baskets", str(baskets), "--top", "2", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = rows_of(result.stdout)
    by_basket: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_basket.setdefault(r["basket"], []).append(r)
    assert list(by_basket) == ["b1", "b2", "new"]  # baskets in file order
    assert [r["sku"] for r in by_basket["b1"]] == [RED, TAN]  # from the history, as it was
    assert all(r["sku"] not in (GLD, RED) for r in by_basket["b2"])
    for items in by_basket.values():
        assert [r["rank"] for r in items] == ["1", "2"]
        assert len({r["sku"] for r in items}) == len(items)
    assert {r["sku"] for r in by_basket["new"]} <= {GLD, RED, TAN, BLK}  # best sellers

    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        [
            "plan",
            "together",
            "--baskets",
            str(baskets),
            "--top",
            "1",
            "--format",
            "csv",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert [r["rank"] for r in rows_of(out.read_text())] == ["1", "1", "1"]


def test_together_refuses_bad_input_clearly(cli_db, world, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("order,product\n1,A\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", "together", "--baskets", str(bad), "--top", "3"])
    assert result.exit_code == 1
    assert "basket,sku" in result.output and "missing_columns" in result.output
    empty_value = tmp_path / "empty.csv"
    empty_value.write_text("basket,sku\nb1,\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", "together", "--baskets", str(empty_value)])
    assert result.exit_code == 1 and "line 2" in result.output
    result = runner.invoke(app, ["plan", "together", "--baskets", str(tmp_path / "none.csv")])
    assert result.exit_code == 1
    good = tmp_path / "good.csv"
    good.write_text(f"basket,sku\nb1,{GLD}\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", "together", "--baskets", str(good)])
    assert result.exit_code == 1 and "no sales history" in result.output


def test_together_bounds_the_file(cli_db, world, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MICROBAG_IMPORT_MAX_ROWS", "2")
    from microbag.config import get_settings

    get_settings.cache_clear()
    many = tmp_path / "many.csv"
    many.write_text("basket,sku\n" + "".join(f"b,{i}\n" for i in range(5)), encoding="utf-8")
    result = runner.invoke(app, ["plan", "together", "--baskets", str(many)])
    assert result.exit_code == 1 and "too_many_rows" in result.output


def test_mine_bundles_stores_a_run(cli_db, world, tmp_path) -> None:
    basket_history(cli_db, tmp_path)
    result = runner.invoke(app, ["plan", "mine-bundles"])
    assert result.exit_code == 0, result.output
    assert "11 baskets" in result.output
    with cli_db.session() as s:
        run = service.latest_run(s)
        assert run is not None and run.created_by == "cli"
    result = runner.invoke(app, ["plan", "mine-bundles", "--queue", "--if-missing"])
    assert result.exit_code == 0 and "nothing to do" in result.output
    result = runner.invoke(app, ["plan", "mine-bundles", "--queue"])
    assert result.exit_code == 0 and "bundles_mine" in result.output
