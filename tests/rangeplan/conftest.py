"""The portal fixtures of tests/web (signed-in clients, Debian's Chromium) for these tests."""

from tests.web.conftest import (
    _cheap_argon2,
    browser_page,
    browser_type_launch_args,
    new_client,
    pytest_collection_modifyitems,
    signed_in,
)

__all__ = [
    "_cheap_argon2",
    "browser_page",
    "browser_type_launch_args",
    "new_client",
    "pytest_collection_modifyitems",
    "signed_in",
]
