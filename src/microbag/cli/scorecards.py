"""CLI of scorecards (issue 10): ``microbag scorecards [--json]`` (standings and metrics)
and ``microbag scorecards rank --sku X | --style X | --bag-type X | --capability oem``
(TOPSIS ranking with the sensitivity of the top supplier to each weight)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from microbag.cli.common import console, database, fail
from microbag.errors import DomainError
from microbag.scorecards import policies, ranking, service
from microbag.scorecards.schemas import RankingOut, ScorecardOut
from microbag.scorecards.staff_pages import metric_text

scorecards_app = typer.Typer(help="Supplier scorecards, standings and rankings.")

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


@scorecards_app.callback(invoke_without_command=True)
def show(
    ctx: typer.Context,
    as_json: Json = False,
    periods: Annotated[int, typer.Option(min=1, max=12, help="Quarters to show")] = 4,
) -> None:
    """Every supplier's standing, score, metrics (faded over the quarters) and reason."""
    if ctx.invoked_subcommand is not None:
        return
    with database().session() as session:
        cards = service.scorecards(session, periods=periods)
    if as_json:
        out = [ScorecardOut.of(c).model_dump(mode="json") for c in cards]
        typer.echo(json.dumps(out, indent=2))
        return
    table = Table(title="Supplier scorecards")
    table.add_column("supplier", no_wrap=True)
    table.add_column("standing", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("metrics (faded)", overflow="fold")
    table.add_column("reason", overflow="fold")
    for c in cards:
        score = "–" if c.standing.score is None else f"{c.standing.score:.0f}"
        metrics = " · ".join(
            f"{policies.METRIC_LABELS[m]} {metric_text(m, c.values[m])}" for m in policies.METRICS
        )
        table.add_row(c.code, c.standing.level, score, metrics, c.standing.reason)
    console.print(table)


@scorecards_app.command("rank")
def rank(
    sku: Annotated[
        str | None, typer.Option(help="Rank suppliers with a price for this SKU")
    ] = None,
    style: Annotated[str | None, typer.Option(help="... for any SKU of this style")] = None,
    bag_type: Annotated[str | None, typer.Option(help="Suppliers making this bag type")] = None,
    capability: Annotated[
        str | None, typer.Option(help="oem, odm, logo, packaging, or a material / hardware")
    ] = None,
    as_json: Json = False,
) -> None:
    """Rank the suppliers by TOPSIS with the knowledge file's supplier criteria as
    weights, and show how stable the ranking is when each weight moves by 10 %."""
    try:
        with database().session() as session:
            result = ranking.ranking(
                session, sku=sku, style=style, bag_type=bag_type, capability=capability
            )
    except DomainError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(RankingOut.of(result).model_dump(mode="json"), indent=2))
        return
    table = Table(
        title="Supplier ranking" + "".join(f" · {k} {v}" for k, v in result.target.items())
    )
    for col in ("rank", "supplier", "TOPSIS", "standing"):
        table.add_column(col, no_wrap=True)
    for col in result.columns:
        table.add_column(col.replace("_", " "), overflow="fold")
    for r in result.rows:
        table.add_row(
            str(r.rank),
            r.code,
            f"{r.score:.3f}",
            r.standing.level,
            *(metric_text(c, r.values[c]) for c in result.columns),
        )
    console.print(table)
    weights: dict[str, Any] = {k: round(v, 3) for k, v in result.column_weights.items()}
    console.print(f"weights (from the knowledge's supplier criteria): {weights}")
    console.print(
        f"±10 % on each criterion's weight: top supplier kept in "
        f"{result.top1_stable_share:.0%} of {len(result.moves)} moves; "
        f"lowest Kendall tau {result.min_kendall_tau:.2f}"
    )
    for m in result.moves:
        if m.top_changes:
            console.print(f"  {m.criterion} {m.change:+.0%}: top becomes {m.new_top}")


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add this area's commands (and its ``microbag import ...`` commands)."""
    app.add_typer(scorecards_app, name="scorecards", help="Supplier scorecards and rankings.")
