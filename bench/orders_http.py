"""Order placement over HTTP on loopback: orders/s, p50 and p95 latency."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

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


class _Connection:
    """A minimal HTTP/1.1 keep-alive client for the load: the load generator shares the
    machine's two cores with the server and the database, so it must cost little
    (httpx spent about 2 ms of CPU per request, more than the database did)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        status = int((await self.reader.readline()).split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        payload = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = self.reader = None


async def _load(
    base: str,
    data: OrderBenchData,
    seconds: float,
    concurrency: int,
    tokens: list[str],
    with_address: bool = False,
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    kinds: dict[str, int] = {}
    rng = random.Random(7)
    run_id = uuid.uuid4().hex[:8]  # keys of the warm-up run must not collide with this one
    deadline = time.perf_counter() + seconds
    host, port = base.removeprefix("http://").split(":")
    connections = [_Connection(host, int(port)) for _ in range(concurrency)]

    async def worker(n: int) -> None:
        nonlocal errors
        token = tokens[n % len(tokens)]
        conn = connections[n]
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            lines = [
                {"sku": code, "quantity": rng.choice((1, 2, 3, 6, 12))}
                for code in rng.sample(data.sku_codes, rng.randint(1, 4))
            ]
            order: dict[str, Any] = {"lines": lines}
            if with_address:  # the ship-to copied into the order (issue 11)
                order["ship_to_address_id"] = data.address_ids[token]
            body = json.dumps(order).encode()
            t0 = time.perf_counter()
            status, payload = await conn.post(
                "/api/v1/orders",
                body,
                {
                    "Authorization": f"Bearer {token}",
                    "Idempotency-Key": f"{run_id}-{n}-{i}",
                },
            )
            latencies.append(time.perf_counter() - t0)
            if status != 201:
                errors += 1
                kind = f"{status}"
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    kind += ":" + ",".join(e["code"] for e in json.loads(payload)["errors"])
                kinds[kind] = kinds.get(kind, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - start
    for conn in connections:
        await conn.close()

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
        "error_kinds": kinds,
    }


def run_order_load(
    database_url: str,
    data: OrderBenchData,
    *,
    seconds: float = 10,
    concurrency: int = 16,
    workers: int = 2,
    one_company: bool = False,
    with_address: bool = False,
) -> dict[str, Any]:
    """Orders spread over many companies' users; and with ``one_company``, a second run
    on the same server with every order from one company (under the key "one_company").
    With ``with_address``, the same two runs again with a ship-to address in every
    request (keys "with_address" and "one_company_with_address"), on the same server."""
    proc, base = start_server(database_url, workers)
    try:
        asyncio.run(_load(base, data, 1.5, concurrency, data.tokens))  # warm-up
        result = asyncio.run(_load(base, data, seconds, concurrency, data.tokens))
        if one_company:
            tokens = data.one_company_tokens
            result["one_company"] = asyncio.run(_load(base, data, seconds, concurrency, tokens))
        if with_address:
            result["with_address"] = asyncio.run(
                _load(base, data, seconds, concurrency, data.tokens, with_address=True)
            )
            if one_company:
                tokens = data.one_company_tokens
                result["one_company_with_address"] = asyncio.run(
                    _load(base, data, seconds, concurrency, tokens, with_address=True)
                )
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=20)
