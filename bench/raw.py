"""The databases' own raw transaction rates, measured in the same run as the app.

They are the baseline for the ratios: these machines are noisy, so a figure means
most as a fraction of what the database itself can do right now.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse


def raw_tps_sqlite(seconds: float = 3.0) -> float:
    """Small write transactions (one UPDATE + one INSERT) with the app's SQLite settings."""
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE stock (id INTEGER PRIMARY KEY, reserved INTEGER)")
        conn.execute("CREATE TABLE lines (id INTEGER PRIMARY KEY, stock_id INTEGER, qty INTEGER)")
        conn.executemany("INSERT INTO stock VALUES (?, 0)", [(i,) for i in range(1000)])
        n = 0
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE stock SET reserved = reserved + 1 WHERE id = ?", (n % 1000,))
            conn.execute("INSERT INTO lines (stock_id, qty) VALUES (?, 1)", (n % 1000,))
            conn.execute("COMMIT")
            n += 1
        elapsed = time.perf_counter() - start
        conn.close()
    return n / elapsed


def raw_tps_postgres(url: str, seconds: int = 10, clients: int = 8) -> float | None:
    """pgbench's TPC-B-like transaction rate on a scratch schema of the same server."""
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        return None
    parsed = urlparse(url.replace("postgresql+psycopg://", "postgresql://"))
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    if parsed.username:
        args += ["-U", parsed.username]
    dbname = (parsed.path or "/test").lstrip("/")
    subprocess.run(
        [pgbench, *args, "-i", "-q", "-s", "2", dbname],
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [pgbench, *args, "-c", str(clients), "-j", "2", "-T", str(seconds), "-n", dbname],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    subprocess.run([pgbench, *args, "-i", "-I", "d", dbname], check=False, capture_output=True)
    match = re.search(r"tps = ([0-9.]+)", out)
    return float(match.group(1)) if match else None
