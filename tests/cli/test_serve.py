"""``microbag serve``: proxy flags reach uvicorn; development settings beyond loopback warn."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

import microbag.config
from microbag.cli import app


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``serve`` passes to uvicorn (which is not started)."""
    import uvicorn

    calls: dict[str, Any] = {}

    def fake_run(target: str, **kwargs: Any) -> None:
        calls.update(kwargs, target=target)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setenv("COLUMNS", "200")
    microbag.config.get_settings.cache_clear()
    yield calls
    microbag.config.get_settings.cache_clear()


def test_defaults_serve_loopback_without_proxy_headers_or_warnings(served, monkeypatch):
    monkeypatch.delenv("MICROBAG_REQUIRE_HTTPS", raising=False)
    r = CliRunner().invoke(app, ["serve"])
    assert r.exit_code == 0, r.output
    assert served["host"] == "127.0.0.1" and served["port"] == 8000
    assert served["proxy_headers"] is False
    assert "warning" not in r.output.lower()


def test_proxy_flags_are_passed_to_uvicorn(served, monkeypatch):
    monkeypatch.setenv("MICROBAG_REQUIRE_HTTPS", "true")
    monkeypatch.setenv("MICROBAG_DATABASE_URL", "postgresql://app@db.internal:5432/microbag")
    r = CliRunner().invoke(
        app,
        ["serve", "--host", "10.0.0.5", "--proxy-headers", "--forwarded-allow-ips", "10.0.0.1"],
    )
    assert r.exit_code == 0, r.output
    assert served["proxy_headers"] is True
    assert served["forwarded_allow_ips"] == "10.0.0.1"
    assert "warning" not in r.output.lower()  # production settings: nothing to say


def test_development_settings_beyond_loopback_warn(served, monkeypatch):
    monkeypatch.delenv("MICROBAG_REQUIRE_HTTPS", raising=False)
    monkeypatch.setenv("MICROBAG_DATABASE_URL", "sqlite:///./microbag.db")
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "MICROBAG_REQUIRE_HTTPS" in out
    assert "SQLite" in out
    assert served["host"] == "0.0.0.0"
