"""Fixtures of these tests (shared with the accounts tests)."""

from tests.accounts.conftest import fast_password_hashes

__all__ = ["fast_password_hashes"]
