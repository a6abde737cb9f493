"""Tries nobody is running any more, and tries nobody took from the queue.

- A *zombie* is a ``running`` try whose ``last_heartbeat`` (or start, if it never beat) is older
  than ``zombie_threshold``: its process or worker is gone. It is retried or failed.
- A try ``queued`` for longer than ``queued_timeout`` had no taker: ``requeue`` puts it back to
  ``scheduled`` (the loop queues it again, same try number), ``fail`` retries or fails it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from scheduler.lost_tries import fail_lost_tries
from scheduler.spec_cache import SpecCache
from tradewind.core.keys import TaskInstanceKey
from tradewind.core.states import TaskState
from tradewind.metastore import transitions
from tradewind.metastore.models import TaskInstance

if TYPE_CHECKING:
    from tradewind.config.settings import SchedulerSettings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)
T = TaskState


def fail_zombies(
    session: Session, specs: SpecCache, *, now: datetime, threshold: float
) -> list[TaskInstanceKey]:
    limit = now - timedelta(seconds=threshold)
    zombies = session.execute(
        select(TaskInstance).where(
            TaskInstance.state == T.RUNNING.value,
            or_(
                TaskInstance.last_heartbeat < limit,
                and_(TaskInstance.last_heartbeat.is_(None), TaskInstance.start_date < limit),
            ),
        )
    ).scalars()
    return fail_lost_tries(
        session,
        list(zombies),
        specs,
        reason=f"no heartbeat for more than {threshold:g} s (zombie): its process is gone",
        now=now,
    )


def handle_stale_queued(
    session: Session,
    specs: SpecCache,
    *,
    now: datetime,
    timeout: float,
    action: str,
    in_hand: Collection[TaskInstanceKey] = (),
) -> list[TaskInstanceKey]:
    """``in_hand``: tries our own executor still holds (waiting for a free process)."""
    limit = now - timedelta(seconds=timeout)
    stale = list(
        session.execute(
            select(TaskInstance).where(
                TaskInstance.state == T.QUEUED.value, TaskInstance.queued_at < limit
            )
        ).scalars()
    )
    held = set(in_hand)
    stale = [t for t in stale if (t.dag_id, t.run_id, t.task_id, t.map_index) not in held]
    if not stale:
        return []
    if action == "fail":
        return fail_lost_tries(
            session, stale, specs, reason=f"queued for more than {timeout:g} s", now=now
        )
    moved: list[TaskInstanceKey] = []
    for ti in stale:
        key = TaskInstanceKey(ti.dag_id, ti.run_id, ti.task_id, ti.map_index)
        if transitions.set_task_state(
            session, key, T.SCHEDULED, expected=[T.QUEUED], try_number=ti.try_number
        ):
            log.warning("%s was queued for more than %g s; queueing it again", key, timeout)
            moved.append(key)
    return moved


def check_lost_tries(
    metastore: Metastore,
    specs: SpecCache,
    cfg: SchedulerSettings,
    now: datetime,
    in_hand: Collection[TaskInstanceKey],
) -> None:
    """One look, in one transaction, for zombies and for tries queued too long (``in_hand``:
    tries the scheduler's own executor holds, which are not stale however long they wait)."""
    with metastore.session() as session:
        fail_zombies(session, specs, now=now, threshold=cfg.zombie_threshold)
        handle_stale_queued(
            session,
            specs,
            now=now,
            timeout=cfg.queued_timeout,
            action=cfg.queued_timeout_action,
            in_hand=in_hand,
        )
