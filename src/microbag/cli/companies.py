"""CLI of buyer companies' addresses and tax identity (skeleton: commands added by h1)."""

from __future__ import annotations

import typer


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add this package's commands to ``microbag`` (and its imports to ``microbag import``)."""
