"""CLI of notifications (skeleton: commands added by its helper)."""

from __future__ import annotations

import typer


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add this package's commands to ``microbag`` (and its imports to ``microbag import``)."""
