"""``microbag plan``: the planning decisions (suggested orders, bundles, range plans).

Each decision's commands live in their own module (``plan_*.py``) and are added to
``plan_app`` by ``register``; this module only holds the group.
"""

from __future__ import annotations

import importlib

import typer

plan_app = typer.Typer(no_args_is_help=True)

# Modules that add commands to ``plan_app`` when imported (each defines ``register(plan_app)``).
PLAN_COMMAND_MODULES: tuple[str, ...] = (
    "microbag.cli.plan_suggestions",
    "microbag.cli.plan_together",
    "microbag.cli.plan_range",
)


def register(app: typer.Typer) -> None:
    for name in PLAN_COMMAND_MODULES:
        importlib.import_module(name).register(plan_app)
    app.add_typer(
        plan_app,
        name="plan",
        help="Planning: suggested orders, often ordered together, range plans.",
    )
