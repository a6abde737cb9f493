"""Entry point of the `tradewind` console script, and the error boundary of every command."""

from __future__ import annotations

import sys

import click

from tradewind.cli.lazy_group import LazyGroup

COMMANDS: dict[str, str] = {
    "cheat-sheet": "tradewind.cli.cheat_sheet:cheat_sheet",
    "config": "tradewind.cli.config_cmd:config",
    "connections": "tradewind.cli.connections:connections",
    "dags": "tradewind.cli.dags:dags",
    "dashboard": "tradewind.cli.dashboard_cmd:dashboard",
    "db": "tradewind.cli.db:db",
    "pools": "tradewind.cli.pools:pools",
    "rotate-fernet-key": "tradewind.cli.connections:rotate_fernet_key",
    "scheduler": "tradewind.cli.scheduler_cmd:scheduler",
    "standalone": "tradewind.cli.standalone:standalone",
    "tasks": "tradewind.cli.tasks:tasks",
    "users": "tradewind.cli.users:users",
    "variables": "tradewind.cli.variables:variables",
    "version": "tradewind.cli.version:version",
    "worker": "tradewind.cli.worker_cmd:worker",
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"max_content_width": 100})
def cli() -> None:
    """Tradewind: DAGs of tasks, scheduled onto named broker queues."""


def main(argv: list[str] | None = None) -> None:
    """Run a command; a TradewindError becomes one red line on stderr and exit code 1."""
    from tradewind.cli.errors import run_with_error_boundary

    sys.exit(run_with_error_boundary(cli, argv))


if __name__ == "__main__":
    main()
