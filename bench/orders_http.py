"""Order placement over HTTP on loopback: orders/s, p50 and p95 latency."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.seed import OrderBenchData


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(database_url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(os.environ, MICROBAG_DATABASE_URL=database_url)
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "microbag"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("benchmark server did not start")


async def _load(
    base: str, data: OrderBenchData, seconds: float, concurrency: int
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    rng = random.Random(7)
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(n: int) -> None:
            nonlocal errors
            token = data.tokens[n % len(data.tokens)]
            i = 0
            while time.perf_counter() < deadline:
                i += 1
                lines = [
                    {"sku": code, "quantity": rng.choice((1, 2, 3, 6, 12))}
                    for code in rng.sample(data.sku_codes, rng.randint(1, 4))
                ]
                t0 = time.perf_counter()
                r = await client.post(
                    "/api/v1/orders",
                    json={"lines": lines},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"b{n}-{i}"},
                )
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 201:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - start

    latencies.sort()
    ok = len(latencies) - errors

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0
        )

    return {
        "orders_per_s": ok / elapsed,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "errors": errors,
    }


def run_order_load(
    database_url: str,
    data: OrderBenchData,
    *,
    seconds: float = 10,
    concurrency: int = 16,
    workers: int = 2,
) -> dict[str, float]:
    proc, base = start_server(database_url, workers)
    try:
        asyncio.run(_load(base, data, 1.5, concurrency))  # warm-up: connections, caches
        return asyncio.run(_load(base, data, seconds, concurrency))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
