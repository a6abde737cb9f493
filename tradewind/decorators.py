"""Airflow's ``airflow.decorators``: ``from tradewind.decorators import dag, task, task_group``."""

from __future__ import annotations

from tradewind.sdk.dag import dag
from tradewind.sdk.decorators import task
from tradewind.sdk.taskgroup import task_group

__all__ = ["dag", "task", "task_group"]
