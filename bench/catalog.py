"""Catalog filter queries at the large demo size (100,000+ SKUs): p95 per backend.

Beside them, the same filters' SQL replayed straight on the database driver
(``catalog_filter_bare_sql_p95_ms_*``), so the cost of the layers above SQL shows.
Also the portal's server-side render time of the filtered catalog page and of the
staff dashboard at the same size, and of the catalog page with its facet counts
under "in stock" or a ships-by date (``catalog_facets_p95_ms_*``), when the portal
is installed.
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bench.run import fresh_database, postgres_scratch

FILTERS: list[dict[str, Any]] = [
    {"bag_type": ["micro_clutch"]},
    {"bag_type": ["micro_clutch"], "color": ["gold"]},
    {"material": ["calfskin"], "price_tier": ["luxury"]},
    {"size_class": ["micro"], "occasion": ["bridal"]},
    {"season": ["all_season"], "bag_type": ["mini_crossbody"], "color": ["black"]},
    {"q": "tote"},
    {"q": "pink mini"},
    {"in_stock": True, "bag_type": ["belt_bag"]},
    {"ships_by": date.today() + timedelta(days=30), "bag_type": ["micro_tote"]},
    {"color": ["red"], "sort": "newest"},
    {},
]


# The catalog page (listing, every facet's counts, the in-stock and ships-by counts)
# with the filters that make the counts read the whole catalog's stock. Target: p95
# <= 150 ms for each of them.
def facet_urls(today: date) -> list[str]:
    soon = (today + timedelta(days=30)).isoformat()
    later = (today + timedelta(days=90)).isoformat()
    return [
        "/catalog?in_stock=1",
        f"/catalog?ships_by={soon}",
        "/catalog?in_stock=1&bag_type=belt_bag",
        f"/catalog?ships_by={soon}&bag_type=micro_tote",
        "/catalog?in_stock=1&color=black&color=red&material=calfskin",
        "/catalog?in_stock=1&occasion=formal&size_class=micro",
        f"/catalog?ships_by={later}&q=tote",
        f"/catalog?in_stock=1&ships_by={later}&sort=newest&page=3",
    ]


def _p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(0.95 * len(samples)))] * 1000


def _buyer(db: Any) -> Any:
    from microbag.accounts.models import User
    from microbag.accounts.service import principal_of

    with db.session() as s:
        return principal_of(s.scalars(select(User).where(User.role == "buyer")).first())


def _runs(rounds: int) -> list[tuple[dict[str, Any], int]]:
    """The (filter, page) sequence both the filter and the bare-SQL figures measure."""
    rng = random.Random(3)
    return [(f, rng.choice((1, 1, 2, 5))) for _ in range(rounds) for f in FILTERS]


def _measure_filters(db: Any, rounds: int) -> dict[str, float]:
    from microbag.catalog.listing import SkuFilters
    from microbag.catalog.service import list_skus

    principal = _buyer(db)
    times: list[float] = []
    for f, page in _runs(rounds):
        t0 = time.perf_counter()
        with db.session() as s:
            list_skus(s, principal, SkuFilters(**f), page=page, page_size=48)
        times.append(time.perf_counter() - t0)
    return {"p95_ms": _p95(times), "median_ms": statistics.median(times) * 1000}


def _measure_bare_sql(db: Any, rounds: int) -> dict[str, float]:
    """The same filters' statements, as the application sent them, run on the bare driver.

    Each (filter, page) is run once through the application to record its SQL and
    parameters; then every round replays them on a raw DBAPI connection (one
    transaction, rows fetched, rolled back), as the application's unit of work does.
    """
    from sqlalchemy import event

    from microbag.catalog.listing import SkuFilters
    from microbag.catalog.service import list_skus

    principal = _buyer(db)
    recorded: dict[tuple[int, int], list[tuple[str, Any]]] = {}

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        capture.append((statement, params))

    for f, page in _runs(1) + [(f, p) for f in FILTERS for p in (1, 2, 5)]:
        key = (FILTERS.index(f), page)
        if key in recorded:
            continue
        capture: list[tuple[str, Any]] = []
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            with db.session() as s:
                list_skus(s, principal, SkuFilters(**f), page=page, page_size=48)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        recorded[key] = capture
    raw = db.engine.raw_connection()
    times: list[float] = []
    try:
        for f, page in _runs(rounds):
            statements = recorded[(FILTERS.index(f), page)]
            t0 = time.perf_counter()
            cursor = raw.cursor()
            for statement, params in statements:
                cursor.execute(statement, params)
                if cursor.description is not None:
                    cursor.fetchall()
            cursor.close()
            raw.rollback()
            times.append(time.perf_counter() - t0)
    finally:
        raw.close()
    return {"p95_ms": _p95(times)}


def _signed_in(app: Any, email: str) -> Any:
    """A test client of the ASGI app (no network), signed in; None if signing in failed."""
    from fastapi.testclient import TestClient

    from microbag.demo.generator import DEMO_PASSWORD

    client = TestClient(app, base_url="https://testserver")
    client.__enter__()
    form = client.get("/login").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', form)
    token = match.group(1) if match else ""
    r = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    if r.status_code >= 400:
        client.__exit__(None, None, None)
        return None
    return client


def _timed_gets(client: Any, url: str, rounds: int) -> list[float] | None:
    client.get(url)  # warm caches
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        resp = client.get(url)
        times.append(time.perf_counter() - t0)
        if resp.status_code != 200:
            return None
    return times


def _measure_pages(db: Any, rounds: int) -> dict[str, Any]:
    """Server-side render time of portal pages through the ASGI app (no network)."""
    try:
        from microbag.app import create_app
    except ImportError:
        return {}
    from microbag.accounts.models import User

    app = create_app(db)
    out: dict[str, Any] = {}
    with db.session() as s:
        buyer_email = s.scalars(select(User).where(User.role == "owner")).first().email
    for label, email, url in (
        ("catalog_page", buyer_email, "/catalog?bag_type=micro_clutch&color=gold&sort=newest"),
        ("dashboard", "admin@microbag.example", "/staff"),
    ):
        client = _signed_in(app, email)
        if client is None:
            continue
        with client:
            times = _timed_gets(client, url, rounds)
        if times:
            out[f"{label}_render_p95_ms"] = _p95(times)
    out.update(measure_facet_pages(app, buyer_email, rounds))
    return out


def measure_facet_pages(app: Any, email: str, rounds: int) -> dict[str, Any]:
    """The catalog page's p95 under each filter of facet_urls, and over all of them."""
    client = _signed_in(app, email)
    if client is None:
        return {}
    pooled: list[float] = []
    by_url: dict[str, float] = {}
    with client:
        for url in facet_urls(date.today()):
            times = _timed_gets(client, url, rounds)
            if times is None:
                return {}
            pooled += times
            by_url[url.removeprefix("/catalog?")] = round(_p95(times), 1)
    return {
        "catalog_facets_p95_ms": _p95(pooled),
        "catalog_facets_worst_p95_ms": max(by_url.values()),
        "catalog_facets_worst_filter": max(by_url, key=by_url.__getitem__),
        "catalog_facets_by_filter_p95_ms": by_url,
    }


