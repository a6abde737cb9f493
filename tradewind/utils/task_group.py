"""Airflow's ``airflow.utils.task_group``."""

from __future__ import annotations

from tradewind.sdk.taskgroup import TaskGroup, task_group

__all__ = ["TaskGroup", "task_group"]
