"""Portal test helpers: signing in through the real form, and Debian's Chromium.

Browser tests (marked ``browser``) drive /usr/bin/chromium through pytest-playwright;
they are skipped with a reason when it is absent. A downloaded browser is never used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NO_CHROMIUM = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **extra: str) -> Any:
    """Open /login and post the form as a browser would; returns the POST response."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    data = {"email": email, "password": password, "csrf_token": csrf_from(page.text), **extra}
    return client.post("/login", data=data, follow_redirects=False)


@pytest.fixture
def new_client(app) -> Iterator[Callable[..., TestClient]]:
    """Independent browsers (cookie jars) on the same app."""
    clients: list[TestClient] = []

    def make(**kwargs: Any) -> TestClient:
        c = TestClient(app, **kwargs)
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def signed_in(world, new_client) -> Callable[[str], TestClient]:
    """A client signed in as ``email`` (a fresh cookie jar each call)."""

    def make(email: str) -> TestClient:
        c = new_client()
        r = sign_in(c, email)
        assert r.status_code == 303, r.text
        return c

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=NO_CHROMIUM)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options, pointed at Debian's Chromium."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "timeout": 30_000,
    }


BROWSER_TIMEOUT_MS = 30_000
"""Every browser context's default timeout.

30 s, not 10: the suite runs on every core, and the other worker's numerical tests
(forecasts, suggestions, bundles on UCI) can hold both cores while Chromium loads a
page (a 10 s navigation to /login timed out that way, in a context that still used 10 s).
"""


@contextmanager
def browser_context(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh context (no cookies) on the live server with the suite's bounded timeout."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def browser_page(browser, live_server) -> Iterator[Any]:
    """A fresh browser page on the live server (see ``browser_context``)."""
    with browser_context(browser, live_server) as context:
        yield context.new_page()


def browser_sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test world's passwords as argon2id with small cost parameters.

    Verification reads the cost from the hash, so signing in stays real argon2id
    while each test's set-up no longer spends seconds hashing ten passwords.
    """
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    import tests.factories as factories

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),))
    monkeypatch.setattr(factories, "hash_password", cheap.hash)


def cookie_value(client: TestClient, name: str = "microbag_session") -> str | None:
    for cookie in client.cookies.jar:
        if cookie.name == name:
            return cookie.value
    return None


def set_cookie(client: TestClient, value: str, name: str = "microbag_session") -> None:
    """Replace a cookie in the jar (as a browser holding an old or planted value would)."""
    for cookie in list(client.cookies.jar):
        if cookie.name == name:
            client.cookies.jar.clear(cookie.domain, cookie.path, cookie.name)
    client.cookies.set(name, value, domain="testserver.local", path="/")
