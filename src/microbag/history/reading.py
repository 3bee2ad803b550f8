"""Reading sales files (CSV, XLSX, either gzip-compressed) into text columns with line numbers.

The fast path is polars' CSV reader; the exact line number of every row is kept in
``__line`` (the header is line 1) so a report can name it. When a file holds quoted
fields that span lines, the numbers come from a second pass of Python's csv module.
Everything that makes a file unreadable (corrupt or truncated gzip, not UTF-8, rows
with too many fields, a broken workbook) becomes one ``unreadable_file`` error naming
the file and, where it is known, the line.

Files are bounded before they are parsed (microbag/filelimits.py, settings
``MICROBAG_IMPORT_*``): a plain file larger than the inflated cap is refused unread,
gzip is inflated in chunks and given up past the cap, and a workbook's parts and
cells are counted before openpyxl reads it. A file past a limit is refused with
``file_too_large`` (too large once inflated) or ``unreadable_file`` (too many rows,
cells or columns), naming the file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from microbag.errors import DomainError, ErrorItem
from microbag.filelimits import GZIP_ERRORS, FileLimitError, FileLimits, check_xlsx, gunzip_bounded

LINE = "__line"
GZIP_MAGIC = b"\x1f\x8b"
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class RawTable:
    name: str
    sha256: str
    format: str  # csv | xlsx
    header: list[str]
    # Every column as text (null where the cell is empty), plus LINE.
    frame: pl.DataFrame


def _unreadable(name: str, message: str, line: int | None = None) -> DomainError:
    where = f"{name}: line {line}: " if line else f"{name}: "
    return DomainError(ErrorItem("unreadable_file", where + message, line, field=name))


def _limit_error(name: str, exc: FileLimitError) -> DomainError:
    where = f"{name}: line {exc.line}: " if exc.line else f"{name}: "
    return DomainError(ErrorItem(exc.code, where + exc.message, exc.line, field=name), exc.status)


def _decompress(name: str, data: bytes, limits: FileLimits) -> bytes:
    try:
        return gunzip_bounded(data, limits.max_uncompressed_bytes)
    except FileLimitError as exc:
        raise _limit_error(name, exc) from exc
    except EOFError as exc:
        raise _unreadable(
            name, "the gzip file is truncated (it ends before its last block)"
        ) from exc
    except GZIP_ERRORS as exc:
        raise _unreadable(name, f"the gzip file is corrupt ({exc})") from exc


def read_table(path: Path, delimiter: str = ",", limits: FileLimits | None = None) -> RawTable:
    limits = limits or FileLimits.from_settings()
    name = path.name
    try:
        size = path.stat().st_size
        if size > limits.max_uncompressed_bytes:
            cap = limits.max_uncompressed_bytes // (1024 * 1024)
            raise _limit_error(name, FileLimitError(f"the file is larger than {cap} MB", 413))
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(name, f"cannot read the file ({exc.strerror or exc})") from exc
    if data.startswith(GZIP_MAGIC):
        data = _decompress(name, data, limits)
    elif name.endswith(".gz"):
        raise _unreadable(name, "named .gz but it is not gzip-compressed")
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise _unreadable(name, "the file is empty")
    inner = name.removesuffix(".gz").lower()
    if data.startswith(XLSX_MAGIC) or inner.endswith((".xlsx", ".xlsm")):
        try:
            check_xlsx(data, limits)
        except FileLimitError as exc:
            raise _limit_error(name, exc) from exc
        header, frame = _read_xlsx(name, data, limits.max_columns)
        return RawTable(name, digest, "xlsx", header, frame)
    header, frame = _read_csv(name, data, delimiter)
    return RawTable(name, digest, "csv", header, frame)


def _first_bad_utf8_line(data: bytes) -> tuple[int, int] | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1, exc.start
    return None


def _read_csv(name: str, data: bytes, delimiter: str) -> tuple[list[str], pl.DataFrame]:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    bad = _first_bad_utf8_line(data)
    if bad is not None:
        raise _unreadable(name, "the file is not UTF-8 text (save it as 'CSV UTF-8')", bad[0])
    if b"\x00" in data:
        raise _unreadable(name, "the file contains NUL bytes: it is not a text CSV")
    try:
        frame = pl.read_csv(
            data,
            infer_schema=False,
            separator=delimiter,
            has_header=True,
            raise_if_empty=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise _structure_error(name, data, delimiter, exc) from exc
    header = list(frame.columns)
    if len(set(header)) != len(header) or any(h.startswith("__") for h in header):
        raise _unreadable(name, f"the header has repeated or reserved names: {header}", 1)
    frame = frame.with_columns(pl.col(pl.String).str.strip_chars())
    line_count = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if frame.height == line_count - 1:
        lines = pl.int_range(2, frame.height + 2, eager=True, dtype=pl.Int64)
    else:
        lines = pl.Series(_csv_line_numbers(data, delimiter), dtype=pl.Int64)
        if len(lines) != frame.height:
            raise _unreadable(name, "the file's rows could not be read consistently")
    frame = frame.with_columns(lines.alias(LINE))
    # Blank lines come back as all-null rows: drop them.
    return header, frame.filter(~pl.all_horizontal(pl.col(header).is_null()))


def _csv_line_numbers(data: bytes, delimiter: str) -> list[int]:
    """The first line of each record (slow path, only for multi-line quoted fields)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    next(reader, None)
    numbers: list[int] = []
    start = reader.line_num + 1
    for _row in reader:
        numbers.append(start)
        start = reader.line_num + 1
    return numbers


