"""``microbag users ...`` and ``microbag token create``."""

from __future__ import annotations

import json
import sys

import typer
from rich.table import Table
from sqlalchemy import select

from microbag.accounts import service
from microbag.accounts.models import User
from microbag.cli.common import console, database, fail
from microbag.errors import DomainError

users_app = typer.Typer(no_args_is_help=True)
token_app = typer.Typer(no_args_is_help=True)


@users_app.command("list")
def list_users(
    role: str | None = typer.Option(None, "--role", help="Only users with this role"),
    as_json: bool = typer.Option(False, "--json", help='Print [{"email","company","role"}]'),
) -> None:
    """List users: staff (company empty) and buyers' users."""
    with database().session() as s:
        query = select(User).order_by(User.company_id.is_not(None), User.email)
        if role:
            query = query.where(User.role == role)
        rows = [
            {"email": u.email, "company": u.company.name if u.company else None, "role": u.role}
            for u in s.scalars(query)
        ]
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    table = Table("email", "company", "role")
    for r in rows:
        table.add_row(str(r["email"]), str(r["company"] or "(seller staff)"), str(r["role"]))
    console.print(table)


@users_app.command("set-password")
def set_password(
    email: str = typer.Option(..., "--email", help="The user's e-mail"),
    keep_tokens: bool = typer.Option(
        False, "--keep-tokens", help="Keep the user's API tokens working (default: revoke them)"
    ),
) -> None:
    """Set a user's password, read from standard input (one line).

    Their portal sessions end; their API tokens are revoked unless --keep-tokens.
    """
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("New password: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        with database().session(write=True) as s:
            _user, revoked = service.set_password(
                s, email, password, keep_tokens=keep_tokens, actor_label="cli"
            )
    except DomainError as exc:
        fail(exc)
    console.print(f"password set for {email}; their portal sessions are ended")
    if keep_tokens:
        console.print("API tokens kept (--keep-tokens)")
    else:
        console.print(f"API tokens revoked: {revoked}")


@token_app.command("create")
def create_token(
    email: str = typer.Option(..., "--email", help="The user the token acts as"),
    name: str = typer.Option("", "--name", help="A label to recognise the token"),
) -> None:
    """Create an API token and print it (only its hash is stored)."""
    try:
        with database().session(write=True) as s:
            user = service.get_user_by_email(s, email)
            token = service.create_token(s, user, name)
    except DomainError as exc:
        fail(exc)
    sys.stdout.write(token + "\n")
