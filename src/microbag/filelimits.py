"""Bounds on imported files, checked before a parser builds anything from them.

A small file can expand enormously: a 109 KB workbook holding a million cells in one
row cost 20 s and about 1 GB in openpyxl, a gzip or zip entry can inflate a
thousand-fold. So, before openpyxl or polars sees a file:

- an XLSX workbook is checked entry by entry from the zip directory (declared size,
  total, compression ratio; zipfile never inflates an entry past its declared size),
  then its worksheets and shared strings are scanned with expat as a stream: rows,
  cells and cells per row are counted while reading, and the scan stops at the first
  row that passes the column limit (no row is ever held whole);
- a gzip file is inflated in chunks and given up as soon as it passes the cap.

Limits come from the settings (``MICROBAG_IMPORT_*``, README). A limit that is passed
raises ``FileLimitError`` (status 413 when the content is too large once inflated,
422 when it has too many rows, cells or columns); callers turn it into their own
error with the file's name.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

CHUNK = 1 << 16
# Entries smaller than this are not judged by their ratio (tiny XML parts compress oddly).
RATIO_FLOOR_BYTES = 1 << 20
MAX_ZIP_ENTRIES = 10_000
# Excel's own limit: a row with more cells than this is not a spreadsheet's.
MAX_CELLS_PER_ROW = 16_384
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d*)$")


@dataclass(frozen=True)
class FileLimits:
    max_uncompressed_bytes: int
    max_compression_ratio: int
    max_rows: int
    max_cells: int
    max_columns: int

    @classmethod
    def from_settings(cls) -> FileLimits:
        from microbag.config import get_settings

        s = get_settings()
        return cls(
            max_uncompressed_bytes=s.import_max_uncompressed_bytes,
            max_compression_ratio=s.import_max_compression_ratio,
            max_rows=s.import_max_rows,
            max_cells=s.import_max_cells,
            max_columns=s.import_max_columns,
        )


class FileLimitError(ValueError):
    """A file passes one of the limits: ``status`` 413 (too large inflated) or 422."""

    def __init__(self, message: str, status: int, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.line = line

    @property
    def code(self) -> str:
        return "file_too_large" if self.status == 413 else "unreadable_file"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


# ---- gzip --------------------------------------------------------------------------------------


def gunzip_bounded(data: bytes, max_bytes: int) -> bytes:
    """Inflate gzip ``data`` (several members too); FileLimitError past ``max_bytes``.

    A first pass inflates chunk by chunk and keeps nothing, so a bomb is refused in
    constant memory; only a file within the cap is inflated again and kept. Truncated
    or corrupt input raises what the gzip module raises (GZIP_ERRORS), for the caller.
    """
    total = 0
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        while chunk := stream.read(CHUNK * 16):
            total += len(chunk)
            if total > max_bytes:
                raise FileLimitError(
                    f"the file inflates to more than {_mb(max_bytes)} "
                    f"(from {len(data)} bytes compressed): refused",
                    413,
                )
    return gzip.decompress(data)


GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, OSError)


# ---- XLSX --------------------------------------------------------------------------------------


def check_xlsx(data: bytes, limits: FileLimits) -> None:
    """Raise FileLimitError when the workbook would expand past the limits once parsed.

    A file that is not a readable zip passes: the caller's parser reports it as corrupt.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise FileLimitError(f"the workbook holds {len(infos)} parts: refused", 413)
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits.max_uncompressed_bytes:
                raise FileLimitError(
                    f"the workbook's part {info.filename} inflates to {_mb(info.file_size)} "
                    f"(at most {_mb(limits.max_uncompressed_bytes)})",
                    413,
                )
            if total > limits.max_uncompressed_bytes:
                raise FileLimitError(
                    f"the workbook inflates to more than {_mb(limits.max_uncompressed_bytes)}",
                    413,
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
                raise FileLimitError(
                    f"the workbook's part {info.filename} is compressed {ratio:.0f} to 1 "
                    f"(at most {limits.max_compression_ratio} to 1): refused as a zip bomb",
                    413,
                )
        scan = _Counts(limits)
        for info in infos:
            name = info.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _parse(archive, info, _SheetScan(scan).handlers())
            elif name == "xl/sharedStrings.xml":
                _parse(archive, info, _StringsScan(scan).handlers())


class _Counts:
    def __init__(self, limits: FileLimits) -> None:
        self.limits = limits
        self.cells = 0
        self.strings = 0


def _local(tag: str) -> str:
    # expat without namespace processing: "c", or "x:c" when the file uses a prefix.
    return tag.rpartition(":")[2]


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ord(ch) - 64)
    return number


class _SheetScan:
    """Counts rows and cells of one worksheet while expat reads it (nothing is kept)."""

    def __init__(self, counts: _Counts) -> None:
        self.counts = counts
        self.limits = counts.limits
        self.row = 0
        self.row_cells = 0
        self.column = 0
        # The current cell lies beyond the column limit: a value in it is refused.
        self.beyond = False

    def handlers(self) -> dict[str, Any]:
        return {"StartElementHandler": self.start}

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "c":
            self._cell(attrs.get("r"))
        elif name in ("v", "is", "f") and self.beyond:
            raise FileLimitError(
                f"row {self.row} has a value in column {self.column}; "
                f"a sheet may have at most {self.limits.max_columns} columns",
                422,
                self.row,
            )
        elif name == "row":
            ref = attrs.get("r", "")
            self.row = int(ref) if ref.isdigit() else self.row + 1
            self.row_cells = 0
            self.column = 0
            if self.row > self.limits.max_rows:
                raise FileLimitError(
                    f"the sheet has more than {self.limits.max_rows} rows", 422, self.row
                )

    def _cell(self, ref: str | None) -> None:
        self.row_cells += 1
        self.counts.cells += 1
        if self.counts.cells > self.limits.max_cells:
            raise FileLimitError(
                f"the workbook has more than {self.limits.max_cells} cells", 422, self.row
            )
        if self.row_cells > MAX_CELLS_PER_ROW:
            raise FileLimitError(
                f"row {self.row} has more than {MAX_CELLS_PER_ROW} cells", 422, self.row
            )
        match = _CELL_REF.match(ref) if ref else None
        self.column = _column_number(match.group(1)) if match else self.column + 1
        self.beyond = self.column > self.limits.max_columns


class _StringsScan:
    def __init__(self, counts: _Counts) -> None:
        self.counts = counts

    def handlers(self) -> dict[str, Any]:
        return {"StartElementHandler": self.start}

    def start(self, tag: str, _attrs: dict[str, str]) -> None:
        if _local(tag) == "si":
            self.counts.strings += 1
            if self.counts.strings > self.counts.limits.max_cells:
                raise FileLimitError(
                    f"the workbook has more than {self.counts.limits.max_cells} shared texts",
                    422,
                )


def _refuse_dtd(*_args: Any) -> None:
    # Spreadsheet XML has no DTD; one here can only be there to expand entities.
    raise FileLimitError("the workbook's XML declares a DTD or entities: refused", 422)


def _parse(archive: zipfile.ZipFile, info: zipfile.ZipInfo, handlers: dict[str, Any]) -> None:
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    for attr, handler in handlers.items():
        setattr(parser, attr, handler)
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return  # broken XML or zip data: the parser that follows reports it
