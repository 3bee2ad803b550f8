"""Credit while placing an order: the open unpaid total, and on PostgreSQL the company's
row lock with that total read in one round trip (``hold_credit``), the last statement
before the commit (``orders.placement`` explains the lock order)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Integer, bindparam, func, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from microbag.buyers.models import Company
from microbag.errors import DomainError
from microbag.orders import policies
from microbag.orders.models import Order
from microbag.orders.policies import OPEN_STATUSES

if TYPE_CHECKING:  # placement imports this module
    from microbag.orders.placement import Buyer

__all__ = ["hold_credit", "locks_rows", "open_unpaid_total"]


def locks_rows(session: Session) -> bool:
    """Whether the database takes row locks (PostgreSQL); SQLite serializes writers."""
    return session.get_bind().dialect.name != "sqlite"


_open_unpaid = select(func.coalesce(func.sum(Order.total_minor), 0)).where(
    Order.company_id == bindparam("company_id"),
    Order.status.in_(OPEN_STATUSES),
    Order.paid_at.is_(None),
)


def open_unpaid_total(session: Session, buyer: Buyer) -> int:
    params = {"company_id": buyer.company_id}
    return int(session.connection().execute(_open_unpaid, params).scalar_one())


def _build_hold_credit_sql() -> str:
    """Two statements sent as one (PostgreSQL's simple query protocol): the company's row
    lock, then its open unpaid total. The server runs them one after the other, and in
    READ COMMITTED each statement takes a new snapshot when it starts: the total is read
    after the lock was granted, so it counts every order committed by the transactions
    that held the lock before, exactly as two round trips would, in one.

    FOR NO KEY UPDATE, not FOR UPDATE: the transaction already holds a key-share lock on
    the company row (its idempotency key's and its order's foreign keys took one), and
    so may a twin placement of the same company. FOR UPDATE conflicts with key-share, so
    two such twins deadlocked; NO KEY UPDATE conflicts only with itself (and stronger),
    so one company's placements queue here instead. Nothing changes the company's key.

    The simple protocol takes no parameters: the company id is formatted in as an
    integer (``{company_id:d}``), the statuses are the module's constants.
    """
    company: ColumnElement[int] = literal_column("{company_id:d}", Integer)
    lock = select(Company.credit_limit_minor).where(Company.id == company)
    unpaid = select(func.coalesce(func.sum(Order.total_minor), 0)).where(
        Order.company_id == company,
        Order.status.in_(OPEN_STATUSES),
        Order.paid_at.is_(None),
    )
    dialect = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
    return ";\n".join(
        str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        for stmt in (lock.with_for_update(key_share=True), unpaid)
    )


_hold_credit_sql = _build_hold_credit_sql()


def _locked_credit(session: Session, company_id: int) -> tuple[int, int]:
    """(credit limit, open unpaid total) under the company's row lock, in one round trip."""
    result = session.connection().exec_driver_sql(
        _hold_credit_sql.format(company_id=int(company_id))
    )
    try:
        cursor = result.cursor
        limit_row = cursor.fetchone()
        cursor.nextset()
        unpaid_row = cursor.fetchone()
    finally:
        result.close()
    if limit_row is None or unpaid_row is None:  # the company row is never deleted
        raise RuntimeError(f"company {company_id} vanished while placing an order")
    return int(limit_row[0]), int(unpaid_row[0])


def hold_credit(session: Session, buyer: Buyer, total: int) -> None:
    """Check credit under the company's row lock, the order already written.

    Called last before the commit: the lock serializes one company's placements on
    PostgreSQL (until the commit), and the open unpaid total, read after the lock was
    granted (a new snapshot, READ COMMITTED), counts every order committed before and
    this one; so two concurrent orders cannot both spend the same credit. The lock and
    the read go in one round trip (``_build_hold_credit_sql``): the lock is held for
    that round trip and the commit's, no longer. SQLite's write transactions are
    serialized already (BEGIN IMMEDIATE): ``check`` read it all.
    """
    if buyer.payment_terms_days is None or not locks_rows(session):
        return
    limit, open_unpaid = _locked_credit(session, buyer.company_id)
    others = open_unpaid - total  # without this order
    errors = policies.credit_errors(
        payment_terms_days=buyer.payment_terms_days,
        credit_limit_minor=limit,
        open_unpaid_minor=others,
        order_total_minor=total,
        currency=buyer.currency,
    )
    if errors:
        raise DomainError(errors, policies.error_status(errors))
