"""Airflow's ``airflow.decorators``: ``from tradewind.decorators import dag, task, task_group``,
and ``setup`` / ``teardown``."""

from __future__ import annotations

from tradewind.sdk.dag import dag
from tradewind.sdk.decorators import task
from tradewind.sdk.setup_teardown import setup, teardown
from tradewind.sdk.taskgroup import task_group

__all__ = ["dag", "setup", "task", "task_group", "teardown"]
