"""``microbag knowledge``: the market knowledge from the command line.

``list`` prints the effective facts (the shipped file with staff edits applied) with
their sources; ``check FILE`` validates a knowledge file before it replaces the shipped
one, naming every bad fact, and exits 1 if any.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from microbag.cli.common import console, database, fail
from microbag.knowledge import service
from microbag.knowledge.facts import parse_knowledge, thaw
from microbag.knowledge.tables import KnowledgeError

app = typer.Typer(no_args_is_help=True)

# A knowledge file is a few hundred facts; anything far larger is not one.
MAX_FILE_BYTES = 2 * 1024 * 1024


@app.command("list")
def list_facts(
    table: Annotated[str | None, typer.Option(help="Only this table, e.g. segment_types.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """The effective facts: value, source, and who edited them."""
    with database().session() as session:
        views = service.fact_views(session, table)
        if table and not views:
            known = sorted({v.fact.key.split(".", 1)[0] for v in service.fact_views(session)})
            fail(f"no table named {table!r}; the tables are: {', '.join(known)}")
    if as_json:
        for v in views:
            print(
                json.dumps(
                    {
                        "key": v.fact.key,
                        "value": thaw(v.fact.value),
                        "source": v.fact.source,
                        "edited_by": v.edited_by if v.edited else None,
                    },
                    ensure_ascii=False,
                )
            )
        return
    out = Table(box=box.SIMPLE)
    for column in ("key", "value", "source", "edited by"):
        out.add_column(column)
    for v in views:
        value = json.dumps(thaw(v.fact.value), ensure_ascii=False)
        out.add_row(v.fact.key, value, v.fact.source, v.edited_by if v.edited else "")
    console.print(out)


@app.command("check")
def check_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Validate a knowledge file (TOML, the shipped file's layout); every problem is named."""
    if file.stat().st_size > MAX_FILE_BYTES:
        fail(f"{file} is over {MAX_FILE_BYTES // (1024 * 1024)} MB: not a knowledge file")
    try:
        knowledge = parse_knowledge(file.read_text("utf-8"), origin=file.name)
    except UnicodeDecodeError:
        fail(f"{file} is not UTF-8 text")
    except KnowledgeError as exc:
        fail(exc)
    console.print(f"{file}: version {knowledge.version}, {len(knowledge.facts())} facts, all valid")
