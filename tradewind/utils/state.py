"""Airflow's ``airflow.utils.state``: ``State``, ``TaskInstanceState``, ``DagRunState``.

DAG files use them in ``allowed_states=[State.SUCCESS]`` and the like; the values are
the same strings as Tradewind's states (``"success"``, ``"skipped"``...).
"""

from __future__ import annotations

from tradewind.core.states import FINISHED, UNFINISHED, DagRunState, TaskState

TaskInstanceState = TaskState


class State:
    """Every state name, as Airflow's ``State`` class (task and run states share values)."""

    NONE = TaskState.NONE
    SCHEDULED = TaskState.SCHEDULED
    QUEUED = TaskState.QUEUED
    RUNNING = TaskState.RUNNING
    SUCCESS = TaskState.SUCCESS
    FAILED = TaskState.FAILED
    SKIPPED = TaskState.SKIPPED
    UP_FOR_RETRY = TaskState.UP_FOR_RETRY
    UP_FOR_RESCHEDULE = TaskState.UP_FOR_RESCHEDULE
    UPSTREAM_FAILED = TaskState.UPSTREAM_FAILED
    REMOVED = TaskState.REMOVED

    task_states: tuple[TaskState, ...] = tuple(TaskState)
    dag_states: tuple[DagRunState, ...] = tuple(DagRunState)
    finished: frozenset[TaskState] = FINISHED
    unfinished: frozenset[TaskState] = UNFINISHED
    failed_states: frozenset[TaskState] = frozenset({TaskState.FAILED, TaskState.UPSTREAM_FAILED})
    success_states: frozenset[TaskState] = frozenset({TaskState.SUCCESS, TaskState.SKIPPED})


__all__ = ["DagRunState", "State", "TaskInstanceState"]
