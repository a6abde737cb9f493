"""Skipping downstream tasks from a branching or short-circuiting task, as Airflow's SkipMixin."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tradewind.errors import TaskFailure
from tradewind.sdk.abstractoperator import AbstractOperator


class SkipMixin:
    """Operators that skip parts of the graph call ``context["ti"].skip_tasks(ids)``."""

    def skip(self, ti: Any, task_ids: Iterable[str]) -> None:
        ids = sorted(set(task_ids))
        if ti is None:
            raise TaskFailure("The context has no task instance ('ti'); cannot skip tasks")
        if ids:
            ti.skip_tasks(ids)

    def skip_all_except(self, ti: Any, branch_task_ids: None | str | Iterable[str]) -> None:
        """Skip every direct downstream task that is not followed, as Airflow does.

        A branch naming a TaskGroup follows the group's root tasks. A direct downstream task
        that is also downstream of a followed branch (a "join") is not skipped.
        """
        task: AbstractOperator = self  # type: ignore[assignment]
        dag = task.dag
        if dag is None:
            raise TaskFailure(f"Task {task.task_id!r} is not in a DAG; cannot branch")
        if branch_task_ids is None:
            chosen: set[str] = set()
        elif isinstance(branch_task_ids, str):
            chosen = {branch_task_ids}
        else:
            chosen = set(branch_task_ids)
        expanded: set[str] = set()
        for branch in chosen:
            if branch in dag.task_group_dict:
                expanded.update(t.task_id for t in dag.task_group_dict[branch].roots)
            else:
                expanded.add(branch)
        invalid = expanded - set(dag.task_dict)
        if invalid:
            raise TaskFailure(
                f"'branch_task_ids' must contain only valid task_ids. "
                f"Invalid tasks found: {sorted(invalid)}.",
                hint=f"the downstream tasks of {task.task_id!r} are "
                f"{sorted(task.downstream_task_ids)}",
            )
        followed: set[str] = set(expanded)
        for branch in expanded:
            followed |= dag.task_dict[branch].get_flat_relative_ids(upstream=False)
        to_skip = [t for t in task.downstream_task_ids if t not in followed]
        self.skip(ti, to_skip)
