"""``microbag db upgrade`` and ``microbag serve``."""

from __future__ import annotations

import ipaddress

import typer

from microbag.cli.common import console, database
from microbag.config import Settings, get_settings

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Alembic revision")) -> None:
    """Apply the database migrations."""
    from microbag.migrate import upgrade as run_upgrade

    db = database()
    run_upgrade(db, revision)
    console.print(f"database at [bold]{db.engine.url.render_as_string()}[/bold] is at {revision}")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: assume it is reachable from elsewhere


def deployment_warnings(host: str, settings: Settings) -> list[str]:
    """What is fine on a developer's machine but not on a server others can reach."""
    if is_loopback(host):
        return []
    warnings = []
    if not settings.require_https:
        warnings.append(
            "MICROBAG_REQUIRE_HTTPS is off: portal cookies are not marked Secure when a "
            "proxy does not report https, and no HSTS header is sent. Serve behind a "
            "TLS-terminating proxy and set MICROBAG_REQUIRE_HTTPS=true."
        )
    if settings.database_url.startswith("sqlite"):
        warnings.append(
            "the database is SQLite (the development default): use PostgreSQL for a "
            "server others use (MICROBAG_DATABASE_URL)."
        )
    return warnings


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    workers: int = typer.Option(1, "--workers", help="Worker processes"),
    reload: bool = typer.Option(False, "--reload", help="Reload on code changes"),
    proxy_headers: bool = typer.Option(
        False,
        "--proxy-headers",
        help="Behind a reverse proxy: take the client address and scheme from its "
        "X-Forwarded-For / X-Forwarded-Proto headers",
    ),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1",
        "--forwarded-allow-ips",
        help="Comma-separated proxy addresses (or *) whose forwarded headers are trusted",
    ),
    with_worker: bool = typer.Option(
        False,
        "--with-worker",
        help="Also run queued jobs (forecast and trends runs, imports) in this process",
    ),
) -> None:
    """Serve the API and the portal."""
    import uvicorn

    for warning in deployment_warnings(host, get_settings()):
        console.print(f"[bold yellow]warning:[/bold yellow] {warning}")
    if with_worker:
        from microbag.jobs.worker import start_background_worker

        start_background_worker(database())
        console.print("with a job worker (forecast and trends runs, imports) in this process")
    console.print(f"microbag serving on [bold]http://{host}:{port}[/bold]  (Ctrl+C stops)")
    uvicorn.run(
        "microbag.asgi:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="info",
        access_log=False,
    )