def _one_backend(url: str, suffix: str, quick: bool) -> dict[str, Any]:
    from microbag.demo.generator import load_demo

    db = fresh_database(url)
    t0 = time.perf_counter()
    with db.session(write=True) as s:
        load_demo(s, size="large")
    load_s = time.perf_counter() - t0
    if url.startswith("postgresql"):
        # The facet cells are filled by triggers during the load (the demo analyzes
        # only the tables it writes itself); autovacuum would analyze them later.
        with db.session(write=True) as s:
            s.execute(text("ANALYZE facet_style_cells"))
            s.execute(text("ANALYZE facet_sku_cells"))
    rounds = 5 if quick else 20
    res = _measure_filters(db, rounds)
    bare = _measure_bare_sql(db, rounds)
    out: dict[str, Any] = {
        f"catalog_filter_p95_ms_{suffix}": round(res["p95_ms"], 2),
        f"catalog_filter_bare_sql_p95_ms_{suffix}": round(bare["p95_ms"], 2),
        f"catalog_filter_median_ms_{suffix}": round(res["median_ms"], 2),
        f"demo_large_load_s_{suffix}": round(load_s, 1),
    }
    for key, value in _measure_pages(db, 10 if quick else 30).items():
        out[f"{key}_{suffix}"] = round(value, 1) if isinstance(value, float) else value
    db.dispose()
    return out


def run(pg_url: str | None, quick: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out.update(_one_backend(f"sqlite:///{Path(tmp) / 'catalog.db'}", "sqlite", quick))
    if pg_url:
        with postgres_scratch(pg_url, "microbag_bench_catalog") as url:
            out.update(_one_backend(url, "postgres", quick))
    return out
