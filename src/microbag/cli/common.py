"""Helpers shared by the CLI commands."""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.console import Console

from microbag.db import Database, get_database
from microbag.errors import DomainError

console = Console()
err_console = Console(stderr=True)


def database() -> Database:
    return get_database()


def fail(exc: DomainError | str, code: int = 1) -> NoReturn:
    if isinstance(exc, DomainError):
        for item in exc.items:
            where = f"line {item.line}: " if item.line is not None else ""
            err_console.print(f"[red]error[/red] {where}{item.message} [dim]({item.code})[/dim]")
    else:
        err_console.print(f"[red]error[/red] {exc}")
    sys.exit(code)
