"""Audit log use cases (skeleton: the binding interface; h7 implements it).

``record`` is what other packages' services call, in the same unit of work as the
change, so a rolled-back change leaves no entry and a committed one always has one.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal


def record(
    session: Session,
    actor: Principal | None,
    *,
    entity: str,
    entity_id: str,
    action: str,
    before: Mapping[str, object] | None,
    after: Mapping[str, object] | None,
    company_id: int | None = None,
    actor_label: str = "",
) -> None:
    """Add one entry: ``entity`` (e.g. "price_list_item", "company", "stock_level",
    "sku", "user", "order"), its id as text, ``action`` (created, updated, deleted,
    or a verb such as "override"), and the changed fields before and after (plain JSON
    values; only the fields that changed). ``actor`` None means the system or the CLI
    (then ``actor_label`` says who, e.g. "cli")."""
