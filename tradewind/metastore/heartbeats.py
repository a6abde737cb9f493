"""Heartbeats of running tries, for the fleet worker and the local executor alike.

One bulk UPDATE stamps ``last_heartbeat`` on the rows still ``running`` at their try number
(never a state). A try whose row the UPDATE missed was changed from outside while it ran (marked
success or failed, cleared, skipped by ``dagrun_timeout``), as Airflow's task heartbeat finds:
those are returned, for their runner to terminate. A try whose history row says how it ended
recorded that itself (its process may still be running callbacks): it is not among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import and_, or_, select, update

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.metastore.models import TaskInstance, TaskTry, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class ChangedTry(NamedTuple):
    #: the state written from outside ("removed" when the task instance is gone)
    state: str
    #: the try's process, as its history row names it
    pid: int | None


def stamp_heartbeats(session: Session, keys: Sequence[TryKey]) -> dict[TryKey, ChangedTry]:
    """Stamp the running rows of ``keys``; the tries among them changed from outside."""
    if not keys:
        return {}
    result = session.execute(
        update(TaskInstance)
        .where(_matching(TaskInstance, keys), TaskInstance.state == TaskState.RUNNING.value)
        .values(last_heartbeat=utcnow())
        .execution_options(synchronize_session=False)
    )
    if int(result.rowcount or 0) >= len(keys):
        return {}
    return _changed_from_outside(session, keys)


def _matching(table: type[TaskInstance] | type[TaskTry], keys: Sequence[TryKey]) -> object:
    return or_(
        *(
            and_(
                table.dag_id == k.dag_id,
                table.run_id == k.run_id,
                table.task_id == k.task_id,
                table.map_index == k.map_index,
                table.try_number == k.try_number,
            )
            for k in keys
        )
    )


def _changed_from_outside(session: Session, keys: Sequence[TryKey]) -> dict[TryKey, ChangedTry]:
    """One query: each claimed try's history row and its task instance's state and try number."""
    ti, tt = TaskInstance, TaskTry
    rows = session.execute(
        select(tt.dag_id, tt.run_id, tt.task_id, tt.map_index, tt.try_number, tt.state, tt.pid)
        .add_columns(ti.state.label("ti_state"), ti.try_number.label("ti_try"))
        .outerjoin(
            ti,
            and_(
                ti.dag_id == tt.dag_id,
                ti.run_id == tt.run_id,
                ti.task_id == tt.task_id,
                ti.map_index == tt.map_index,
            ),
        )
        .where(_matching(tt, keys))
    ).all()
    changed: dict[TryKey, ChangedTry] = {}
    for row in rows:
        if row.state != TaskState.RUNNING.value:
            continue  # the try recorded its own end (or was handed back): not from outside
        if row.ti_state == TaskState.RUNNING.value and row.ti_try == row.try_number:
            continue  # stamped by the UPDATE: still running here
        key = TryKey(row.dag_id, row.run_id, row.task_id, row.map_index, row.try_number)
        changed[key] = ChangedTry(row.ti_state or "removed", row.pid)
    return changed
