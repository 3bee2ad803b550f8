"""CLI of notifications: ``microbag mail list|show|retry|send-test|deliver``.

Staff commands run as the system (the CLI is the operator's tool, like ``microbag po``).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from microbag.accounts.principal import Principal
from microbag.cli.common import console, database, fail
from microbag.errors import DomainError
from microbag.jobs.worker import new_worker_id
from microbag.notifications import delivery, policies, service

mail_app = typer.Typer(no_args_is_help=True)
# The operator at the command line acts as an admin of the seller.
OPERATOR = Principal(user_id=0, email="cli", role="admin", company_id=None)


@mail_app.command("list")
def list_mail(
    status: Annotated[str | None, typer.Option(help="queued, sending, sent or failed")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
) -> None:
    """The mail outbox, newest first."""
    try:
        with database().session() as session:
            rows, total = service.list_messages(session, OPERATOR, status=status, limit=limit)
            items = [
                {
                    "id": m.id,
                    "to": m.to_address,
                    "subject": m.subject,
                    "status": m.status,
                    "attempts": m.attempts,
                    "reference": m.reference,
                    "last_error": m.last_error,
                }
                for m in rows
            ]
    except DomainError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    table = Table(title=f"Mail ({total} in all)")
    for col in ("id", "to", "subject", "status", "tries", "about", "last error"):
        table.add_column(col, overflow="fold")
    for it in items:
        table.add_row(
            str(it["id"]),
            str(it["to"]),
            str(it["subject"]),
            str(it["status"]),
            str(it["attempts"]),
            str(it["reference"]),
            str(it["last_error"])[:80],
        )
    console.print(table)


@mail_app.command("retry")
def retry(message_id: Annotated[int, typer.Argument(min=1)]) -> None:
    """Queue a failed message again."""
    try:
        with database().session(write=True) as session:
            service.retry_message(session, OPERATOR, message_id)
    except DomainError as exc:
        fail(exc)
    console.print(f"mail {message_id} queued again")


@mail_app.command("send-test")
def send_test(
    to: Annotated[str, typer.Argument(help="Address to send the test message to")],
    now: Annotated[
        bool, typer.Option("--now/--queue", help="Deliver at once (default) or leave it queued")
    ] = True,
) -> None:
    """Queue a test message and (by default) deliver the due mail now: checks the SMTP
    settings."""
    db = database()
    try:
        with db.session(write=True) as session:
            message_id = service.queue_test_message(session, to).id
    except DomainError as exc:
        fail(exc)
    if not now:
        console.print(f"test message {message_id} queued")
        return
    delivery.deliver_due(db, new_worker_id("send-test"))
    with db.session() as session:
        message = service.get_message(session, OPERATOR, message_id)
        status, error = message.status, message.last_error
    if status == policies.SENT:
        console.print(f"test message {message_id} sent to {to}")
    else:
        fail(f"test message {message_id} not sent ({status}): {error}")


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``microbag mail ...``."""
    app.add_typer(mail_app, name="mail", help="E-mail: the outbox, retries, a test message.")
