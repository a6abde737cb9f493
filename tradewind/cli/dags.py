"""`tradewind dags ...`: each subcommand lives in its own module."""

from __future__ import annotations

import click

from tradewind.cli.lazy_group import LazyGroup

DAG_COMMANDS: dict[str, str] = {
    "list": "tradewind.cli.dags_read:list_dags",
    "show": "tradewind.cli.dags_read:show_dag",
    "list-import-errors": "tradewind.cli.dags_read:list_import_errors",
    "details": "tradewind.cli.dags_read:dag_details",
    "test": "tradewind.cli.dags_test:test_dag",
    "trigger": "tradewind.cli.dags_runs:trigger",
    "list-runs": "tradewind.cli.dags_runs:list_runs",
    "delete": "tradewind.cli.dags_runs:delete_dag",
    "pause": "tradewind.cli.dags_pause:pause",
    "unpause": "tradewind.cli.dags_pause:unpause",
    "next-execution": "tradewind.cli.dags_runs:next_execution",
    "state": "tradewind.cli.dags_runs:dag_state",
    "backfill": "tradewind.cli.dags_backfill:backfill",
    "reserialize": "tradewind.cli.dags_read:reserialize",
}


@click.group(cls=LazyGroup, lazy_commands=DAG_COMMANDS)
def dags() -> None:
    """Read, test, trigger and backfill DAGs."""