def _structure_error(name: str, data: bytes, delimiter: str, exc: Exception) -> DomainError:
    """Find the lines polars refused (wrong field counts) with the csv module."""
    items: list[ErrorItem] = []
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
        header = next(reader, [])
        start = reader.line_num + 1
        for row in reader:
            if row and len(row) > len(header):
                items.append(
                    ErrorItem(
                        "unreadable_file",
                        f"{name}: line {start}: {len(row)} fields, the header has {len(header)}",
                        start,
                        field=name,
                    )
                )
                if len(items) >= 100:
                    break
            start = reader.line_num + 1
    except csv.Error as csv_exc:
        items.append(ErrorItem("unreadable_file", f"{name}: {csv_exc}", None, field=name))
    if not items:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        items.append(ErrorItem("unreadable_file", f"{name}: cannot read as CSV ({first})"))
    return DomainError(items)


def _read_xlsx(name: str, data: bytes, max_columns: int) -> tuple[list[str], pl.DataFrame]:
    import zipfile
    from datetime import datetime

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _unreadable(name, f"not a readable XLSX workbook ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        # Rows stop at the column limit: a huge declared dimension pads no row past it
        # (check_xlsx refused any value beyond it).
        declared = sheet.max_column
        rows = sheet.iter_rows(
            values_only=True,
            max_col=max_columns if declared is not None and declared > max_columns else None,
        )
        first = next(rows, None)
        if first is None:
            raise _unreadable(name, "the workbook's first sheet is empty")
        header = [("" if v is None else str(v)).strip() for v in first]
        while header and not header[-1]:
            header.pop()
        columns: list[list[str | None]] = [[] for _ in header]
        lines: list[int] = []
        for number, row in enumerate(rows, start=2):
            cells = list(row[: len(header)])
            if all(v is None or str(v).strip() == "" for v in cells):
                continue
            cells += [None] * (len(header) - len(cells))
            for column, value in zip(columns, cells, strict=True):
                if value is None:
                    column.append(None)
                elif isinstance(value, datetime):
                    column.append(value.strftime("%Y-%m-%d %H:%M:%S"))
                elif isinstance(value, float) and value.is_integer():
                    column.append(str(int(value)))
                else:
                    column.append(str(value).strip() or None)
            lines.append(number)
    except DomainError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _unreadable(name, f"not a readable XLSX workbook ({exc})") from exc
    finally:
        book.close()
    if len(set(header)) != len(header):
        raise _unreadable(name, f"the header has repeated names: {header}", 1)
    frame = pl.DataFrame(
        {h: pl.Series(h, c, dtype=pl.String) for h, c in zip(header, columns, strict=True)}
        | {LINE: pl.Series(LINE, lines, dtype=pl.Int64)}
    )
    return header, frame
