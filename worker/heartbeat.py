"""Heartbeats of the tries this worker runs: one bulk UPDATE of ``last_heartbeat`` per interval.

The scheduler's zombie detection retries or fails a running try whose heartbeat is older than
``scheduler.zombie_threshold``; a worker that is killed stops heartbeating (and its try
processes die with it), so its tries are found. Only ``last_heartbeat`` is written here, and only
while the row is ``running`` at that try number: never a state.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, update

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.metastore.models import TaskInstance, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def heartbeat_tries(session: Session, keys: Sequence[TryKey]) -> int:
    """Stamp ``last_heartbeat`` on the running rows of ``keys``; returns how many were stamped."""
    if not keys:
        return 0
    match = or_(
        *(
            and_(
                TaskInstance.dag_id == k.dag_id,
                TaskInstance.run_id == k.run_id,
                TaskInstance.task_id == k.task_id,
                TaskInstance.map_index == k.map_index,
                TaskInstance.try_number == k.try_number,
            )
            for k in keys
        )
    )
    result = session.execute(
        update(TaskInstance)
        .where(match, TaskInstance.state == TaskState.RUNNING.value)
        .values(last_heartbeat=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
