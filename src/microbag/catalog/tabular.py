"""Reading and writing spreadsheets (CSV and XLSX) safely.

Reading: CSV in UTF-8 (a BOM is fine; ``;`` or tab separators are detected from the
header) or the first sheet of an XLSX workbook, parsed by openpyxl in read-only mode
(defusedxml is installed, so openpyxl parses the XML with it). Anything else is a
clear ``unreadable_file`` error, never a crash. Before openpyxl sees a workbook, its
parts and cells are counted against the import limits (microbag/filelimits.py), so
a zip bomb or a row of a million cells is refused (413 / 422) in well under a second.

Writing: every text cell that a spreadsheet could take for a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with a single
quote (OWASP's advice against CSV/formula injection). Readers of our own files
remove that quote again, so an export can be imported back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from microbag.errors import DomainError, ErrorItem
from microbag.filelimits import FileLimitError, FileLimits, check_xlsx

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
XLSX_MAGIC = b"PK\x03\x04"
MAX_COLUMNS = 100


def escape_cell(value: Any) -> Any:
    """Prefix a quote to text that a spreadsheet would run as a formula; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(text: str) -> tuple[str, bool]:
    """(value, was_escaped): ``'=x`` -> ``=x`` (literal text written by escape_cell)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:], True
    return text, False


def is_number_text(text: str) -> bool:
    return bool(_NUMBER_RE.match(text))


def looks_like_formula(text: str) -> bool:
    """A cell a spreadsheet would evaluate: starts with = + - @ and is not a plain number."""
    stripped = text.lstrip("\t\r\n ")
    return stripped.startswith(FORMULA_PREFIXES[:4]) and not is_number_text(stripped)


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text (XLSX gives numbers, dates and booleans)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat()
    if isinstance(value, date | Decimal | int):
        return str(value)
    return str(value)


@dataclass
class Sheet:
    format: str  # "csv" | "xlsx"
    header: list[str]
    # (row number counting the header as row 1, cells as text)
    rows: list[tuple[int, list[str]]]


def unreadable(message: str, line: int | None = None) -> DomainError:
    return DomainError(ErrorItem("unreadable_file", message, line))


def detect_format(data: bytes, filename: str | None) -> str:
    name = (filename or "").lower()
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        # Named like a workbook but not a zip container: corrupt or not XLSX at all.
        return "xlsx"
    return "csv"


def read_sheet(
    data: bytes,
    filename: str | None = None,
    max_rows: int = 200_000,
    limits: FileLimits | None = None,
) -> Sheet:
    """The header and the non-blank rows of a CSV or XLSX file, as text."""
    limits = limits or FileLimits.from_settings()
    max_columns = min(MAX_COLUMNS, limits.max_columns)
    if not data.strip():
        raise unreadable("the file is empty")
    try:
        if detect_format(data, filename) == "xlsx":
            header, rows = _read_xlsx(data, max_rows, limits)
            fmt = "xlsx"
        else:
            header, rows = _read_csv(data, max_rows, limits)
            fmt = "csv"
    except FileLimitError as exc:
        raise DomainError(ErrorItem(exc.code, exc.message, exc.line), exc.status) from exc
    if len(header) > max_columns:
        raise unreadable(f"too many columns ({len(header)}; at most {max_columns})", 1)
    return Sheet(fmt, header, rows)


def _read_csv(
    data: bytes, max_rows: int, limits: FileLimits
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise unreadable(
            "the file is neither an XLSX workbook nor UTF-8 text (save it as 'CSV UTF-8')"
        ) from exc
    if "\x00" in text:
        raise unreadable("the file contains NUL characters: it is not a text CSV")
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = ";" if ";" in first_line else ("\t" if "\t" in first_line else ",")
    # A cheap upper bound on the cells before csv builds lists of them.
    if text.count(delimiter) > limits.max_cells:
        raise FileLimitError(f"the file has more than {limits.max_cells} cells", 422)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    number = 0
    try:
        for record in reader:
            number += 1
            if header is None:
                header = record
                continue
            if not any(c.strip() for c in record):
                continue
            if len(rows) >= max_rows:
                raise unreadable(f"too many rows (at most {max_rows})", number)
            rows.append((number, record))
    except csv.Error as exc:
        raise unreadable(f"malformed CSV: {exc}", number + 1) from exc
    if header is None:
        raise unreadable("the file is empty")
    return header, rows


def _read_xlsx(
    data: bytes, max_rows: int, limits: FileLimits
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    if not data.startswith(XLSX_MAGIC) or not zipfile.is_zipfile(io.BytesIO(data)):
        raise unreadable("the file is not a valid XLSX workbook (corrupt or another format)")
    check_xlsx(data, limits)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = workbook.worksheets[0]
            # No padding past the column limit (a sheet's declared dimension may be huge;
            # check_xlsx refused values beyond it).
            sheet_rows = sheet.iter_rows(values_only=True, max_col=max_col(sheet, limits))
            for number, values in enumerate(sheet_rows, start=1):
                cells = [cell_text(v) for v in values]
                if header is None:
                    header = cells
                    continue
                if not any(c.strip() for c in cells):
                    continue
                if len(rows) >= max_rows:
                    raise unreadable(f"too many rows (at most {max_rows})", number)
                rows.append((number, cells))
        finally:
            workbook.close()
    except DomainError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged workbooks
        raise unreadable(
            f"the XLSX workbook cannot be read ({type(exc).__name__}): corrupt or not XLSX"
        ) from exc
    if header is None:
        raise unreadable("the workbook's first sheet is empty")
    return header, rows


def max_col(sheet: Any, limits: FileLimits) -> int | None:
    """The column to stop rows at: the limit when the sheet declares more, else its own."""
    declared = sheet.max_column
    return limits.max_columns if declared is not None and declared > limits.max_columns else None


# ---- writing -----------------------------------------------------------------------------------


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write escaped CSV (RFC 4180 quoting); returns the number of data rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([escape_cell(v) if v is not None else "" for v in row])
        count += 1
    return count


def write_xlsx(
    out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Any]], title: str
) -> int:
    """Write an escaped XLSX workbook (streaming, write-only); returns the data rows."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def clean(value: Any) -> Any:
        # XML cannot hold most control characters; drop them rather than fail.
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return escape_cell(value)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    count = 0
    for row in rows:
        sheet.append([clean(v) for v in row])
        count += 1
    workbook.save(out)
    return count


def iter_chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
