"""Tries that ended without recording a state: their process died, their worker vanished (a
zombie), or nobody took them from the queue. They are retried when they have retries left and
failed otherwise, as Airflow's ``handle_failure`` does; every write goes through transitions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.spec_cache import SpecCache
from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.core.states import TaskState
from tradewind.metastore import transitions
from tradewind.metastore.models import DagRun, TaskInstance

log = logging.getLogger(__name__)
T = TaskState


def _retry_delay(
    specs: SpecCache, session: Session, ti: TaskInstance, version: int | None
) -> float:
    spec = specs.for_run(session, ti.dag_id, version)
    if spec is None or ti.task_id not in spec.task_map:
        return 0.0
    from tradewind.core.backoff import retry_delay_seconds

    return float(retry_delay_seconds(spec.task(ti.task_id), ti.try_number))


def fail_lost_tries(
    session: Session, tis: Iterable[TaskInstance], specs: SpecCache, *, reason: str, now: datetime
) -> list[TaskInstanceKey]:
    """Retry or fail each of ``tis`` (loaded rows, still ``queued``/``running``); returns those
    moved. A queued try never started, so with retries left it goes back to ``none`` and the
    next try gets a new number; a running one goes ``up_for_retry`` after its retry delay."""
    moved: list[TaskInstanceKey] = []
    for ti in tis:
        key = TaskInstanceKey(ti.dag_id, ti.run_id, ti.task_id, ti.map_index)
        try_key = key.with_try(ti.try_number)
        can_retry = ti.try_number <= ti.max_tries
        state = T(ti.state)
        if can_retry and state == T.RUNNING:
            version = session.execute(
                select(DagRun.dag_version_id).where(
                    DagRun.dag_id == ti.dag_id, DagRun.run_id == ti.run_id
                )
            ).scalar_one_or_none()
            delay = _retry_delay(specs, session, ti, version)
            to, extra = T.UP_FOR_RETRY, {"next_try_at": now + timedelta(seconds=delay)}
        elif can_retry:
            to, extra = T.NONE, {}
        else:
            to, extra = T.FAILED, {}
        if not transitions.set_task_state(
            session, key, to, expected=[state], try_number=ti.try_number, end_date=now, **extra
        ):
            continue
        transitions.record_try(
            session, try_key, to if to != T.NONE else T.FAILED, end_date=now, error=reason
        )
        log.warning("%s: %s -> %s (%s)", try_key, state.value, to.value, reason)
        moved.append(key)
    return moved


def load_unfinished(session: Session, keys: Iterable[TryKey]) -> list[TaskInstance]:
    """The task instances of ``keys`` still ``queued``/``running`` at exactly that try."""
    keys = list(keys)
    if not keys:
        return []
    rows = session.execute(
        select(TaskInstance).where(
            transitions.ti_key_filter([k.ti_key for k in keys]),
            TaskInstance.state.in_([T.QUEUED.value, T.RUNNING.value]),
        )
    ).scalars()
    wanted = {(k.ti_key, k.try_number) for k in keys}
    return [
        ti
        for ti in rows
        if (TaskInstanceKey(ti.dag_id, ti.run_id, ti.task_id, ti.map_index), ti.try_number)
        in wanted
    ]


def fail_unrecorded_tries(
    session: Session, executor: Any, specs: SpecCache, finished: list[TryKey], now: datetime
) -> None:
    """Tries ``executor`` saw end that are still queued or running: their process died before
    recording a state (retried or failed as a lost try)."""
    check = getattr(executor, "unrecorded", None)
    suspects = check(finished) if check is not None else finished
    if not suspects:
        return
    lost = load_unfinished(session, suspects)
    if lost:
        fail_lost_tries(
            session,
            lost,
            specs,
            reason="the try's process ended without recording a state",
            now=now,
        )
