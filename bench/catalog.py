"""Catalog filter queries at the large demo size (100,000+ SKUs): p95 per backend.

Also the portal's server-side render time of the filtered catalog page and of the
staff dashboard at the same size, when the portal is installed.
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

from sqlalchemy import select

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


def _p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(0.95 * len(samples)))] * 1000


def _measure_filters(db: Any, rounds: int) -> dict[str, float]:
    from microbag.accounts.models import User
    from microbag.accounts.service import principal_of
    from microbag.catalog.listing import SkuFilters
    from microbag.catalog.service import list_skus

    with db.session() as s:
        buyer = s.scalars(select(User).where(User.role == "buyer")).first()
        principal = principal_of(buyer)
    rng = random.Random(3)
    times: list[float] = []
    for _ in range(rounds):
        for f in FILTERS:
            page = rng.choice((1, 1, 2, 5))
            t0 = time.perf_counter()
            with db.session() as s:
                list_skus(s, principal, SkuFilters(**f), page=page, page_size=48)
            times.append(time.perf_counter() - t0)
    return {"p95_ms": _p95(times), "median_ms": statistics.median(times) * 1000}


def _measure_pages(db: Any, rounds: int) -> dict[str, float]:
    """Server-side render time of two portal pages through the ASGI app (no network)."""
    try:
        from fastapi.testclient import TestClient

        from microbag.app import create_app
        from microbag.demo.generator import DEMO_PASSWORD
    except ImportError:
        return {}
    from microbag.accounts.models import User

    app = create_app(db)
    out: dict[str, float] = {}
    with db.session() as s:
        buyer = s.scalars(select(User).where(User.role == "owner")).first()
        buyer_email = buyer.email
    for label, email, url in (
        ("catalog_page", buyer_email, "/catalog?bag_type=micro_clutch&color=gold&sort=newest"),
        ("dashboard", "admin@microbag.example", "/staff"),
    ):
        with TestClient(app, base_url="https://testserver") as client:
            form = client.get("/login").text
            match = re.search(r'name="csrf_token" value="([^"]+)"', form)
            token = match.group(1) if match else ""
            r = client.post(
                "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
            )
            if r.status_code >= 400:
                continue
            client.get(url)  # warm caches
            times = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                resp = client.get(url)
                times.append(time.perf_counter() - t0)
                if resp.status_code != 200:
                    break
            else:
                out[f"{label}_render_p95_ms"] = _p95(times)
    return out


def _one_backend(url: str, suffix: str, quick: bool) -> dict[str, Any]:
    from microbag.demo.generator import load_demo

    db = fresh_database(url)
    t0 = time.perf_counter()
    with db.session(write=True) as s:
        load_demo(s, size="large")
    load_s = time.perf_counter() - t0
    rounds = 5 if quick else 20
    res = _measure_filters(db, rounds)
    out: dict[str, Any] = {
        f"catalog_filter_p95_ms_{suffix}": round(res["p95_ms"], 2),
        f"catalog_filter_median_ms_{suffix}": round(res["median_ms"], 2),
        f"demo_large_load_s_{suffix}": round(load_s, 1),
    }
    for key, value in _measure_pages(db, 10 if quick else 30).items():
        out[f"{key}_{suffix}"] = round(value, 1)
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
