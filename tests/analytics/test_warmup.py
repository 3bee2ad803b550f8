"""The chart engine is started once, in the background, when the app starts."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

import microbag.app as app_module
from microbag.analytics import charts


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(charts, "_warmed", threading.Event())
    calls: list[dict] = []
    monkeypatch.setattr(charts, "_convert", lambda spec: calls.append(spec) or "<svg></svg>")
    return calls


def test_warm_up_renders_once(fresh):
    assert charts.warm_up() and charts.warm_up()
    assert fresh == [charts.WARMUP_SPEC]
    # The throw-away chart does not take a place in the cache.
    assert charts.spec_key(charts.WARMUP_SPEC) not in charts._cache


def test_a_failed_warm_up_is_retried_later(monkeypatch, fresh):
    def broken(spec):
        raise RuntimeError("no engine")

    monkeypatch.setattr(charts, "_convert", broken)
    assert charts.warm_up() is False
    monkeypatch.setattr(charts, "_convert", lambda spec: "<svg></svg>")
    assert charts.warm_up() is True


def test_warm_up_in_background_does_not_block(monkeypatch, fresh):
    release = threading.Event()

    def slow(spec):
        release.wait(5)
        return "<svg></svg>"

    monkeypatch.setattr(charts, "_convert", slow)
    thread = charts.warm_up_in_background()
    assert thread.daemon and thread.is_alive()  # returned while the engine still starts
    release.set()
    thread.join(5)
    assert charts._warmed.is_set()


def test_app_start_warms_up_outside_tests_only(app, monkeypatch):
    started: list[bool] = []
    monkeypatch.setattr(charts, "warm_up_in_background", lambda: started.append(True))
    with TestClient(app):
        pass
    assert started == []  # under pytest: skipped
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    with TestClient(app):
        pass
    assert started == [True]
    monkeypatch.setattr(app_module.get_settings(), "chart_warmup", False)
    with TestClient(app):
        pass
    assert started == [True]
