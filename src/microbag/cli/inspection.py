"""CLI of inspection (issue 10): registered on the main app by ``register``."""

from __future__ import annotations

import typer


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add this area's commands (and its ``microbag import ...`` commands)."""
