"""The engine on a slice of the real UCI data (three months before, one after a cut)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from microbag.suggestions.engine import SuggestionModel

pytestmark = pytest.mark.slow

CUT = date(2011, 4, 1)
MONTHS = ("2011-01", "2011-02", "2011-03", "2011-04")
MAPPING = Path(__file__).resolve().parents[2] / "src/microbag/history/mappings/online-retail.json"


def slice_of_uci(folder: Path) -> pl.DataFrame:
    mapping = json.loads(MAPPING.read_text())
    text = pl.String
    frame = pl.concat(
        [
            pl.read_csv(
                folder / f"online_retail_{month}.csv.gz",
                schema_overrides={"InvoiceNo": text, "StockCode": text, "CustomerID": text},
            )
            for month in MONTHS
        ]
    )
    pattern = "|".join(f"(?:{p})" for p in mapping["non_product_patterns"])
    return frame.filter(
        ~pl.col("InvoiceNo").str.starts_with("C"),
        pl.col("Quantity") > 0,
        pl.col("CustomerID").is_not_null(),
        ~pl.col("StockCode").is_in(mapping["non_product_codes"]),
        ~pl.col("StockCode").str.contains(pattern),
    ).select(
        buyer_ref=pl.col("CustomerID").str.replace(r"\.0+$", ""),
        sku=pl.col("StockCode"),
        day=pl.col("InvoiceDate").str.to_datetime("%Y-%m-%d %H:%M:%S").dt.date(),
        invoice=pl.col("InvoiceNo"),
        units=pl.col("Quantity").cast(pl.Int64),
    )


def test_beats_popularity_on_a_slice(shared_data: Path) -> None:
    lines = slice_of_uci(shared_data / "online-retail-uci")
    train = lines.filter(pl.col("day") < CUT)
    after = lines.filter(pl.col("day") >= CUT, pl.col("day") < CUT + timedelta(days=28))
    bought = {
        ref: set(skus)
        for ref, skus in after.group_by("buyer_ref").agg(pl.col("sku").unique()).iter_rows()
    }
    model = SuggestionModel.fit(train, {}, CUT - timedelta(days=1))
    customers = [ref for ref in bought if ref in set(model.buyers())]
    assert len(customers) > 300
    popular = (
        train.group_by("sku").agg(pl.col("buyer_ref").n_unique()).sort("buyer_ref").tail(20)
    )["sku"].to_list()
    ours = popular_hits = 0.0
    for ref in customers:
        lines_of = model.suggest(ref, 20)
        assert [s.rank for s in lines_of] == list(range(1, 21))
        assert all(s.units >= 1 and s.reasons and s.basis == "data" for s in lines_of)
        ours += len({s.sku for s in lines_of} & bought[ref]) / len(bought[ref])
        popular_hits += len(set(popular) & bought[ref]) / len(bought[ref])
    assert ours / len(customers) > 1.5 * popular_hits / len(customers)
    assert ours / len(customers) > 0.15
