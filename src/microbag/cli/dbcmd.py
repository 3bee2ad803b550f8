"""``microbag db upgrade`` and ``microbag serve``."""

from __future__ import annotations

import typer

from microbag.cli.common import console, database

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Alembic revision")) -> None:
    """Apply the database migrations."""
    from microbag.migrate import upgrade as run_upgrade

    db = database()
    run_upgrade(db, revision)
    console.print(f"database at [bold]{db.engine.url.render_as_string()}[/bold] is at {revision}")


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    workers: int = typer.Option(1, "--workers", help="Worker processes"),
    reload: bool = typer.Option(False, "--reload", help="Reload on code changes"),
) -> None:
    """Serve the API and the portal."""
    import uvicorn

    console.print(f"microbag serving on [bold]http://{host}:{port}[/bold]  (Ctrl+C stops)")
    uvicorn.run(
        "microbag.asgi:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level="info",
        access_log=False,
    )
