"""The ``microbag`` command line: thin adapters over the same services as the API."""

from __future__ import annotations

import typer

from microbag.cli import (
    accounts,
    audit,
    companies,
    dbcmd,
    demo,
    drops,
    forecast,
    inspection,
    intel,
    jobs,
    knowledge,
    notifications,
    orders,
    plan,
    plan_range,
    purchasing,
    reorder,
    scorecards,
    stock,
    suppliers,
    transfer,
)

app = typer.Typer(help="microbag: B2B platform for the micro bag trade.", no_args_is_help=True)
app.add_typer(dbcmd.app, name="db", help="Database schema.")
app.add_typer(demo.app, name="demo", help="Demo data.")
app.add_typer(accounts.users_app, name="users", help="Users and passwords.")
app.add_typer(accounts.token_app, name="token", help="API tokens.")
app.add_typer(stock.app, name="stock", help="Stock levels.")
app.add_typer(knowledge.app, name="knowledge", help="Market knowledge (the brief as data).")
app.add_typer(transfer.import_app, name="import", help="Import files (all-or-nothing).")
app.add_typer(transfer.export_app, name="export", help="Export files.")
intel.register(app, transfer.import_app)  # import sales|signals, trends run
forecast.register(app, transfer.export_app)  # forecast run, export forecasts
jobs.register(app)  # worker, jobs list
plan.register(app)  # plan suggestions|together|range ...
plan_range.register_import(transfer.import_app)  # import costs
suppliers.register(app, transfer.import_app)  # suppliers ..., import supplier-prices
purchasing.register(app, transfer.import_app)  # po ...
inspection.register(app, transfer.import_app)  # inspect ...
scorecards.register(app, transfer.import_app)  # scorecards ...
reorder.register(app, transfer.import_app)  # reorder suggest, reorder draft
companies.register(app, transfer.import_app)  # companies: addresses, tax identity
drops.register(app, transfer.import_app)  # drops ...
orders.register(app, transfer.import_app)  # orders shipments|ship|waiting|fill-waiting ...
notifications.register(app, transfer.import_app)  # mail ...
audit.register(app, transfer.import_app)  # audit ...
app.command("serve")(dbcmd.serve)


def main() -> None:
    app()
