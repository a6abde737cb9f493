"""Slot accounting and queueing: which ``scheduled`` tries go to the executor now.

Loads, in a handful of bulk queries, the scheduled tries of running runs of unpaused DAGs and
what occupies slots across the whole metastore (queued + running, so a fleet of schedulers and
workers shares pools and ``max_active_tasks``), asks the pure ``tradewind.core.slots`` which to
take, moves them ``scheduled -> queued`` by compare-and-set and returns them for the executor.
The caller commits *before* handing them over, so a worker never sees a try still scheduled.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import Session

from scheduler.executors.base import QueuedTry
from scheduler.ha import QUEUEING_LOCK_KEY, is_postgres
from scheduler.run_filter import RunFilter
from tradewind.core.keys import TaskInstanceKey
from tradewind.core.states import OCCUPYING, DagRunState, TaskState
from tradewind.metastore import transitions
from tradewind.metastore.models import DagModel, DagRun, Pool, TaskInstance

#: most candidates considered per loop, a multiple of what can be queued
CANDIDATE_FACTOR = 4
MIN_CANDIDATES = 64

_OCCUPYING = [s.value for s in OCCUPYING]
UNLIMITED = 1 << 30
log = logging.getLogger(__name__)


def _candidates(
    session: Session, limit: int, only: RunFilter | None, *, with_lock: bool = False
) -> list[Any]:
    """The scheduled tries that may be queued, best first. ``with_lock`` (Postgres): also try
    the queueing advisory lock in the same round trip (column ``got_lock``)."""
    if only is None:  # the scheduler's own query, on every pass: built once
        stmt = _CANDIDATES[with_lock]
        if stmt is None:
            stmt = _CANDIDATES[with_lock] = _candidates_stmt(None, with_lock=with_lock)
    else:
        stmt = _candidates_stmt(only, with_lock=with_lock)
    return list(session.execute(stmt, {"limit": limit}).all())


#: the candidates query of a scheduler without a run filter, without and with the lock
_CANDIDATES: dict[bool, Any] = {False: None, True: None}


def _candidates_stmt(only: RunFilter | None, *, with_lock: bool) -> Any:
    stmt = (
        select(
            TaskInstance.dag_id,
            TaskInstance.run_id,
            TaskInstance.task_id,
            TaskInstance.map_index,
            TaskInstance.try_number,
            TaskInstance.pool,
            TaskInstance.pool_slots,
            TaskInstance.priority_weight,
            TaskInstance.queue,
            DagRun.logical_date,
            DagModel.fileloc,
            DagModel.max_active_tasks,
            Pool.slots.label("pool_size"),
        )
        .join(
            DagRun, (DagRun.dag_id == TaskInstance.dag_id) & (DagRun.run_id == TaskInstance.run_id)
        )
        .join(DagModel, DagModel.dag_id == TaskInstance.dag_id)
        .outerjoin(Pool, Pool.pool == TaskInstance.pool)
        .where(
            TaskInstance.state == TaskState.SCHEDULED.value,
            DagRun.state == DagRunState.RUNNING.value,
        )
        .order_by(TaskInstance.priority_weight.desc(), DagRun.logical_date, TaskInstance.map_index)
        .limit(bindparam("limit", type_=Integer))
    )
    if with_lock:
        stmt = stmt.add_columns(func.pg_try_advisory_xact_lock(QUEUEING_LOCK_KEY).label("got_lock"))
    if only is None:
        stmt = stmt.where(DagModel.is_paused.is_(False))
    else:
        stmt = stmt.where(
            TaskInstance.dag_id == only.dag_id, TaskInstance.run_id.in_(list(only.run_ids))
        )
    return stmt


def _usage(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """Task instances holding a slot (queued + running), across the whole metastore: per DAG,
    and pool slots per pool."""
    per_dag: dict[str, int] = {}
    per_pool: dict[str, int] = {}
    rows = session.execute(
        select(
            TaskInstance.dag_id,
            TaskInstance.pool,
            func.count(),
            func.coalesce(func.sum(TaskInstance.pool_slots), 0),
        )
        .where(TaskInstance.state.in_(_OCCUPYING))
        .group_by(TaskInstance.dag_id, TaskInstance.pool)
    ).all()
    for dag_id, pool, count, slots in rows:
        per_dag[dag_id] = per_dag.get(dag_id, 0) + int(count)
        per_pool[pool] = per_pool.get(pool, 0) + int(slots)
    return per_dag, per_pool


def choose(
    session: Session, rows: list[Any], *, open_slots: int, fleet_parallelism: int | None = None
) -> list[Any]:
    """The rows to queue now, in order, as the pure ``tradewind.core.slots`` decides.

    ``fleet_parallelism``: for an executor that does not count its own tries (a broker
    fleet), the limit on tries queued or running across the whole metastore."""
    from tradewind.core.slots import Candidate, choose_tries_to_queue

    by_key = {}
    candidates = []
    for r in rows:
        key = TaskInstanceKey(r.dag_id, r.run_id, r.task_id, r.map_index)
        by_key[key] = r
        candidates.append(
            Candidate(key, r.pool, r.pool_slots, r.priority_weight, r.logical_date, r.queue)
        )
    dag_used, pool_used = _usage(session)
    if fleet_parallelism is not None:
        open_slots = min(open_slots, fleet_parallelism - sum(dag_used.values()))
    # a pool that does not exist is left out (its tries never run); -1 slots: unlimited
    pool_total = {
        r.pool: (UNLIMITED if r.pool_size < 0 else int(r.pool_size))
        for r in rows
        if r.pool_size is not None
    }
    pool_open = {p: n - pool_used.get(p, 0) for p, n in pool_total.items()}
    dag_limits = {r.dag_id: int(r.max_active_tasks) for r in rows}
    choice = choose_tries_to_queue(
        candidates,
        open_executor_slots=open_slots,
        dag_running_counts=dag_used,
        dag_max_active_tasks=dag_limits,
        pool_open_slots=pool_open,
        pool_total_slots=pool_total,
    )
    for cand in choice.never_fit:
        log.debug("%s can never run: pool %r is missing or too small", cand.key, cand.pool)
    return [by_key[c.key] for c in choice.to_queue]


def queue_scheduled(
    session: Session,
    *,
    open_slots: int,
    now: datetime,
    only: RunFilter | None = None,
    parallelism: int | None = None,
) -> list[QueuedTry]:
    """Move what fits ``scheduled -> queued``; returns those moved (hand them over after commit)."""
    if open_slots <= 0:
        return []
    fleet = None
    if parallelism is not None and open_slots > parallelism:
        # the executor does not bound itself (a broker): parallelism counts from the metastore
        fleet, open_slots = parallelism, parallelism
    # On Postgres the queueing lock (see scheduler.ha) is taken by the candidates query itself:
    # one round trip less. A transaction-scoped advisory lock once held stays held, so any row
    # with got_lock means the slot counts (_usage) and the compare-and-set below run under it.
    # Candidates read just before another scheduler's commit can at worst be already queued:
    # the compare-and-set skips them (SQLite transactions are serialised: no lock needed).
    pg = is_postgres(session)
    limit = max(MIN_CANDIDATES, open_slots * CANDIDATE_FACTOR)
    rows = _candidates(session, limit, only, with_lock=pg)
    if not rows or (pg and not any(r.got_lock for r in rows)):
        return []
    chosen = choose(session, rows, open_slots=open_slots, fleet_parallelism=fleet)
    if not chosen:
        return []
    keys = [TaskInstanceKey(r.dag_id, r.run_id, r.task_id, r.map_index) for r in chosen]
    moved = transitions.set_task_states(
        session, keys, TaskState.QUEUED, expected=[TaskState.SCHEDULED], queued_at=now
    )
    if moved != len(keys):  # someone else moved some of them: keep only what we queued
        mine = {
            tuple(k)
            for k in session.execute(
                select(
                    TaskInstance.dag_id,
                    TaskInstance.run_id,
                    TaskInstance.task_id,
                    TaskInstance.map_index,
                ).where(
                    transitions.ti_key_filter(keys),
                    TaskInstance.state == TaskState.QUEUED.value,
                    TaskInstance.queued_at == now,
                )
            ).all()
        }
        chosen = [r for r in chosen if (r.dag_id, r.run_id, r.task_id, r.map_index) in mine]
    return [
        QueuedTry(
            try_key=TaskInstanceKey(r.dag_id, r.run_id, r.task_id, r.map_index).with_try(
                r.try_number
            ),
            queue=r.queue,
            priority=r.priority_weight,
            fileloc=r.fileloc or "",
        )
        for r in chosen
    ]
