"""`tradewind dashboard`: serve the web dashboard with uvicorn."""

from __future__ import annotations

import click

from tradewind.cli.context import command_context


@click.command("dashboard")
@click.option("-p", "--port", type=int, default=None, help="Port (default: webserver.port, 8080).")
@click.option("-H", "--host", default=None, help="Address to listen on (default: webserver.host).")
@click.option(
    "-w", "--workers", type=int, default=None, help="uvicorn worker processes (default: 1)."
)
@click.option("--log-level", default="info", show_default=True, help="uvicorn's log level.")
def dashboard(port: int | None, host: str | None, workers: int | None, log_level: str) -> None:
    """Serve the dashboard: DAG views, the fleet monitor and the REST API."""
    import uvicorn

    settings = command_context().settings
    host = host or settings.webserver.host
    port = port or settings.webserver.port
    workers = workers or settings.webserver.workers
    click.echo(f"Dashboard on http://{host}:{port} ({workers} worker{'s' if workers != 1 else ''})")
    # the factory runs in each worker process, so every process builds its own metastore
    uvicorn.run(
        "dashboard.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=True,
    )
