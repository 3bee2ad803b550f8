"""Fixtures of the audit tests: cheap password hashes, principals by e-mail, signed-in
portal clients, and the entries of the log as plain tuples."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from microbag.audit.models import AuditEntry
from microbag.db import Database
from tests.orders.conftest import who
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
    "who",
]


@pytest.fixture
def log(db: Database) -> Callable[..., list[dict[str, Any]]]:
    """The log's entries (oldest first) as dicts, optionally only one entity's."""

    def read(entity: str | None = None) -> list[dict[str, Any]]:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if entity is not None:
            query = query.where(AuditEntry.entity == entity)
        with db.session() as s:
            return [
                {
                    "actor": e.actor_label,
                    "actor_user_id": e.actor_user_id,
                    "entity": e.entity,
                    "entity_id": e.entity_id,
                    "action": e.action,
                    "company_id": e.company_id,
                    "before": e.before,
                    "after": e.after,
                    "at": e.at,
                }
                for e in s.scalars(query)
            ]

    return read
