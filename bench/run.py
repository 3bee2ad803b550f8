"""Run every benchmark and print the figures; the last line is one JSON object.

    python -m bench.run [--pg-url URL] [--only orders,catalog,...] [--quick]

Each figure sits beside a baseline measured in the same run (the databases' raw
transaction rates), because these machines are noisy: ratios travel, absolute
numbers do not.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console

from bench.raw import raw_tps_postgres, raw_tps_sqlite

console = Console(stderr=True)
BENCH_DB = "microbag_bench"


@contextmanager
def postgres_scratch(pg_url: str, name: str = BENCH_DB) -> Iterator[str]:
    """A fresh database on the same server, dropped afterwards.

    Its name carries the given URL's database name (``microbag_bench_test_h2``), so that
    runs pointed at different databases of one server do not drop each other's scratch.
    """
    admin_url = pg_url.replace("postgresql+psycopg://", "postgresql://")
    own = admin_url.rsplit("/", 1)[1].split("?", 1)[0]
    if own and own not in ("postgres", "test"):
        name = f"{name}_{own}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_database(url: str) -> Any:
    from microbag.db import Database
    from microbag.migrate import upgrade

    db = Database(url)
    upgrade(db)
    return db


def bench_orders(pg_url: str | None, quick: bool) -> dict[str, Any]:
    from bench.orders_http import run_order_load
    from bench.seed import seed_order_bench

    seconds = 4 if quick else 10
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'orders.db'}"
        db = fresh_database(url)
        data = seed_order_bench(db)
        db.dispose()
        r = run_order_load(url, data, seconds=seconds)
        out.update(
            orders_per_s_sqlite=round(r["orders_per_s"], 1),
            order_p50_ms_sqlite=round(r["p50_ms"], 2),
            order_p95_ms_sqlite=round(r["p95_ms"], 2),
            order_errors_sqlite=r["errors"],
            order_error_kinds_sqlite=r["error_kinds"],
        )
    if pg_url:
        with postgres_scratch(pg_url) as url:
            db = fresh_database(url)
            data = seed_order_bench(db)
            db.dispose()
            r = run_order_load(url, data, seconds=seconds, one_company=True, with_address=True)
            one = r["one_company"]
            out.update(
                orders_per_s_postgres=round(r["orders_per_s"], 1),
                order_p50_ms_postgres=round(r["p50_ms"], 2),
                order_p95_ms_postgres=round(r["p95_ms"], 2),
                order_errors_postgres=r["errors"],
                order_error_kinds_postgres=r["error_kinds"],
                # The same load with every order from one company (on credit): its
                # orders queue on the company's row lock (issue 8: they deadlocked).
                orders_per_s_postgres_one_company=round(one["orders_per_s"], 1),
                order_p50_ms_postgres_one_company=round(one["p50_ms"], 2),
                order_p95_ms_postgres_one_company=round(one["p95_ms"], 2),
                order_errors_postgres_one_company=one["errors"],
                order_error_kinds_postgres_one_company=one["error_kinds"],
            )
            # The same two loads with a ship-to address in every request (issue 11: the
            # header must not cost more than 15 % of the figures above).
            for key in ("with_address", "one_company_with_address"):
                fig = r[key]
                out[f"orders_per_s_postgres_{key}"] = round(fig["orders_per_s"], 1)
                out[f"order_p95_ms_postgres_{key}"] = round(fig["p95_ms"], 2)
                out[f"order_errors_postgres_{key}"] = fig["errors"]
                out[f"order_error_kinds_postgres_{key}"] = fig["error_kinds"]
    return out


def bench_raw(pg_url: str | None, quick: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"raw_tps_sqlite": round(raw_tps_sqlite(2 if quick else 4), 1)}
    if pg_url:
        with postgres_scratch(pg_url, "microbag_bench_raw") as url:
            tps = raw_tps_postgres(url, seconds=5 if quick else 10)
        out["raw_tps_postgres"] = round(tps, 1) if tps else None
    return out


BENCHES: dict[str, Callable[[str | None, bool], dict[str, Any]]] = {
    "raw": bench_raw,
    "orders": bench_orders,
}


def _register_optional() -> None:
    """Benchmarks of other areas register themselves if their module exists."""
    import importlib

    for name in (
        "catalog",
        "portal",
        "intelligence",
        "rangeplan",
        "bundles",
        "suggestions",
        "replay",
        "scorecards",
    ):
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError:
            continue
        BENCHES[name] = module.run


def main() -> None:
    _register_optional()
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server to benchmark on")
    parser.add_argument("--only", default="", help="comma-separated subset of " + ",".join(BENCHES))
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    args = parser.parse_args()
    chosen = [b for b in args.only.split(",") if b] or list(BENCHES)
    figures: dict[str, Any] = {}
    for name in chosen:
        console.rule(f"bench: {name}")
        t0 = time.perf_counter()
        result = BENCHES[name](args.pg_url, args.quick)
        for key, value in result.items():
            console.print(f"  {key} = {value}")
        console.print(f"  ({time.perf_counter() - t0:.1f} s)")
        figures.update(result)
    # Ratios to the raw rates measured in this same run.
    if figures.get("raw_tps_postgres") and figures.get("orders_per_s_postgres"):
        figures["orders_to_raw_ratio_postgres"] = round(
            figures["orders_per_s_postgres"] / figures["raw_tps_postgres"], 3
        )
    if figures.get("raw_tps_postgres") and figures.get("orders_per_s_postgres_one_company"):
        figures["orders_to_raw_ratio_postgres_one_company"] = round(
            figures["orders_per_s_postgres_one_company"] / figures["raw_tps_postgres"], 3
        )
    if figures.get("raw_tps_sqlite") and figures.get("orders_per_s_sqlite"):
        figures["orders_to_raw_ratio_sqlite"] = round(
            figures["orders_per_s_sqlite"] / figures["raw_tps_sqlite"], 3
        )
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
