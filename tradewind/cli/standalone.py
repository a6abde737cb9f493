"""`tradewind standalone`: everything on one machine, in one command.

Brings the metastore's schema up to date (SQLite under TRADEWIND_HOME by default), creates an
Admin user on first start and prints its password, starts the dashboard (when it is installed)
as a child process, and runs the scheduler with the local executor over the DAG folder and the
example DAGs. Ctrl-C (or SIGTERM) stops everything cleanly.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from tradewind.cli.context import command_context
from tradewind.cli.scheduler_cmd import configure_logging

PASSWORD_FILE = "standalone_admin_password.txt"


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _prepare_metastore(settings: Any, metastore: Any) -> None:
    from tradewind.metastore import db_admin

    status = db_admin.check(settings, metastore)
    if not status.at_head:
        for message in db_admin.init(settings, metastore):
            click.echo(message)


def _ensure_admin(settings: Any, metastore: Any) -> str | None:
    """The Admin password when the user was just created (users module permitting)."""
    if not _has_module("tradewind.metastore.users"):
        return None
    from tradewind.metastore import users

    with metastore.session() as session:
        password = users.ensure_admin(session)
    if password:
        path = Path(settings.home) / PASSWORD_FILE
        path.write_text(password + "\n")
        path.chmod(0o600)
    return password


def _start_dashboard(settings: Any) -> subprocess.Popen[bytes] | None:
    if not settings.scheduler.standalone_dashboard:
        return None
    if not (_has_module("dashboard.app") and _has_module("tradewind.cli.dashboard_cmd")):
        click.echo("The dashboard is not installed in this build; running without it.")
        return None
    return subprocess.Popen([sys.executable, "-m", "tradewind.cli.main", "dashboard"])


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def dashboard_url(settings: Any) -> str:
    """Where the dashboard child listens (``base_url`` is the public URL for e-mail links and
    need not be this machine's)."""
    host = settings.webserver.host
    if host in ("", "0.0.0.0", "::"):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.webserver.port}/"


@click.command("standalone")
@click.option("--no-examples", is_flag=True, help="Do not load the repository's example DAGs.")
def standalone(no_examples: bool) -> None:
    """Run the metastore set-up, the dashboard and the scheduler with local workers."""
    from scheduler.main import build_scheduler, run_scheduler

    ctx = command_context()
    settings = ctx.settings
    configure_logging(settings.logging.level)
    os.makedirs(settings.core.dags_folder, exist_ok=True)
    _prepare_metastore(settings, ctx.metastore)
    password = _ensure_admin(settings, ctx.metastore)
    sched = build_scheduler(
        settings, ctx.metastore, executor_name="local", include_examples=not no_examples
    )
    dashboard = _start_dashboard(settings)
    url = dashboard_url(settings)
    click.echo("Tradewind is starting.")
    if dashboard is not None:
        click.echo(f"Dashboard: {url}")
    if password:
        click.echo(f"Login with username: admin  password: {password}")
        click.echo(f"(the password is also in {Path(settings.home) / PASSWORD_FILE})")
    click.echo(f"DAG folder: {settings.core.dags_folder}. Press Ctrl-C to stop.")
    try:
        run_scheduler(sched)
    finally:
        _stop(dashboard)
    click.echo("Tradewind stopped.")
