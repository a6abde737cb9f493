"""The one state writer.

Every change of a task instance's or a DAG run's state goes through this module, as a
compare-and-set: ``UPDATE ... WHERE state IN (:expected) [AND try_number = :try]``, then a look at
the row count. The allowed moves come from ``tradewind.core.states``; an illegal one raises
``IllegalTransition`` naming both states before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.core.states import (
    FINISHED,
    DagRunState,
    TaskState,
    check_run_transition,
    check_task_transition,
)
from tradewind.metastore.models import DagRun, TaskInstance, TaskTry


def _states(expected: Iterable[TaskState | str]) -> list[str]:
    return [TaskState(s).value for s in expected]


def set_task_state(
    session: Session,
    key: TaskInstanceKey,
    to: TaskState | str,
    *,
    expected: Iterable[TaskState | str],
    try_number: int | None = None,
    increment_try: bool = False,
    **fields: Any,
) -> bool:
    """Move one task instance to ``to`` if it is in one of ``expected`` (and at ``try_number``).

    Returns True when the row moved, False when it was not in an expected state (someone else
    got there first). ``fields`` are other columns written in the same statement.
    """
    moved = set_task_states(
        session,
        [key],
        to,
        expected=expected,
        try_number=try_number,
        increment_try=increment_try,
        **fields,
    )
    return moved == 1


def set_task_states(
    session: Session,
    keys: Sequence[TaskInstanceKey],
    to: TaskState | str,
    *,
    expected: Iterable[TaskState | str],
    try_number: int | None = None,
    increment_try: bool = False,
    **fields: Any,
) -> int:
    """The bulk form of :func:`set_task_state`; returns how many rows moved.

    ``increment_try`` also sets ``try_number = try_number + 1`` in the same statement (a new try
    being scheduled).
    """
    if not keys:
        return 0
    if increment_try:
        fields["try_number"] = TaskInstance.try_number + 1
    expected_states = _states(expected)
    for src in expected_states:
        check_task_transition(src, to)
    conditions = [TaskInstance.state.in_(expected_states)]
    if try_number is not None:
        conditions.append(TaskInstance.try_number == try_number)
    moved = 0
    for chunk_start in range(0, len(keys), 500):
        chunk = keys[chunk_start : chunk_start + 500]
        key_filter = or_(
            *(
                and_(
                    TaskInstance.dag_id == k.dag_id,
                    TaskInstance.run_id == k.run_id,
                    TaskInstance.task_id == k.task_id,
                    TaskInstance.map_index == k.map_index,
                )
                for k in chunk
            )
        )
        stmt = (
            update(TaskInstance)
            .where(key_filter, *conditions)
            .values(state=TaskState(to).value, **fields)
            .execution_options(synchronize_session=False)
        )
        moved += session.execute(stmt).rowcount or 0
    return moved


def set_run_state(
    session: Session,
    dag_id: str,
    run_id: str,
    to: DagRunState | str,
    *,
    expected: Iterable[DagRunState | str],
    **fields: Any,
) -> bool:
    """Move one DAG run to ``to`` if it is in one of ``expected``."""
    expected_states = [DagRunState(s).value for s in expected]
    for src in expected_states:
        check_run_transition(src, to)
    stmt = (
        update(DagRun)
        .where(
            DagRun.dag_id == dag_id,
            DagRun.run_id == run_id,
            DagRun.state.in_(expected_states),
        )
        .values(state=DagRunState(to).value, **fields)
        .execution_options(synchronize_session=False)
    )
    return (session.execute(stmt).rowcount or 0) == 1


def record_try(session: Session, key: TryKey, state: TaskState | str, **fields: Any) -> None:
    """Insert or update the history row of one try (hostname, dates, error, final state).

    One statement where the database has an upsert (Postgres, SQLite: ``INSERT ... ON CONFLICT
    DO UPDATE``; MySQL: ``ON DUPLICATE KEY UPDATE``), else a look-up then an insert or update.
    """
    values = {"state": TaskState(state).value, **fields}
    # A try's row that says how the try ended is never put back to ``running`` (a late or
    # repeated claim-time write); ``up_for_reschedule`` is re-claimed at the same try number.
    guard = (
        TaskTry.state.not_in(_ENDED_TRY_STATES) if values["state"] == TaskState.RUNNING else None
    )
    row = {
        "dag_id": key.dag_id,
        "run_id": key.run_id,
        "task_id": key.task_id,
        "map_index": key.map_index,
        "try_number": key.try_number,
        **values,
    }
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        session.execute(
            upsert(TaskTry)
            .values(**row)
            .on_conflict_do_update(index_elements=_TRY_KEY_COLUMNS, set_=values, where=guard)
        )
        return
    if dialect in ("mysql", "mariadb") and guard is None:
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        session.execute(mysql_insert(TaskTry).values(**row).on_duplicate_key_update(**values))
        return
    where = (
        TaskTry.dag_id == key.dag_id,
        TaskTry.run_id == key.run_id,
        TaskTry.task_id == key.task_id,
        TaskTry.map_index == key.map_index,
        TaskTry.try_number == key.try_number,
    )
    exists = session.execute(select(TaskTry.id).where(*where)).first()
    if exists:
        session.execute(
            update(TaskTry)
            .where(TaskTry.id == exists[0], *(() if guard is None else (guard,)))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    else:
        session.execute(insert(TaskTry).values(**row))


#: how a try's row says the try ended: never overwritten by ``running``
_ENDED_TRY_STATES = [s.value for s in (*FINISHED, TaskState.UP_FOR_RETRY)]

#: the unique key of ``task_try`` (its UniqueConstraint), the upsert's conflict target
_TRY_KEY_COLUMNS = ["dag_id", "run_id", "task_id", "map_index", "try_number"]


def ti_key_filter(keys: Sequence[TaskInstanceKey]) -> Any:
    """A WHERE clause matching exactly these task instances."""
    return tuple_(
        TaskInstance.dag_id, TaskInstance.run_id, TaskInstance.task_id, TaskInstance.map_index
    ).in_([tuple(k) for k in keys])
