"""Crafted hostile files for the import limits: built in the tests, never stored."""

from __future__ import annotations

import gzip
import io
import resource
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from openpyxl import Workbook


def workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, edit: Callable[[bytes], bytes], extra: dict | None = None) -> bytes:
    """The workbook with its first sheet's XML replaced by ``edit(xml)`` (and extra parts)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)
            dst.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def append_rows(xml: bytes, rows: bytes) -> bytes:
    return xml.replace(b"</sheetData>", rows + b"</sheetData>")


def wide_row_workbook(header: list[str], cells: int = 1_000_000, row: int = 2) -> bytes:
    """A small workbook whose row ``row`` holds ``cells`` numeric cells (no refs)."""
    wide = b'<row r="%d">' % row + b"<c><v>1</v></c>" * cells + b"</row>"
    return rewrite_sheet(workbook([header]), lambda xml: append_rows(xml, wide))


def ratio_bomb_workbook(header: list[str], inflated: int = 40 * 1024 * 1024) -> bytes:
    """A workbook with a part of ``inflated`` bytes of one repeated byte (ratio ~1000:1)."""
    return rewrite_sheet(workbook([header]), lambda xml: xml, {"xl/media/pad.bin": b" " * inflated})


def gzip_bomb(inflated: int = 1024 * 1024 * 1024, prefix: bytes = b"") -> bytes:
    """``prefix`` then zeros as gzip members: ~1 MB that inflate to ``inflated`` bytes."""
    member = gzip.compress(b"\x00" * (1 << 20), compresslevel=9)
    return gzip.compress(prefix) + member * (inflated >> 20)


@dataclass
class Cost:
    seconds: float = 0.0
    peak_bytes: int = 0


@contextmanager
def measured() -> Iterator[Cost]:
    """Wall time and the Python heap's peak (tracemalloc) of the block."""
    cost = Cost()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield cost
    finally:
        cost.seconds = time.perf_counter() - start
        cost.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


MB = 1024 * 1024
