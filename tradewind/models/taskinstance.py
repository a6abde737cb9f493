"""Airflow's ``airflow.models.taskinstance``: the ``ti`` a task receives in its context.

DAG files import ``TaskInstance`` mostly for type hints (``def f(ti: TaskInstance)``); the
object a task is given is Tradewind's running task instance, with ``xcom_push``/``xcom_pull``.
"""

from __future__ import annotations

from tradewind.runtime.task_instance import RuntimeTaskInstance

TaskInstance = RuntimeTaskInstance

__all__ = ["TaskInstance"]
