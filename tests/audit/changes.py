"""A few audited changes made through the services, shared by the API, page and CLI tests."""

from __future__ import annotations

from microbag.accounts import service as accounts
from microbag.accounts.service import get_user_by_email, principal_of
from microbag.buyers import service as buyers
from microbag.db import Database
from microbag.stock import service as stock
from tests.factories import World


def make_changes(db: Database, world: World) -> None:
    """Four entries, oldest first: sales raises company A's credit limit, the merchandiser
    counts MC-001-GLD, the CLI counts MT-001-RED, the admin makes sales a merchandiser."""
    with db.session(write=True) as s:
        sales = principal_of(get_user_by_email(s, "sales@seller.test"))
        merch = principal_of(get_user_by_email(s, "merch@seller.test"))
        admin = principal_of(get_user_by_email(s, "admin@seller.test"))
    with db.session(write=True) as s:
        buyers.update_company(s, world.company_a, {"credit_limit_minor": 6_000_000}, actor=sales)
    with db.session(write=True) as s:
        stock.set_stock(s, "MC-001-GLD", "MAIN", 120, actor=merch)
    with db.session(write=True) as s:
        stock.set_stock(s, "MT-001-RED", "MAIN", 80, actor_label="cli")
    with db.session(write=True) as s:
        accounts.update_staff_user(s, sales.user_id, role="merchandiser", actor=admin)
