"""Heartbeats of the tries this worker runs: one bulk UPDATE of ``last_heartbeat`` per interval.

The scheduler's zombie detection retries or fails a running try whose heartbeat is older than
``scheduler.zombie_threshold``; a worker that is killed stops heartbeating (and its try
processes die with it), so its tries are found. Only ``last_heartbeat`` is written here, and only
while the row is ``running`` at that try number: never a state.

A try whose row the UPDATE missed was changed from outside while it ran (marked success or
failed, cleared, skipped by ``dagrun_timeout``), as Airflow's ``LocalTaskJob`` finds in its
heartbeat: :func:`heartbeat_tries` returns those, and the worker terminates their processes. The
new state is already written by whoever changed it. A try that recorded its own end (its history
row says how it ended) is not among them: its process may still be running its callbacks.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select, update

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.metastore.models import TaskInstance, TaskTry, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
#: seconds between SIGTERM and SIGKILL for a try whose state was changed from outside
EXTERNAL_KILL_GRACE = 3.0


def heartbeat_tries(session: Session, keys: Sequence[TryKey]) -> dict[TryKey, str]:
    """Stamp ``last_heartbeat`` on the running rows of ``keys``; returns the tries whose state
    was set from outside (not ``running`` at that try number any more), with that state."""
    if not keys:
        return {}
    running = TaskInstance.state == TaskState.RUNNING.value
    result = session.execute(
        update(TaskInstance)
        .where(_matching(TaskInstance, keys), running)
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


def _changed_from_outside(session: Session, keys: Sequence[TryKey]) -> dict[TryKey, str]:
    """One query: each claimed try's history row and its task instance's state and try number."""
    ti, tt = TaskInstance, TaskTry
    rows = session.execute(
        select(tt.dag_id, tt.run_id, tt.task_id, tt.map_index, tt.try_number, tt.state)
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
    changed: dict[TryKey, str] = {}
    for row in rows:
        if row.state != TaskState.RUNNING.value:
            continue  # the try recorded its own end (or was handed back): not from outside
        if row.ti_state == TaskState.RUNNING.value and row.ti_try == row.try_number:
            continue  # stamped by the UPDATE above: still running here
        key = TryKey(row.dag_id, row.run_id, row.task_id, row.map_index, row.try_number)
        changed[key] = row.ti_state or "removed"
    return changed


def group_alive(pgid: int) -> bool:
    """A try's process group still exists (one terminated on an earlier tick is gone)."""
    try:
        os.killpg(pgid, 0)
    except OSError:
        return False
    return True
