"""`tradewind tasks ...`: each subcommand lives in its own module."""

from __future__ import annotations

import click

from tradewind.cli.lazy_group import LazyGroup

TASK_COMMANDS: dict[str, str] = {
    "list": "tradewind.cli.dags_read:list_tasks",
    "test": "tradewind.cli.tasks_test:test_task",
    "clear": "tradewind.cli.tasks_state:clear",
    "states-for-dag-run": "tradewind.cli.tasks_state:states_for_dag_run",
    "state": "tradewind.cli.tasks_state:task_state",
    "logs": "tradewind.cli.tasks_logs:logs",
    "render": "tradewind.cli.tasks_test:render",
}


@click.group(cls=LazyGroup, lazy_commands=TASK_COMMANDS)
def tasks() -> None:
    """Test, clear and inspect task instances."""
