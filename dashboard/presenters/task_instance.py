"""What a task instance's page shows: its row, every try, its XComs and rendered templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.core.spec import TaskSpec
from tradewind.errors import TaskNotFound
from tradewind.metastore.models import DagRun, TaskInstance, TaskTry, XCom
from tradewind.metastore.xcoms import deserialize_value
from tradewind.runtime.secrets_masker import redact_value


@dataclass(frozen=True)
class XComRow:
    key: str
    value: str
    map_index: int


@dataclass
class TaskInstanceView:
    ti: TaskInstance
    run: DagRun
    task: TaskSpec | None
    tries: list[TaskTry] = field(default_factory=list)
    xcoms: list[XComRow] = field(default_factory=list)
    map_indexes: list[int] = field(default_factory=list)
    rendered: list[tuple[str, str]] = field(default_factory=list)


def show_value(value: Any) -> str:
    """A value as text for a page (escaped by the template, never marked safe)."""
    import json

    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, indent=2, default=str, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def task_instance_view(
    session: Session,
    run: DagRun,
    task_id: str,
    map_index: int,
    task: TaskSpec | None,
) -> TaskInstanceView:
    where = (TaskInstance.dag_id == run.dag_id, TaskInstance.run_id == run.run_id)
    map_indexes = list(
        session.scalars(
            select(TaskInstance.map_index)
            .where(*where, TaskInstance.task_id == task_id)
            .order_by(TaskInstance.map_index)
        )
    )
    if not map_indexes:
        raise TaskNotFound(f"task {task_id!r} has no instance in run {run.run_id!r}")
    if map_index not in map_indexes:
        map_index = map_indexes[0]
    ti = session.scalar(
        select(TaskInstance).where(
            *where, TaskInstance.task_id == task_id, TaskInstance.map_index == map_index
        )
    )
    assert ti is not None
    tries = list(
        session.scalars(
            select(TaskTry)
            .where(
                TaskTry.dag_id == run.dag_id,
                TaskTry.run_id == run.run_id,
                TaskTry.task_id == task_id,
                TaskTry.map_index == map_index,
            )
            .order_by(TaskTry.try_number)
        )
    )
    xcoms = [
        XComRow(
            row.key, show_value(redact_value(deserialize_value(row.value), row.key)), row.map_index
        )
        for row in session.scalars(
            select(XCom)
            .where(
                XCom.dag_id == run.dag_id,
                XCom.run_id == run.run_id,
                XCom.task_id == task_id,
                XCom.map_index == map_index,
            )
            .order_by(XCom.key)
        )
    ]
    rendered = [(name, show_value(value)) for name, value in (ti.rendered_fields or {}).items()]
    return TaskInstanceView(ti, run, task, tries, xcoms, map_indexes, rendered)
