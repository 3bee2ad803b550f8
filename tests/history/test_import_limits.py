"""Sales files are bounded before they are parsed: gzip and workbook bombs fail fast."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from microbag.cli import app
from microbag.errors import DomainError
from microbag.filelimits import FileLimits
from microbag.history.reading import read_table
from tests.bombs import MB, gzip_bomb, measured, wide_row_workbook, workbook

from .conftest import HEADER, counts, row

runner = CliRunner()


def test_a_gzip_bomb_is_refused_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv.gz"
    path.write_bytes(gzip_bomb(1024 * MB, prefix=(HEADER + "\n" + row() + "\n").encode()))
    assert path.stat().st_size < 2 * MB  # ~1 MB that would inflate to 1 GB
    with measured() as cost, pytest.raises(DomainError) as err:
        read_table(path)
    assert err.value.status == 413
    [item] = err.value.items
    assert item.code == "file_too_large"
    assert item.message.startswith("sales.csv.gz: the file inflates to more than 256 MB")
    assert cost.seconds < 3.0
    assert cost.peak_bytes < 20 * MB  # counted chunk by chunk, nothing kept


def test_the_gzip_cap_is_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv.gz"
    path.write_bytes(gzip_bomb(3 * MB, prefix=(HEADER + "\n").encode()))
    small = FileLimits(2 * MB, 100, 1000, 10_000, 100)
    with pytest.raises(DomainError) as err:
        read_table(path, limits=small)
    assert "more than 2 MB" in err.value.items[0].message


def test_a_plain_file_over_the_cap_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "\n" + (row() + "\n") * 40_000)
    small = FileLimits(1 * MB, 100, 1000, 10_000, 100)
    with pytest.raises(DomainError) as err:
        read_table(path, limits=small)
    assert err.value.status == 413
    assert "larger than 1 MB" in err.value.items[0].message


def test_a_workbook_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    path.write_bytes(wide_row_workbook(HEADER.split(","), cells=1_000_000))
    with measured() as cost, pytest.raises(DomainError) as err:
        read_table(path)
    assert err.value.status == 413
    assert err.value.items[0].message.startswith("sales.xlsx: ")
    assert cost.seconds < 2.0
    assert cost.peak_bytes < 50 * MB
    lenient = FileLimits(256 * MB, 10**6, 10**6, 10**7, 100)
    with pytest.raises(DomainError) as err:
        read_table(path, limits=lenient)
    assert err.value.status == 422
    assert "line 2: row 2 has a value in column 101" in err.value.items[0].message


def test_an_ordinary_workbook_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    path.write_bytes(workbook([HEADER.split(","), row().split(",")]))
    table = read_table(path)
    assert table.header == HEADER.split(",") and table.frame.height == 1


def test_cli_refuses_a_gzip_bomb_quickly(cli_db, tmp_path: Path) -> None:
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip_bomb(1024 * MB, prefix=(HEADER + "\n").encode()))
    before = counts(cli_db)
    with measured() as cost:
        result = runner.invoke(app, ["import", "sales", str(path), "--mapping", "online-retail"])
    assert result.exit_code == 1
    assert "inflates to more than 256 MB" in result.output
    assert cost.seconds < 5.0
    assert counts(cli_db) == before
