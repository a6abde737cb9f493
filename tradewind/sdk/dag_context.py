"""The DAG and TaskGroup that ``with`` blocks make current, and the DAGs they auto-register.

A DAG file's loader (the DagBag) collects DAGs from a module's globals and from
:func:`pop_autoregistered_dags`, so that DAGs created inside functions or ``@dag`` calls are
found too, as Airflow's ``auto_register`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tradewind.sdk.dag import DAG
    from tradewind.sdk.taskgroup import TaskGroup

_dag_stack: list[DAG] = []
_group_stack: list[TaskGroup] = []
_autoregistered: list[DAG] = []


def push_dag(dag: DAG) -> None:
    _dag_stack.append(dag)


def pop_dag() -> DAG | None:
    return _dag_stack.pop() if _dag_stack else None


def current_dag() -> DAG | None:
    return _dag_stack[-1] if _dag_stack else None


def push_group(group: TaskGroup) -> None:
    _group_stack.append(group)


def pop_group() -> TaskGroup | None:
    return _group_stack.pop() if _group_stack else None


def current_group(dag: DAG | None) -> TaskGroup | None:
    """The innermost open TaskGroup of ``dag``, else the DAG's root group."""
    for group in reversed(_group_stack):
        if dag is None or group.dag is dag:
            return group
    return dag.task_group if dag is not None else None


def autoregister(dag: DAG) -> None:
    if not any(d is dag for d in _autoregistered):
        _autoregistered.append(dag)


def pop_autoregistered_dags() -> list[DAG]:
    """Return and forget the DAGs made in ``with`` blocks / ``@dag`` calls since the last call."""
    out = list(_autoregistered)
    _autoregistered.clear()
    return out
