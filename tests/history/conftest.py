"""Sales-history test helpers: small CSV files and a slice of the real UCI data."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import func, select

from microbag.catalog.models import Sku
from microbag.db import Database
from microbag.history.models import SalesImportBatch, SalesImportFile, SalesLine

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
UCI_MONTH = "online_retail_2011-11.csv.gz"
SLICE_LINES = 2000  # header + 1,999 rows


def write_csv(folder: Path, name: str, lines: list[str], *, gz: bool = False) -> Path:
    text = "\n".join(lines) + "\n"
    path = folder / name
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def row(
    invoice: str = "536365",
    code: str = "85123A",
    description: str = "WHITE HANGING HEART T-LIGHT HOLDER",
    quantity: str = "6",
    when: str = "2011-03-01 08:26:00",
    price: str = "2.55",
    customer: str = "17850.0",
    country: str = "United Kingdom",
) -> str:
    return ",".join([invoice, code, description, quantity, when, price, customer, country])


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            "lines": s.scalar(select(func.count()).select_from(SalesLine)) or 0,
            "batches": s.scalar(select(func.count()).select_from(SalesImportBatch)) or 0,
            "files": s.scalar(select(func.count()).select_from(SalesImportFile)) or 0,
            "skus": s.scalar(select(func.count()).select_from(Sku)) or 0,
        }


@pytest.fixture
def uci_slice(shared_data: Path, tmp_path: Path) -> Path:
    """The first 2,000 lines (header included) of one real month, as a plain CSV."""
    source = shared_data / "online-retail-uci" / UCI_MONTH
    with gzip.open(source, "rt", encoding="utf-8", newline="") as f:
        lines = [next(f) for _ in range(SLICE_LINES)]
    path = tmp_path / "uci_slice.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path
