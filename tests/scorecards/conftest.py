"""The portal fixtures of tests/web (signed-in clients) for the scorecard page tests."""

from tests.web.conftest import _cheap_argon2, new_client, signed_in

__all__ = ["_cheap_argon2", "new_client", "signed_in"]
