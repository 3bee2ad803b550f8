"""The CSV contract of ``microbag plan together``: ``basket,sku`` in, ``basket,sku,rank`` out.

The input names the SKUs already in each basket, one row per item (other columns are
ignored; a basket's rows need not be next to each other). It is bounded like every
imported file: its size (``MICROBAG_IMPORT_MAX_UNCOMPRESSED_BYTES``) and rows
(``MICROBAG_IMPORT_MAX_ROWS``) are checked before anything is ranked.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TextIO

from microbag.bundles.policies import Together
from microbag.errors import DomainError, ErrorItem
from microbag.filelimits import FileLimits

INPUT_COLUMNS = ("basket", "sku")
OUTPUT_COLUMNS = ("basket", "sku", "rank")
MAX_FIELD = 200


def _error(code: str, message: str, line: int | None = None, status: int = 422) -> DomainError:
    return DomainError(ErrorItem(code, message, line), status)


def read_baskets_csv(data: bytes, limits: FileLimits) -> dict[str, list[str]]:
    """Basket -> its SKU codes (first-seen order, each once), baskets in file order."""
    if len(data) > limits.max_uncompressed_bytes:
        raise _error(
            "file_too_large",
            f"the baskets file is larger than {limits.max_uncompressed_bytes:,} bytes",
            status=413,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error("unreadable_file", f"the baskets file is not UTF-8 text ({exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _error("missing_columns", "the baskets file is empty: expected basket,sku") from None
    except csv.Error as exc:
        raise _error("unreadable_file", f"the baskets file is not CSV ({exc})", 1) from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in INPUT_COLUMNS if c not in names]
    if missing:
        raise _error(
            "missing_columns",
            f"the baskets file needs the columns basket,sku; missing {', '.join(missing)} "
            f"(header: {','.join(header)[:200]})",
            1,
        )
    basket_at, sku_at = names.index("basket"), names.index("sku")
    baskets: dict[str, list[str]] = {}
    seen: dict[str, set[str]] = {}
    line = 1
    try:
        for line, row in enumerate(reader, start=2):
            if line - 1 > limits.max_rows:
                raise _error(
                    "too_many_rows", f"the baskets file has more than {limits.max_rows:,} rows"
                )
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(basket_at, sku_at):
                raise _error("missing_value", "the row has no basket or no sku", line)
            basket, sku = row[basket_at].strip(), row[sku_at].strip()
            if not basket or not sku:
                raise _error("missing_value", "every row needs a basket and a sku", line)
            if len(basket) > MAX_FIELD or len(sku) > MAX_FIELD:
                raise _error(
                    "value_too_long", f"basket and sku are at most {MAX_FIELD} characters", line
                )
            items = baskets.setdefault(basket, [])
            if sku not in seen.setdefault(basket, set()):
                seen[basket].add(sku)
                items.append(sku)
    except csv.Error as exc:
        raise _error(
            "unreadable_file", f"the baskets file is not valid CSV ({exc})", line
        ) from None
    return baskets


def write_together_csv(rows: Iterable[tuple[str, Together]], stream: TextIO) -> int:
    """``basket,sku,rank`` rows; the number written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    count = 0
    for basket, together in rows:
        writer.writerow((basket, together.sku, together.rank))
        count += 1
    return count
